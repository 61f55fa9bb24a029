import type { AgentsRepository } from '../agents/agents.repository';
import type { CallbackTasksRepository } from '../callbacks/callbacks.repository';
import type { CallsRepository } from '../calls/calls.repository';
import type { ParticipantsRepository } from '../calls/participants/participants.repository';
import type { InboundCallsRepository } from '../calls/inbound/inbound-calls.repository';
import type { ContactsRepository } from '../contacts/contacts.repository';
import type { ConversationsRepository } from '../conversations/conversations.repository';
import type { ConversationAgentsRepository } from '../conversations/agents/conversation-agents.repository';
import type { TimelineRepository } from '../conversations/timeline/timeline.repository';
import type { Outbox } from '../events/event-outbox.service';
import type { IdempotencyRepository } from '../idempotency/idempotency.repository';
import type { MessagesRepository } from '../messaging/messages.repository';
import type { SimulatorMediaRepository } from '../messaging/simulator-media.repository';
import type { RecordingsRepository } from '../media/recordings.repository';
import type { PresenceRepository } from '../routing/presence.repository';
import type { TenantsRepository } from '../tenants/tenants.repository';
import type { ApiKeysRepository } from '../tenants/api-keys/api-keys.repository';
import type { ProviderCredentialsRepository } from '../tenants/provider-credentials/provider-credentials.repository';

/**
 * A repository as services see it: its public methods only. Derived from the Kysely class so the
 * two cannot drift, and free of its private connection, so an in-memory fake satisfies it.
 */
export type Store<Repository> = { [K in keyof Repository]: Repository[K] };

export type CallsStore = Store<CallsRepository>;
export type ContactsStore = Store<ContactsRepository>;
export type ConversationsStore = Store<ConversationsRepository>;
export type MessagesStore = Store<MessagesRepository>;
export type TimelineStore = Store<TimelineRepository>;
export type PresenceStore = Store<PresenceRepository>;
export type TenantsStore = Store<TenantsRepository>;
export type IdempotencyStore = Store<IdempotencyRepository>;
export type SimulatorMediaStore = Store<SimulatorMediaRepository>;
export type RecordingsStore = Store<RecordingsRepository>;
export type ParticipantsStore = Store<ParticipantsRepository>;
export type AgentsStore = Store<AgentsRepository>;
export type InboundCallsStore = Store<InboundCallsRepository>;
export type CallbackTasksStore = Store<CallbackTasksRepository>;
export type ConversationAgentsStore = Store<ConversationAgentsRepository>;
export type ApiKeysStore = Store<ApiKeysRepository>;
export type ProviderCredentialsStore = Store<ProviderCredentialsRepository>;

/** Every repository, bound to one connection or transaction. */
export interface Repositories {
  readonly calls: CallsStore;
  readonly contacts: ContactsStore;
  readonly conversations: ConversationsStore;
  readonly messages: MessagesStore;
  readonly timeline: TimelineStore;
  readonly presence: PresenceStore;
  readonly tenants: TenantsStore;
  readonly idempotency: IdempotencyStore;
  readonly simulatorMedia: SimulatorMediaStore;
  readonly recordings: RecordingsStore;
  readonly participants: ParticipantsStore;
  readonly agents: AgentsStore;
  readonly inboundCalls: InboundCallsStore;
  readonly callbackTasks: CallbackTasksStore;
  readonly conversationAgents: ConversationAgentsStore;
  readonly apiKeys: ApiKeysStore;
  readonly providerCredentials: ProviderCredentialsStore;
}

/** The repositories of one transaction, and its outbox. */
export interface Work extends Repositories {
  /** Appends events to the tenant's log in this transaction; they are fanned out once it commits. */
  readonly emit: Outbox['append'];
}

/**
 * How services reach the store: the only seam between their orchestration and Kysely, so each
 * service's logic is unit-tested against an in-memory fake (test/support/memory-unit-of-work.ts).
 * An abstract class rather than an interface: it doubles as the Nest injection token.
 */
export abstract class UnitOfWork {
  /**
   * Runs `work` in one transaction: its writes and its events commit together or not at all. It
   * may run more than once (a race on a unique key, a group commit run again apart), so it must do
   * nothing but store work; call providers before or after it.
   */
  abstract run<T>(work: (w: Work) => Promise<T>): Promise<T>;

  /** Reads as of one moment, in a read transaction of its own (never batched with writes). */
  abstract snapshot<T>(read: (r: Repositories) => Promise<T>): Promise<T>;

  /**
   * The repositories on the plain connection, each statement on its own: reads outside a
   * transaction, and the single-statement writes that need none (idempotency keys, a contact's
   * PATCH, an attachment's measured size).
   */
  abstract readonly direct: Repositories;
}
