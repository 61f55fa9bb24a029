import type { CallDetails } from '../../src/calls/domain/call';
import type { Participant } from '../../src/calls/participants/domain/participant';
import { newId } from '../../src/common/ids';
import type { Contact } from '../../src/contacts/domain/contact';
import type { Conversation, Interaction } from '../../src/conversations/domain/conversation';
import type { TimelineEntry } from '../../src/conversations/timeline/timeline.repository';
import type { IdempotencyRecord } from '../../src/idempotency/idempotency.repository';
import type { Attachment, MessageContent } from '../../src/messaging/domain/message';
import type { StoredMedia } from '../../src/messaging/simulator-media.repository';
import type { Recording } from '../../src/media/domain/recording';
import type { AgentPresence } from '../../src/routing/presence.repository';
import type { AgentProfileRow } from '../../src/agents/agents.repository';
import type { InboundCallRow } from '../../src/calls/inbound/inbound-calls.repository';
import type { CallbackState, CallbackTask } from '../../src/callbacks/domain/callback-task';
import type { AddedAgent } from '../../src/conversations/agents/conversation-agents.repository';
import {
  UnitOfWork, type AgentsStore, type ApiKeysStore, type ProviderCredentialsStore, type InboundCallsStore, type CallbackTasksStore, type CallsStore, type ContactsStore, type ConversationsStore, type ConversationAgentsStore, type IdempotencyStore, type MessagesStore,
  type ParticipantsStore, type PresenceStore, type RecordingsStore, type Repositories, type SimulatorMediaStore, type TenantsStore, type TimelineStore, type Work,
} from '../../src/unit-of-work/unit-of-work';

/**
 * An in-memory unit of work for unit tests of services: Map-backed repositories that keep the
 * constraints the services rely on (one live call per conversation, one provider reference per
 * tenant and channel, unique contact keys), a `run` that is rolled back when its work throws, and
 * the events of committed units only. It stands in for the queries, not for SQL: the repositories'
 * own integration tests keep proving those.
 */

/** An event as committed: what the service emitted, with its tenant and time. */
export interface EmittedEvent {
  tenantId: string;
  at: string;
  type: string;
  conversationId: string | null;
  interactionId?: string | null;
  agentId?: string | null;
  data: Record<string, unknown>;
}

type ConversationRow = Conversation & { queuedAt: string | null; unattendedAlertedAt: string | null };
type InteractionRow = Interaction & { tenantId: string };
type CallRow = CallDetails & { tenantId: string; agentDialledAt: string | null };
type Tenanted<T> = T & { tenantId: string };
interface PresenceRow { tenantId: string; agentId: string; instanceId: string; since: string; expiresAt: string }

interface State {
  tenants: Map<string, { id: string; name: string; defaultRegion: string; numbers: string[] }>;
  contacts: Map<string, Contact>;
  conversations: Map<string, ConversationRow>;
  interactions: Map<string, InteractionRow>;
  calls: Map<string, CallRow>;
  messages: Map<string, Tenanted<MessageContent>>;
  attachments: Map<string, Tenanted<Attachment>>;
  timeline: Array<Tenanted<TimelineEntry>>;
  presence: PresenceRow[];
  idempotency: Map<string, IdempotencyRecord>;
  media: Map<string, StoredMedia>;
  recordings: Map<string, Recording>;
  participants: Map<string, Tenanted<Participant> & { createdAt: string }>;
  agents: Map<string, Tenanted<AgentProfileRow>>;
  inboundCalls: Map<string, InboundCallRow>;
  callbackTasks: Map<string, CallbackTask>;
  conversationAgents: Array<Tenanted<AddedAgent>>;
}

function emptyState(): State {
  return {
    tenants: new Map(), contacts: new Map(), conversations: new Map(), interactions: new Map(), calls: new Map(),
    messages: new Map(), attachments: new Map(), timeline: [], presence: [], idempotency: new Map(), media: new Map(), recordings: new Map(), participants: new Map(),
    agents: new Map(), inboundCalls: new Map(), callbackTasks: new Map(), conversationAgents: [],
  };
}

