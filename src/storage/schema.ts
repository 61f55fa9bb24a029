/**
 * Table shapes as the application sees them (camelCase; the CamelCasePlugin maps them to
 * snake_case columns). Timestamps are ISO-8601 UTC strings and JSON documents are text, so the
 * same queries run unchanged on SQLite and PostgreSQL.
 *
 * The rows are declared here, never borrowed from domain types: a domain change must not become a
 * schema change without a migration. Where a row and its domain object look alike, the repository's
 * reads are typed as the domain object, so the compiler flags a field that one side lacks
 * (the `schema-declares-its-rows` rule of .dependency-cruiser.cjs keeps it so).
 */
export interface TenantsTable {
  id: string;
  name: string;
  defaultRegion: string;
  /** Unused since migration 010 (the event log keeps no per-tenant counter); kept for rollback. */
  lastEventSeq: number;
  createdAt: string;
}

export interface TenantNumbersTable {
  number: string;
  tenantId: string;
  /** Which provider owns the number (migration 015); null: not said. */
  provider: string | null;
}

/** A tenant's providers and policies as the admin API last set them (migration 015). */
export interface TenantSettingsTable {
  tenantId: string;
  /** Bumped by every change; instances reload a tenant whose version moved. */
  version: number;
  /** JSON: tenants/tenant-document.ts. */
  document: string;
  updatedAt: string;
}

