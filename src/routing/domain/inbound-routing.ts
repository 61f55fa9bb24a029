/**
 * Where a customer's message goes (pure: no clock, no store). It joins their open conversation;
 * with none open, the tenant's policy decides who gets the new one.
 */
export type InboundPolicy = 'sticky' | 'queue';

export interface RoutingFacts {
  policy: InboundPolicy;
  stickyDays: number;
  now: string;
  /** The contact's open conversation, if any. */
  open?: { id: string };
  /** The contact's most recently active conversation (any state), if any. */
  latest?: { agentId: string | null; lastActivityAt: string };
  /** Whether the latest conversation's agent has a socket open on some instance. */
  latestAgentOnline: boolean;
}

export type RoutingDecision =
  | { kind: 'join'; conversationId: string }
  | { kind: 'open'; agentId: string; via: 'sticky' }
  | { kind: 'open'; agentId: null; via: 'queue' };

const DAY_MS = 24 * 3600 * 1000;

export function routeInbound(facts: RoutingFacts): RoutingDecision {
  if (facts.open) return { kind: 'join', conversationId: facts.open.id };
  const agentId = stickyCandidate(facts);
  if (agentId !== undefined && facts.latestAgentOnline) return { kind: 'open', agentId, via: 'sticky' };
  return { kind: 'open', agentId: null, via: 'queue' };
}

/** The agent whose presence the decision needs, so the caller asks the store only when it matters. */
export function stickyCandidate(facts: Omit<RoutingFacts, 'latestAgentOnline'>): string | undefined {
  if (facts.open || facts.policy !== 'sticky' || !facts.latest?.agentId) return undefined;
  return Date.parse(facts.now) - Date.parse(facts.latest.lastActivityAt) <= facts.stickyDays * DAY_MS ? facts.latest.agentId : undefined;
}