/** What a driver throws on a unique index (the services recognise it with isUniqueViolation). */
export class UniqueViolation extends Error {
  readonly code = 'SQLITE_CONSTRAINT_UNIQUE';
}

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryUnitOfWork extends UnitOfWork {
  /** The rows, for a test to arrange and inspect. */
  readonly state: State = emptyState();
  /** Every event of every committed unit, in commit order. */
  readonly events: EmittedEvent[] = [];
  /** How many units were run, how many committed. */
  runs = 0;
  commits = 0;
  readonly direct: Repositories = memoryRepositories(this.state);

  async run<T>(work: (w: Work) => Promise<T>): Promise<T> {
    this.runs += 1;
    const before = copy(this.state);
    const pending: EmittedEvent[] = [];
    const emit = (async (tenantId: string, events: ReadonlyArray<Omit<EmittedEvent, 'tenantId' | 'at'>>, at: string) => {
      const stored = events.map((e, i) => ({ ...copy(e), tenantId, at, id: newId(), seq: this.events.length + pending.length + i + 1 }));
      pending.push(...stored.map(({ id: _id, seq: _seq, ...e }) => e as EmittedEvent));
      return stored;
    }) as unknown as Work['emit'];
    try {
      const result = await work({ ...memoryRepositories(this.state), emit });
      this.events.push(...pending);
      this.commits += 1;
      return result;
    } catch (error) {
      Object.assign(this.state, before);
      throw error;
    }
  }

  snapshot<T>(read: (r: Repositories) => Promise<T>): Promise<T> {
    return read(this.direct);
  }

  /** The committed events of these types (all when none given). */
  emitted(...types: string[]): EmittedEvent[] {
    return types.length === 0 ? this.events : this.events.filter((e) => types.includes(e.type));
  }
}

export function memoryUnitOfWork(): MemoryUnitOfWork {
  return new MemoryUnitOfWork();
}

/** A stored contact, for arranging tests. */
export function aContact(overrides: Partial<Contact> = {}): Contact {
  const at = '2026-01-01T00:00:00.000Z';
  return { id: newId(), tenantId: 'acme', name: null, phone: '+14155550100', email: null, externalId: null, optedOutAt: null, createdAt: at, updatedAt: at, ...overrides };
}

/** A stored conversation, for arranging tests. */
export function aConversation(contact: Contact, overrides: Partial<Conversation> = {}): Conversation {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    id: newId(), tenantId: contact.tenantId, contactId: contact.id, status: 'active', agentId: 'alice', context: null,
    disposition: null, notes: null, createdAt: at, updatedAt: at, closedAt: null, lastActivityAt: at, ...overrides,
  };
}

function memoryRepositories(s: State): Repositories {
  return {
    calls: calls(s), contacts: contacts(s), conversations: conversations(s), messages: messages(s), timeline: timeline(s),
    presence: presence(s), tenants: tenants(s), idempotency: idempotency(s), simulatorMedia: simulatorMedia(s), recordings: recordings(s), participants: participants(s),
    agents: agents(s), inboundCalls: inboundCalls(s), callbackTasks: callbackTasks(s), conversationAgents: conversationAgents(s), ...tenantAccess(s),
  };
}

function toConversation(row: ConversationRow): Conversation {
  const { queuedAt: _q, unattendedAlertedAt: _u, ...conversation } = copy(row);
  return conversation;
}

function toInteraction(row: InteractionRow): Interaction {
  const { tenantId: _t, ...interaction } = copy(row);
  return interaction;
}

function newestFirst(a: Conversation, b: Conversation): number {
  return b.lastActivityAt.localeCompare(a.lastActivityAt) || b.id.localeCompare(a.id);
}

