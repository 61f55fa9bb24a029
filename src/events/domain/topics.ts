import { ROLES, type Principal } from '../../common/auth/principal';
import { AGENT_ID } from '../../common/agent-id';
import type { LogEntry } from './event';
import type { EventType } from './event-catalogue';

/** A topic a socket may subscribe to (contract §7). */
export type Topic =
  | { kind: 'conversation'; id: string; name: string }
  | { kind: 'agent'; id: string; name: string }
  | { kind: 'tenant'; name: 'tenant' }
  /** Events of conversations nobody is assigned to, and their assignments: any agent of the tenant. */
  | { kind: 'queue'; name: 'queue' };


/** Parses `conversation:<id>`, `agent:<id>`, `queue` or `tenant`; undefined for anything else. */
export function parseTopic(name: unknown): Topic | undefined {
  if (typeof name !== 'string') return undefined;
  if (name === 'tenant') return { kind: 'tenant', name };
  if (name === 'queue') return { kind: 'queue', name };
  const colon = name.indexOf(':');
  const kind = name.slice(0, colon);
  const id = name.slice(colon + 1);
  if ((kind === 'conversation' || kind === 'agent') && AGENT_ID.test(id)) return { kind, id, name };
  return undefined;
}

/** Why the caller may not subscribe to the topic, or undefined when it may. */
export function refusal(principal: Principal, topic: Topic): string | undefined {
  // A token whose roles are all unknown to the gateway gets no events, as it gets no REST route.
  if (principal.roles.length === 0) return `events need one of the roles ${ROLES.join(', ')}; the token has none of them`;
  const supervises = principal.roles.includes('supervisor') || principal.roles.includes('admin');
  if (topic.kind === 'tenant' && !supervises) return 'the tenant topic needs the supervisor role';
  if (topic.kind === 'agent' && topic.id !== principal.agentId && !supervises) {
    return "another agent's topic needs the supervisor role";
  }
  return undefined;
}

/** Events only admins receive (whatever topic they match): a tenant's configuration is theirs to see. */
const ADMIN_ONLY: ReadonlySet<string> = new Set<EventType>(['tenant.updated']);

/** Whether the principal may receive an event of this type at all. */
export function mayReceive(principal: Pick<Principal, 'roles'>, type: string): boolean {
  return !ADMIN_ONLY.has(type) || principal.roles.includes('admin');
}

/** Assignment changes reach the queue too: a claimed conversation leaves everyone's queue, a released one enters it. */
const QUEUE_CHANGES: ReadonlySet<string> = new Set<EventType>(['conversation.assigned', 'conversation.released']);

/**
 * The most specific subscribed topic the event belongs to (each event is sent once per socket):
 * the conversation's, its own agent's, an added agent's (POST /v1/conversations/:id/agents), the
 * queue's, the tenant's. Topics are keyed by name, so this is a few look-ups however many topics
 * a socket holds.
 */
export function matchTopic(
  event: Pick<LogEntry, 'type' | 'conversationId' | 'agentId'>,
  topics: ReadonlyMap<string, Topic>,
  /** The agents added to each conversation whose `agent:` topics this socket holds (AddedAgentRoster). */
  added?: ReadonlyMap<string, ReadonlySet<string>>,
): string | undefined {
  if (event.conversationId !== null && topics.has(`conversation:${event.conversationId}`)) return `conversation:${event.conversationId}`;
  if (event.agentId !== null && topics.has(`agent:${event.agentId}`)) return `agent:${event.agentId}`;
  if (event.conversationId !== null && added) {
    for (const agentId of added.get(event.conversationId) ?? []) if (topics.has(`agent:${agentId}`)) return `agent:${agentId}`;
  }
  if (event.conversationId !== null && (event.agentId === null || QUEUE_CHANGES.has(event.type)) && topics.has('queue')) return 'queue';
  return topics.has('tenant') ? 'tenant' : undefined;
}

/** Cursors are positions in the tenant's event log (increasing, not consecutive); clients treat them as opaque strings. */
export function encodeEventCursor(seq: number): string {
  return String(seq);
}

export function decodeEventCursor(cursor: unknown): number | undefined {
  if (typeof cursor !== 'string' || !/^(0|[1-9]\d{0,15})$/.test(cursor)) return undefined;
  return Number(cursor);
}

const ROSTER_CHANGES: ReadonlySet<string> = new Set<EventType>(['conversation.agent.added', 'conversation.agent.removed']);

/**
 * Which conversations the agents of a socket's `agent:` topics were added to, kept up to date by
 * the log itself: every socket is offered every event of its tenant in order, so the added and
 * removed events it passes say each change. A roster starts from the store when the topic is
 * subscribed; changes offered while that read is under way are applied after it (each sets
 * membership outright, so applying one twice changes nothing). A replay judges older events by
 * the roster as it is now, updated as the replay passes each change.
 */
export class AddedAgentRoster {
  /** conversation id → the roster's agents added to it. */
  readonly byConversation = new Map<string, Set<string>>();
  /** Agents whose conversations are being read, and the changes offered meanwhile. */
  private readonly loading = new Map<string, Array<[conversationId: string, present: boolean]>>();
  private readonly agents = new Set<string>();

  /** Starts following an agent; `load` gives the conversations they are added to now. */
  async follow(agentId: string, load: () => Promise<readonly string[]>): Promise<void> {
    if (this.agents.has(agentId) || this.loading.has(agentId)) return;
    const pending: Array<[string, boolean]> = [];
    this.loading.set(agentId, pending);
    try {
      const conversations = await load();
      for (const id of conversations) this.set(agentId, id, true);
      for (const [id, present] of pending) this.set(agentId, id, present);
      this.agents.add(agentId);
    } finally {
      this.loading.delete(agentId);
    }
  }

  forget(agentId: string): void {
    this.agents.delete(agentId);
    for (const [id, agents] of this.byConversation) {
      agents.delete(agentId);
      if (agents.size === 0) this.byConversation.delete(id);
    }
  }

  /** Applies an added/removed event to the roster (other events change nothing). */
  apply(event: Pick<LogEntry, 'type' | 'conversationId' | 'data'>): void {
    if (!ROSTER_CHANGES.has(event.type) || event.conversationId === null) return;
    const agentId = event.data.agentId;
    if (typeof agentId !== 'string') return;
    const present = event.type === 'conversation.agent.added';
    const pending = this.loading.get(agentId);
    if (pending) pending.push([event.conversationId, present]);
    else if (this.agents.has(agentId)) this.set(agentId, event.conversationId, present);
  }

  /** Whether the event adds someone: the added agent hears of it; a removed one hears of it before leaving. */
  static adds(type: string): boolean {
    return type === 'conversation.agent.added';
  }

  private set(agentId: string, conversationId: string, present: boolean): void {
    let agents = this.byConversation.get(conversationId);
    if (present) {
      if (!agents) this.byConversation.set(conversationId, (agents = new Set()));
      agents.add(agentId);
    } else if (agents) {
      agents.delete(agentId);
      if (agents.size === 0) this.byConversation.delete(conversationId);
    }
  }
}