/** A tenant's API key for machine clients (migration 018); revoking deletes the row. */
export interface ApiKeysTable {
  id: string;
  tenantId: string;
  name: string;
  /** JSON list of role names. */
  roles: string;
  /** The agent an `agent`-role key acts as; null otherwise. */
  agentId: string | null;
  /** Hex SHA-256 of the key's secret part. */
  secretHash: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** A tenant's own account at a provider (migration 018), sealed with CREDENTIALS_KEY. */
export interface TenantProviderCredentialsTable {
  tenantId: string;
  provider: string;
  /** The AES-256-GCM envelope of the JSON fields (tenants/provider-credentials/sealing.ts). */
  sealed: string;
  /** JSON: field → its last characters, what the admin API may show. */
  hints: string;
  updatedAt: string;
}

export interface ContactsTable {
  id: string;
  tenantId: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  externalId: string | null;
  optedOutAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ConversationsTable {
  id: string;
  tenantId: string;
  contactId: string;
  status: string;
  agentId: string | null;
  context: string | null;
  disposition: string | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** The last change of any kind: a message, a call step, an assignment, a wrap-up. */
  lastActivityAt: string;
  /** When it was left with no agent (null while assigned); the unattended alert counts from it. */
  queuedAt: string | null;
  /** Claimed by the one instance that sent the unattended alert of this stay in the queue. */
  unattendedAlertedAt: string | null;
}

export interface InteractionsTable {
  id: string;
  tenantId: string;
  conversationId: string;
  channel: string;
  direction: string;
  state: string;
  provider: string | null;
  providerRef: string | null;
  fromAddr: string | null;
  toAddr: string | null;
  origin: string | null;
  endReason: string | null;
  startedAt: string;
  endedAt: string | null;
  updatedAt: string;
}

export interface EventsTable {
  tenantId: string;
  seq: number;
  id: string;
  type: string;
  conversationId: string | null;
  interactionId: string | null;
  agentId: string | null;
  at: string;
  data: string;
}

/**
 * One row (id 1). SQLite: the last event position handed out. PostgreSQL: the base of positions
 * derived from transaction ids (see migration 010). `events.tx` (PostgreSQL only, xid8, filled by
 * its default) is not in EventsTable: only raw SQL reads it.
 */
export interface EventLogPositionTable {
  id: number;
  value: number;
}

export interface IdempotencyKeysTable {
  tenantId: string;
  key: string;
  requestHash: string;
  state: string;
  statusCode: number | null;
  responseBody: string | null;
  createdAt: string;
}

export interface MessagesTable {
  interactionId: string;
  tenantId: string;
  body: string;
  segments: number;
  encoding: string;
  errorCode: string | null;
  errorMessage: string | null;
  /** Provider failover: JSON `[{ provider, error, code }]` (failover/domain/failover.ts); null: none recorded. */
  attempts: string | null;
}

export interface AttachmentsTable {
  id: string;
  tenantId: string;
  interactionId: string;
  provider: string;
  url: string;
  contentType: string;
  size: number | null;
  createdAt: string;
}

export interface CallsTable {
  interactionId: string;
  tenantId: string;
  agentEndpoint: string;
  callerId: string;
  muted: number;
  answeredAt: string | null;
  consentVia: string | null;
  consentAt: string | null;
  refs: string;
  /** Set once, by the one answer webhook that dials the agent (never by `update`). */
  agentDialledAt: string | null;
  /** JSON `[{ provider, error, code }]` of a call that failed over (migration 022); null: none. */
  attempts: string | null;
  /** JSON `{ provider, code, message }`: why the provider failed the call (migration 022); null: it did not. */
  failure: string | null;
}

/** An append-only happening of a conversation (call steps, chat, assignment, wrap-up); `data` is JSON. */
export interface TimelineEntriesTable {
  id: string;
  tenantId: string;
  conversationId: string;
  interactionId: string | null;
  kind: string;
  at: string;
  data: string;
}

/** An agent holding at least one open socket on an instance, until `expiresAt` unless refreshed. */
export interface AgentPresenceTable {
  tenantId: string;
  agentId: string;
  instanceId: string;
  since: string;
  expiresAt: string;
}

/** A simulated MMS picture (the simulator keeps the bytes; providers keep theirs). */
export interface SimulatorMediaTable {
  id: string;
  tenantId: string;
  contentType: string;
  size: number;
  data: Buffer;
  createdAt: string;
}

/** Where an agent's calls ring and whether they are away (migration 013). */
export interface AgentProfilesTable {
  tenantId: string;
  agentId: string;
  endpoint: string | null;
  awaySince: string | null;
  updatedAt: string;
}

/** To whom an inbound call is offered (null: the queue) and who answered it (migration 013). */
export interface InboundCallsTable {
  interactionId: string;
  tenantId: string;
  offeredTo: string | null;
  offeredAt: string;
  answeredBy: string | null;
  answeredAt: string | null;
}

/** A party of a call (src/calls/participants); `role`, `state`, `mode` and `reason` are the domain's unions. */
export interface CallParticipantsTable {
  id: string;
  tenantId: string;
  callId: string;
  role: string;
  endpoint: string;
  state: string;
  mode: string;
  ref: string;
  reason: string | null;
  addedBy: string | null;
  joinedAt: string | null;
  leftAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** An agent added to a conversation beside its own agent (conversations/agents). */
export interface ConversationAgentsTable {
  tenantId: string;
  conversationId: string;
  agentId: string;
  addedBy: string;
  addedAt: string;
}

/** A call recording (media/): live while `recording`/`paused`, then a file in the recording storage. */
export interface RecordingsTable {
  id: string;
  tenantId: string;
  callId: string;
  conversationId: string;
  provider: string;
  providerRef: string | null;
  state: string;
  pauseBehavior: string;
  startedBy: string | null;
  storageKey: string | null;
  contentType: string | null;
  size: number | null;
  durationMs: number | null;
  channels: number | null;
  startedAt: string;
  endedAt: string | null;
  availableAt: string | null;
  deletedAt: string | null;
  updatedAt: string;
}

/** A caller's request to be called back (migration 019; callbacks/domain/callback-task.ts). */
export interface CallbackTasksTable {
  id: string;
  tenantId: string;
  conversationId: string;
  contactId: string;
  callId: string;
  number: string;
  state: string;
  agentId: string | null;
  dialedCallId: string | null;
  closedBy: string | null;
  requestedAt: string;
  assignedAt: string | null;
  closedAt: string | null;
  updatedAt: string;
}

export interface Database {
  tenants: TenantsTable;
  tenantNumbers: TenantNumbersTable;
  tenantSettings: TenantSettingsTable;
  apiKeys: ApiKeysTable;
  tenantProviderCredentials: TenantProviderCredentialsTable;
  contacts: ContactsTable;
  conversations: ConversationsTable;
  interactions: InteractionsTable;
  events: EventsTable;
  eventLogPosition: EventLogPositionTable;
  idempotencyKeys: IdempotencyKeysTable;
  messages: MessagesTable;
  attachments: AttachmentsTable;
  calls: CallsTable;
  timelineEntries: TimelineEntriesTable;
  agentPresence: AgentPresenceTable;
  simulatorMedia: SimulatorMediaTable;
  recordings: RecordingsTable;
  callParticipants: CallParticipantsTable;
  conversationAgents: ConversationAgentsTable;
  agentProfiles: AgentProfilesTable;
  inboundCalls: InboundCallsTable;
  callbackTasks: CallbackTasksTable;
}