function conversations(s: State): ConversationsStore {
  const ofTenant = (tenantId: string) => [...s.conversations.values()].filter((c) => c.tenantId === tenantId);
  const store: ConversationsStore = {
    async findById(tenantId, id) {
      const row = s.conversations.get(id);
      return row && row.tenantId === tenantId ? toConversation(row) : undefined;
    },
    async findByInteractionRef(tenantId, channel, providerRef) {
      const i = [...s.interactions.values()].find((r) => r.tenantId === tenantId && r.channel === channel && r.providerRef === providerRef);
      return i && toConversation(s.conversations.get(i.conversationId)!);
    },
    async list(tenantId, filter) {
      return ofTenant(tenantId)
        .filter((c) => (!filter.status || c.status === filter.status) && (!filter.contactId || c.contactId === filter.contactId))
        .filter((c) => filter.agentId === undefined || c.agentId === filter.agentId
          || (filter.agentId !== null && s.conversationAgents.some((r) => r.tenantId === tenantId && r.conversationId === c.id && r.agentId === filter.agentId)))
        .filter((c) => !filter.after || newestFirst(c, filter.after as Conversation) > 0)
        .sort(newestFirst).slice(0, filter.limit).map(toConversation);
    },
    async insert(conversation) {
      s.conversations.set(conversation.id, { ...copy(conversation), queuedAt: conversation.agentId === null ? conversation.createdAt : null, unattendedAlertedAt: null });
    },
    async update(conversation) {
      const row = s.conversations.get(conversation.id);
      if (row?.tenantId === conversation.tenantId) Object.assign(row, copy(conversation), { agentId: row.agentId });
    },
    async touch(tenantId, id, at) {
      const row = s.conversations.get(id);
      if (row?.tenantId === tenantId) Object.assign(row, { lastActivityAt: at, updatedAt: at });
    },
    async changeAgent(tenantId, id, { from, to, at }) {
      const row = s.conversations.get(id);
      if (!row || row.tenantId !== tenantId || row.status === 'closed' || row.agentId !== from) return false;
      Object.assign(row, { agentId: to, queuedAt: to === null ? at : null, unattendedAlertedAt: null, lastActivityAt: at, updatedAt: at });
      return true;
    },
    async latestOfContact(tenantId, contactId) {
      const row = ofTenant(tenantId).filter((c) => c.contactId === contactId).sort(newestFirst)[0];
      return row && toConversation(row);
    },
    async unattended(tenantId, queuedBefore, limit) {
      return ofTenant(tenantId)
        .filter((c) => c.queuedAt !== null && c.queuedAt <= queuedBefore && c.agentId === null && c.unattendedAlertedAt === null && c.status !== 'closed')
        .sort((a, b) => a.queuedAt!.localeCompare(b.queuedAt!)).slice(0, limit).map((c) => ({ id: c.id, queuedAt: c.queuedAt! }));
    },
    async claimUnattendedAlert(tenantId, id, queuedBefore, at) {
      const row = s.conversations.get(id);
      if (!row || row.tenantId !== tenantId || row.queuedAt === null || row.queuedAt > queuedBefore) return false;
      if (row.agentId !== null || row.unattendedAlertedAt !== null || row.status === 'closed') return false;
      row.unattendedAlertedAt = at;
      return true;
    },
    async joinedInboundFacts() {
      return undefined; // as on SQLite: the caller looks the facts up one by one
    },
    async findOpenOfContact(tenantId, contactId) {
      const row = ofTenant(tenantId).filter((c) => c.contactId === contactId && c.status !== 'closed').sort((a, b) => b.id.localeCompare(a.id))[0];
      return row && toConversation(row);
    },
    async findInteractionForCallback(channel, id, providerRef) {
      if (!id && !providerRef) return undefined;
      const row = [...s.interactions.values()].find((i) => i.channel === channel && (id ? i.id === id : i.providerRef === providerRef));
      return row && { tenantId: row.tenantId, interaction: toInteraction(row) };
    },
    async findInteraction(tenantId, id) {
      const row = s.interactions.get(id);
      return row?.tenantId === tenantId ? toInteraction(row) : undefined;
    },
    async findInteractionByRef(tenantId, channel, providerRef) {
      const row = [...s.interactions.values()].find((i) => i.tenantId === tenantId && i.channel === channel && i.providerRef === providerRef);
      return row && toInteraction(row);
    },
    async interactionsOf(tenantId, conversationIds) {
      return [...s.interactions.values()].filter((i) => i.tenantId === tenantId && conversationIds.includes(i.conversationId))
        .sort((a, b) => a.id.localeCompare(b.id)).map(toInteraction);
    },
    async insertInteraction(tenantId, interaction, touch) {
      if (touch) await this.touch(tenantId, interaction.conversationId, touch.at);
      const row = { ...copy(interaction), tenantId };
      checkInteraction(s, row);
      s.interactions.set(row.id, row);
    },
    async updateInteraction(tenantId, interaction) {
      const row = s.interactions.get(interaction.id);
      if (row?.tenantId !== tenantId) return;
      const next = { ...copy(interaction), tenantId };
      checkInteraction(s, next);
      s.interactions.set(next.id, next);
    },
  };
  return store;
}

/** The unique indexes of `interactions`: a provider reference once per tenant and channel, one live call per conversation. */
function checkInteraction(s: State, row: InteractionRow): void {
  for (const other of s.interactions.values()) {
    if (other.id === row.id) continue;
    if (row.providerRef !== null && other.tenantId === row.tenantId && other.channel === row.channel && other.providerRef === row.providerRef) {
      throw new UniqueViolation('interactions_provider_ref_uq');
    }
    if (row.channel === 'voice' && row.endedAt === null && other.channel === 'voice' && other.endedAt === null && other.conversationId === row.conversationId) {
      throw new UniqueViolation('interactions_one_live_call_uq');
    }
  }
}

