/** Conversation and interaction records as the domain sees them (no framework, no driver). */
export type ConversationStatus = 'active' | 'wrap-up' | 'closed';
export type Channel = 'chat' | 'voice' | 'sms';
export type Direction = 'inbound' | 'outbound';

export interface Interaction {
  id: string;
  conversationId: string;
  channel: Channel;
  direction: Direction;
  state: string;
  provider: string | null;
  providerRef: string | null;
  from: string | null;
  to: string | null;
  origin: string | null;
  endReason: string | null;
  startedAt: string;
  endedAt: string | null;
  updatedAt: string;
}

export interface Conversation {
  id: string;
  tenantId: string;
  contactId: string;
  status: ConversationStatus;
  agentId: string | null;
  context: Record<string, unknown> | null;
  disposition: string | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Moved by every change: a message in or out, a call step, an assignment, a wrap-up. */
  lastActivityAt: string;
}

/** An event to append to the tenant's log: its type and payload come from the event catalogue. */
export type { NewEvent } from '../../events/domain/event-catalogue';

/**
 * States in which an interaction keeps the conversation going, per channel. A message is never
 * live: it is sent or received, and its delivery reports do not hold the conversation open.
 */
const LIVE_STATES: Readonly<Record<Channel, ReadonlySet<string>>> = {
  chat: new Set(['active']),
  voice: new Set(['initiating', 'ringing', 'answered', 'held']),
  sms: new Set(),
};

export function isLive(interaction: Pick<Interaction, 'channel' | 'state'>): boolean {
  return LIVE_STATES[interaction.channel].has(interaction.state);
}
