import { contactView, type ContactView } from '../contacts/contact.view';
import type { Contact } from '../contacts/domain/contact';
import { agentsOf } from './agents/domain/conversation-agents';
import type { Conversation, Interaction } from './domain/conversation';

/** An interaction as clients see it. */
export type InteractionView = Omit<Interaction, 'conversationId' | 'updatedAt'>;

/**
 * What an interaction of a conversation view shows beyond the interaction: a call's answer time,
 * durations and mute; a message's size and number of attachments (timeline/interaction-details).
 */
export interface InteractionExtras {
  answeredAt?: string | null;
  durationSeconds?: number | null;
  holdSeconds?: number | null;
  talkSeconds?: number | null;
  muted?: boolean;
  segments?: number;
  encoding?: string;
  attachmentCount?: number;
}

export interface ConversationView {
  id: string;
  status: string;
  contact: ContactView;
  agentId: string | null;
  /** Every agent of the conversation: `agentId` first (when assigned), then those added beside it (`POST …/agents`). */
  agents: string[];
  context: Record<string, unknown> | null;
  disposition: string | null;
  notes: string | null;
  interactions: Array<InteractionView & InteractionExtras>;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** The last message, call step, assignment or wrap-up; lists are sorted by it. */
  lastActivityAt: string;
}

export function interactionView(i: Interaction): InteractionView {
  return {
    id: i.id, channel: i.channel, direction: i.direction, state: i.state, provider: i.provider,
    providerRef: i.providerRef, from: i.from, to: i.to, origin: i.origin, endReason: i.endReason,
    startedAt: i.startedAt, endedAt: i.endedAt,
  };
}

export function conversationView(
  c: Conversation, contact: Contact, interactions: Interaction[], extras: ReadonlyMap<string, InteractionExtras> = new Map(),
  /** The agents added to each conversation, by conversation id. */
  added: ReadonlyMap<string, readonly string[]> = new Map(),
): ConversationView {
  return {
    id: c.id, status: c.status, contact: contactView(contact), agentId: c.agentId, agents: agentsOf(c.agentId, added.get(c.id) ?? []), context: c.context,
    disposition: c.disposition, notes: c.notes,
    interactions: interactions.filter((i) => i.conversationId === c.id).map((i) => ({ ...interactionView(i), ...extras.get(i.id) })),
    createdAt: c.createdAt, updatedAt: c.updatedAt, closedAt: c.closedAt, lastActivityAt: c.lastActivityAt,
  };
}