function calls(s: State): CallsStore {
  const interactions = conversations(s);
  const withDetails = (tenantId: string, interaction: Interaction) => {
    const row = s.calls.get(interaction.id);
    if (!row) return undefined;
    const { tenantId: _t, agentDialledAt: _a, ...details } = copy(row);
    return { tenantId, interaction, details };
  };
  return {
    async insert(call) {
      await interactions.insertInteraction(call.tenantId, call.interaction);
      s.calls.set(call.interaction.id, { ...copy(call.details), tenantId: call.tenantId, agentDialledAt: null });
    },
    async update(call) {
      await interactions.updateInteraction(call.tenantId, call.interaction);
      const row = s.calls.get(call.interaction.id);
      if (row) Object.assign(row, copy(call.details));
    },
    async find(tenantId, id) {
      const interaction = await interactions.findInteraction(tenantId, id);
      if (!interaction || interaction.channel !== 'voice') return undefined;
      return withDetails(tenantId, interaction);
    },
    async claimAgentDial(id, at) {
      const row = s.calls.get(id);
      if (!row || row.agentDialledAt !== null) return false;
      row.agentDialledAt = at;
      return true;
    },
    async findForCallback(id, providerRef) {
      const found = await interactions.findInteractionForCallback('voice', id, providerRef);
      return found && withDetails(found.tenantId, found.interaction);
    },
    async detailsOf(tenantId, interactionIds) {
      return new Map(interactionIds.flatMap((id) => {
        const row = s.calls.get(id);
        if (row?.tenantId !== tenantId) return [];
        const { tenantId: _t, agentDialledAt: _a, ...details } = copy(row);
        return [[id, details] as const];
      }));
    },
  };
}

function contacts(s: State): ContactsStore {
  const check = (contact: Contact) => {
    for (const other of s.contacts.values()) {
      if (other.id === contact.id || other.tenantId !== contact.tenantId) continue;
      for (const key of ['phone', 'email', 'externalId'] as const) {
        if (contact[key] !== null && other[key] === contact[key]) throw new UniqueViolation(`contacts_tenant_${key}_uq`);
      }
    }
  };
  return {
    async findById(tenantId, id) {
      const row = s.contacts.get(id);
      return row?.tenantId === tenantId ? copy(row) : undefined;
    },
    async findByIds(tenantId, ids) {
      return ids.flatMap((id) => { const row = s.contacts.get(id); return row?.tenantId === tenantId ? [copy(row)] : []; });
    },
    async findByKeys(tenantId, keys) {
      for (const column of ['externalId', 'phone', 'email'] as const) {
        const value = keys[column];
        if (!value) continue;
        const found = [...s.contacts.values()].find((c) => c.tenantId === tenantId && c[column] === value);
        if (found) return copy(found);
      }
      return undefined;
    },
    async insert(contact) {
      check(contact);
      s.contacts.set(contact.id, copy(contact));
    },
    async update(tenantId, id, changes) {
      const row = s.contacts.get(id);
      if (row?.tenantId !== tenantId) return;
      const next = { ...row, ...copy(changes) };
      check(next);
      s.contacts.set(id, next);
    },
  };
}

function messages(s: State): MessagesStore {
  const attachmentsWhere = (tenantId: string, ids: string[]) => [...s.attachments.values()]
    .filter((a) => a.tenantId === tenantId && ids.includes(a.interactionId)).sort((a, b) => a.id.localeCompare(b.id))
    .map(({ tenantId: _t, ...a }) => copy(a));
  const content = (row: Tenanted<MessageContent>): MessageContent => { const { tenantId: _t, ...c } = copy(row); return c; };
  return {
    async insert(tenantId, message) { s.messages.set(message.interactionId, { ...copy(message), tenantId }); },
    async find(tenantId, interactionId) {
      const row = s.messages.get(interactionId);
      return row?.tenantId === tenantId ? content(row) : undefined;
    },
    async setError(tenantId, interactionId, errorCode, errorMessage) {
      const row = s.messages.get(interactionId);
      if (row?.tenantId === tenantId) Object.assign(row, { errorCode, errorMessage });
    },
    async setAttempts(tenantId, interactionId, attempts) {
      const row = s.messages.get(interactionId);
      if (row?.tenantId === tenantId) row.attempts = copy(attempts);
    },
    async insertAttachments(tenantId, attachments) { for (const a of attachments) s.attachments.set(a.id, { ...copy(a), tenantId }); },
    async attachmentsOf(tenantId, interactionId) { return attachmentsWhere(tenantId, [interactionId]); },
    async contentsOf(tenantId, interactionIds) {
      return interactionIds.flatMap((id) => { const row = s.messages.get(id); return row?.tenantId === tenantId ? [content(row)] : []; });
    },
    async attachmentsOfMany(tenantId, interactionIds) { return attachmentsWhere(tenantId, interactionIds); },
    async findAttachment(tenantId, id) {
      const row = s.attachments.get(id);
      if (row?.tenantId !== tenantId) return undefined;
      const { tenantId: _t, ...a } = copy(row);
      return a;
    },
    async setAttachmentSize(tenantId, id, size) {
      const row = s.attachments.get(id);
      if (row?.tenantId === tenantId) row.size = size;
    },
  };
}

function timeline(s: State): TimelineStore {
  const entries = (tenantId: string, keep: (e: TimelineEntry) => boolean) => s.timeline
    .filter((e) => e.tenantId === tenantId && keep(e)).sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id))
    .map(({ tenantId: _t, ...e }) => copy(e));
  return {
    async append(tenantId, entry) {
      s.timeline.push({ id: newId(), tenantId, conversationId: entry.conversationId, interactionId: entry.interactionId ?? null, kind: entry.kind, at: entry.at, data: copy(entry.data) });
    },
    async ofConversation(tenantId, conversationId) { return entries(tenantId, (e) => e.conversationId === conversationId); },
    async ofInteractions(tenantId, interactionIds, kinds) {
      return entries(tenantId, (e) => e.interactionId !== null && interactionIds.includes(e.interactionId) && kinds.includes(e.kind));
    },
  };
}

function agents(s: State): AgentsStore {
  const key = (tenantId: string, agentId: string) => `${tenantId}\u0000${agentId}`;
  const upsert = (tenantId: string, agentId: string, change: Partial<AgentProfileRow>, at: string) => {
    const row = s.agents.get(key(tenantId, agentId)) ?? { tenantId, agentId, endpoint: null, awaySince: null, updatedAt: at };
    s.agents.set(key(tenantId, agentId), { ...row, ...change, updatedAt: at });
  };
  return {
    async find(tenantId, agentId) {
      const row = s.agents.get(key(tenantId, agentId));
      if (!row) return undefined;
      const { tenantId: _t, ...profile } = copy(row);
      return profile;
    },
    async setEndpoint(tenantId, agentId, endpoint, at) { upsert(tenantId, agentId, { endpoint }, at); },
    async setAway(tenantId, agentId, awaySince, at) { upsert(tenantId, agentId, { awaySince }, at); },
  };
}

function callbackTasks(s: State): CallbackTasksStore {
  const mine = (tenantId: string) => [...s.callbackTasks.values()].filter((t) => t.tenantId === tenantId);
  const inState = (tenantId: string, state: CallbackState, limit: number) => mine(tenantId).filter((t) => t.state === state)
    .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id)).slice(0, limit).map(copy);
  return {
    async insert(task) {
      if (mine(task.tenantId).some((t) => t.callId === task.callId)) throw new UniqueViolation('callback_tasks_call_uq');
      s.callbackTasks.set(task.id, copy(task));
    },
    async find(tenantId, id) { const t = s.callbackTasks.get(id); return t && t.tenantId === tenantId ? copy(t) : undefined; },
    async ofCall(tenantId, callId) { const t = mine(tenantId).find((x) => x.callId === callId); return t && copy(t); },
    async list(tenantId, filter) {
      return mine(tenantId)
        .filter((t) => !filter.states?.length || filter.states.includes(t.state))
        .filter((t) => filter.visibleTo === undefined || t.agentId === filter.visibleTo || t.state === 'pending')
        .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt) || b.id.localeCompare(a.id)).slice(0, filter.limit).map(copy);
    },
    async transition(next, read) {
      const t = s.callbackTasks.get(next.id);
      if (!t || t.tenantId !== next.tenantId || t.state !== read.state || t.agentId !== read.agentId) return false;
      s.callbackTasks.set(next.id, copy(next));
      return true;
    },
    async setDialedCall(tenantId, id, callId, at) {
      const t = s.callbackTasks.get(id);
      if (t && t.tenantId === tenantId) Object.assign(t, { dialedCallId: callId, updatedAt: at });
    },
    async pending(tenantId, limit) {
      return inState(tenantId, 'pending', limit);
    },
    async assigned(tenantId, limit) {
      return inState(tenantId, 'assigned', limit);
    },
    async holding(tenantId) {
      const counts = new Map<string, number>();
      for (const t of mine(tenantId)) if (t.state === 'assigned' && t.agentId) counts.set(t.agentId, (counts.get(t.agentId) ?? 0) + 1);
      return counts;
    },
  };
}

function inboundCalls(s: State): InboundCallsStore {
  const mine = (tenantId: string, id: string) => {
    const row = s.inboundCalls.get(id);
    return row && row.tenantId === tenantId ? row : undefined;
  };
  return {
    async insert(row) { s.inboundCalls.set(row.interactionId, copy(row)); },
    async find(tenantId, id) { const row = mine(tenantId, id); return row && copy(row); },
    async claimAnswer(tenantId, id, agentId, at) {
      const row = mine(tenantId, id);
      if (!row || row.answeredBy !== null || (row.offeredTo !== null && row.offeredTo !== agentId)) return false;
      Object.assign(row, { answeredBy: agentId, answeredAt: at, offeredTo: agentId });
      return true;
    },
    async releaseAnswer(tenantId, id, agentId, at) {
      const row = mine(tenantId, id);
      if (row?.answeredBy === agentId) Object.assign(row, { answeredBy: null, answeredAt: null, offeredTo: null, offeredAt: at });
    },
    async requeue(tenantId, id, agentId, offeredAt, at) {
      const row = mine(tenantId, id);
      if (!row || row.offeredTo !== agentId || row.offeredAt !== offeredAt || row.answeredBy !== null) return false;
      Object.assign(row, { offeredTo: null, offeredAt: at });
      return true;
    },
    async claimForVoicemail(tenantId, id, at, marker = '#voicemail') {
      const row = mine(tenantId, id);
      if (!row || row.answeredBy !== null) return false;
      Object.assign(row, { answeredBy: marker, answeredAt: at });
      return true;
    },
    async settleChoice(tenantId, id, marker, at) {
      const row = mine(tenantId, id);
      if (!row || row.answeredBy !== '#queue-choice') return false;
      Object.assign(row, { answeredBy: marker, answeredAt: at });
      return true;
    },
    async waitingSince(tenantId, providers, before, limit) {
      const startedAt = (r: InboundCallRow) => s.interactions.get(r.interactionId)?.startedAt ?? '';
      return [...s.inboundCalls.values()]
        .filter((r) => r.tenantId === tenantId && r.answeredBy === null && startedAt(r) < before
          && providers.includes(s.interactions.get(r.interactionId)?.provider ?? '')
          && ['initiating', 'ringing'].includes(s.interactions.get(r.interactionId)?.state ?? ''))
        .sort((a, b) => startedAt(a).localeCompare(startedAt(b))).slice(0, limit).map(copy);
    },
    async ringingOut(tenantId, before, limit) {
      return [...s.inboundCalls.values()]
        .filter((r) => r.tenantId === tenantId && r.offeredTo !== null && r.answeredBy === null && r.offeredAt < before
          && ['initiating', 'ringing'].includes(s.interactions.get(r.interactionId)?.state ?? ''))
        .sort((a, b) => a.offeredAt.localeCompare(b.offeredAt)).slice(0, limit).map(copy);
    },
  };
}

function presence(s: State): PresenceStore {
  const live = (now: string) => s.presence.filter((p) => p.expiresAt > now);
  return {
    async hold(instanceId, keys, expiresAt) {
      for (const k of keys) {
        const row = s.presence.find((p) => p.tenantId === k.tenantId && p.agentId === k.agentId && p.instanceId === instanceId);
        if (row) row.expiresAt = expiresAt;
        else s.presence.push({ tenantId: k.tenantId, agentId: k.agentId, instanceId, since: k.since, expiresAt });
      }
    },
    async renew(instanceId, expiresAt) {
      const mine = s.presence.filter((p) => p.instanceId === instanceId);
      for (const row of mine) row.expiresAt = expiresAt;
      return mine.length;
    },
    async drop(instanceId, key) {
      s.presence = s.presence.filter((p) => !(p.tenantId === key.tenantId && p.agentId === key.agentId && p.instanceId === instanceId));
    },
    async isOnline(key, now, except) {
      return live(now).some((p) => p.tenantId === key.tenantId && p.agentId === key.agentId && p.instanceId !== except);
    },
    async list(tenantId, now) {
      const byAgent = new Map<string, AgentPresence>();
      for (const p of live(now).filter((r) => r.tenantId === tenantId)) {
        const seen = byAgent.get(p.agentId);
        byAgent.set(p.agentId, seen
          ? { agentId: p.agentId, since: seen.since < p.since ? seen.since : p.since, instances: seen.instances + 1 }
          : { agentId: p.agentId, since: p.since, instances: 1 });
      }
      return [...byAgent.values()].sort((a, b) => a.agentId.localeCompare(b.agentId));
    },
    async expire(now) {
      const gone = s.presence.filter((p) => p.expiresAt <= now);
      s.presence = s.presence.filter((p) => p.expiresAt > now);
      return gone.map((p) => ({ tenantId: p.tenantId, agentId: p.agentId }));
    },
  };
}

function tenants(s: State): TenantsStore {
  return {
    async upsert(tenant) {
      const row = s.tenants.get(tenant.id);
      s.tenants.set(tenant.id, { ...tenant, numbers: row?.numbers ?? [] });
    },
    async replaceNumbers(tenantId, numbers) {
      for (const other of s.tenants.values()) other.numbers = other.numbers.filter((n) => !numbers.includes(n));
      s.tenants.get(tenantId)!.numbers = [...numbers];
    },
    ...tenantSettings(s),
  };
}

/** The admin API's tenant settings and number owners (migration 015), kept beside the state. */
const settingsOf = new WeakMap<State, { settings: Map<string, { version: number; document: string; updatedAt: string }>; providers: Map<string, string | null> }>();

function tenantSettings(s: State): Omit<TenantsStore, 'upsert' | 'replaceNumbers'> {
  let t = settingsOf.get(s);
  if (!t) settingsOf.set(s, (t = { settings: new Map(), providers: new Map() }));
  const { settings, providers } = t;
  const owner = (number: string) => [...s.tenants.values()].find((row) => row.numbers.includes(number))?.id;
  return {
    async insertSettings(tenantId, document, updatedAt) {
      if (settings.has(tenantId)) return false;
      settings.set(tenantId, { version: 1, document, updatedAt });
      return true;
    },
    async settingsVersions() {
      return [...settings].map(([tenantId, row]) => ({ tenantId, version: row.version }));
    },
    async settings(tenantIds) {
      return [...settings].filter(([id]) => !tenantIds || tenantIds.includes(id)).sort(([a], [b]) => a.localeCompare(b)).map(([tenantId, row]) => ({ tenantId, ...row }));
    },
    async numbers(tenantIds) {
      return [...s.tenants.values()].filter((row) => !tenantIds || tenantIds.includes(row.id))
        .flatMap((row) => row.numbers.map((number) => ({ tenantId: row.id, number, provider: providers.get(number) ?? null })))
        .sort((a, b) => a.number.localeCompare(b.number));
    },
    async updateSettings(tenantId, document, expectedVersion, updatedAt) {
      if (settings.get(tenantId)?.version !== expectedVersion) return false;
      settings.set(tenantId, { version: expectedVersion + 1, document, updatedAt });
      return true;
    },
    async bumpVersion(tenantId, updatedAt) {
      const row = settings.get(tenantId);
      if (!row) return undefined;
      settings.set(tenantId, { ...row, version: row.version + 1, updatedAt });
      return row.version + 1;
    },
    async ownerOfNumber(number) {
      return owner(number);
    },
    async putNumber(tenantId, number, provider) {
      const current = owner(number);
      if (current !== undefined && current !== tenantId) return false;
      if (current === undefined) s.tenants.get(tenantId)!.numbers.push(number);
      providers.set(number, provider);
      return true;
    },
    async deleteNumber(tenantId, number) {
      const row = s.tenants.get(tenantId);
      if (!row?.numbers.includes(number)) return false;
      row.numbers = row.numbers.filter((n) => n !== number);
      providers.delete(number);
      return true;
    },
  };
}

function idempotency(s: State): IdempotencyStore {
  const id = (tenantId: string, key: string) => JSON.stringify([tenantId, key]);
  return {
    async reserve(tenantId, key, requestHash, createdAt) {
      if (s.idempotency.has(id(tenantId, key))) return false;
      s.idempotency.set(id(tenantId, key), { requestHash, state: 'pending', statusCode: null, responseBody: null, createdAt });
      return true;
    },
    async find(tenantId, key) { const row = s.idempotency.get(id(tenantId, key)); return row && copy(row); },
    async complete(tenantId, key, statusCode, responseBody) {
      const row = s.idempotency.get(id(tenantId, key));
      if (row) Object.assign(row, { state: 'done', statusCode, responseBody });
    },
    async release(tenantId, key) { s.idempotency.delete(id(tenantId, key)); },
    async purgeBefore(cutoff) {
      const old = [...s.idempotency].filter(([, r]) => r.createdAt < cutoff);
      for (const [k] of old) s.idempotency.delete(k);
      return old.length;
    },
  };
}

function recordings(s: State): RecordingsStore {
  const mine = (tenantId: string) => [...s.recordings.values()].filter((r) => r.tenantId === tenantId);
  return {
    async insert(r) {
      const live = (x: Recording) => x.state === 'recording' || x.state === 'paused';
      if (live(r) && [...s.recordings.values()].some((x) => x.callId === r.callId && live(x))) throw new UniqueViolation('one live recording per call');
      s.recordings.set(r.id, copy(r));
    },
    async update(r) { if (s.recordings.get(r.id)?.tenantId === r.tenantId) s.recordings.set(r.id, copy(r)); },
    async find(tenantId, id) { const r = s.recordings.get(id); return r?.tenantId === tenantId ? copy(r) : undefined; },
    async findById(id) { const r = s.recordings.get(id); return r && copy(r); },
    async ofCall(tenantId, callId) { return mine(tenantId).filter((r) => r.callId === callId).sort((a, b) => a.startedAt.localeCompare(b.startedAt)).map(copy); },
    async availableBefore(tenantId, before, limit) {
      return mine(tenantId).filter((r) => r.state === 'available' && r.availableAt! < before).sort((a, b) => a.availableAt!.localeCompare(b.availableAt!)).slice(0, limit).map(copy);
    },
  };
}

function simulatorMedia(s: State): SimulatorMediaStore {
  return {
    async insert(media) { for (const m of media) s.media.set(m.id, m); },
    async find(tenantId, id) { const row = s.media.get(id); return row?.tenantId === tenantId ? row : undefined; },
    async delete(tenantId, ids) { for (const id of ids) if (s.media.get(id)?.tenantId === tenantId) s.media.delete(id); },
  };
}

function participants(s: State): ParticipantsStore {
  return {
    async ofCall(tenantId, callId) {
      return [...s.participants.values()].filter((p) => p.tenantId === tenantId && p.callId === callId)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
        .map(({ tenantId: _t, createdAt: _c, ...p }) => copy(p));
    },
    async ofCalls(tenantId, callIds) {
      return [...s.participants.values()].filter((p) => p.tenantId === tenantId && callIds.includes(p.callId))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
        .map(({ tenantId: _t, createdAt: _c, ...p }) => copy(p));
    },
    async save(tenantId, list, at) {
      for (const p of list) {
        const known = s.participants.get(p.id);
        if (known && known.tenantId !== tenantId) continue;
        s.participants.set(p.id, { ...copy(p), tenantId, createdAt: known?.createdAt ?? at });
      }
    },
  };
}

/** Tenants' API keys and provider credentials (migration 018), kept beside the state like their settings. */
const accessOf = new WeakMap<State, { keys: Map<string, Parameters<ApiKeysStore['insert']>[0]>; credentials: Map<string, Parameters<ProviderCredentialsStore['put']>[0]> }>();

function tenantAccess(s: State): { apiKeys: ApiKeysStore; providerCredentials: ProviderCredentialsStore } {
  let t = accessOf.get(s);
  if (!t) accessOf.set(s, (t = { keys: new Map(), credentials: new Map() }));
  const { keys, credentials } = t;
  return {
    apiKeys: {
      async insert(key) { keys.set(key.id, copy(key)); },
      async find(id) { const key = keys.get(id); return key && copy(key); },
      async list(tenantId) { return [...keys.values()].filter((k) => k.tenantId === tenantId).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)).map(copy); },
      async delete(tenantId, id) { return keys.get(id)?.tenantId === tenantId && keys.delete(id); },
      async touch(id, at) { const key = keys.get(id); if (key) key.lastUsedAt = at; },
    },
    providerCredentials: {
      async put(row) { credentials.set(`${row.tenantId} ${row.provider}`, copy(row)); },
      async list(tenantIds) {
        return [...credentials.values()].filter((row) => !tenantIds || tenantIds.includes(row.tenantId))
          .sort((a, b) => a.tenantId.localeCompare(b.tenantId) || a.provider.localeCompare(b.provider)).map(copy);
      },
      async delete(tenantId, provider) { return credentials.delete(`${tenantId} ${provider}`); },
    },
  };
}

function conversationAgents(s: State): ConversationAgentsStore {
  const find = (tenantId: string, conversationId: string, agentId: string) =>
    s.conversationAgents.findIndex((r) => r.tenantId === tenantId && r.conversationId === conversationId && r.agentId === agentId);
  return {
    async of(tenantId, conversationIds) {
      return s.conversationAgents.filter((r) => r.tenantId === tenantId && conversationIds.includes(r.conversationId))
        .map(({ tenantId: _t, ...row }) => ({ ...row }));
    },
    async conversationsOf(tenantId, agentId) {
      return s.conversationAgents.filter((r) => r.tenantId === tenantId && r.agentId === agentId).map((r) => r.conversationId);
    },
    async add(tenantId, row) {
      if (find(tenantId, row.conversationId, row.agentId) >= 0) return false;
      s.conversationAgents.push({ tenantId, ...row });
      return true;
    },
    async remove(tenantId, conversationId, agentId) {
      const at = find(tenantId, conversationId, agentId);
      if (at < 0) return false;
      s.conversationAgents.splice(at, 1);
      return true;
    },
  };
}
