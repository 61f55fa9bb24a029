import { PostgresAdapter, sql, type Selectable } from 'kysely';
import { allColumns, FixedQuery } from '../storage/fixed-query';
import type { Contact } from '../contacts/domain/contact';
import type { ContactsTable, ConversationsTable, InteractionsTable } from '../storage/schema';
import type { Executor } from '../storage/store';
import type { Channel, Conversation, ConversationStatus, Direction, Interaction } from './domain/conversation';

export interface ConversationFilter {
  status?: ConversationStatus;
  contactId?: string;
  /** An agent's conversations (assigned to them, or they were added to), or (null) those nobody is assigned to. */
  agentId?: string | null;
  /** Only conversations after this one in the list's order (last activity, newest first; then id). */
  after?: { lastActivityAt: string; id: string };
  limit: number;
}

/** A change of a conversation's agent, applied only if the agent is still `from` (null: nobody). */
export interface AgentChange {
  from: string | null;
  to: string | null;
  at: string;
}

const CONVERSATION_COLUMNS: Record<keyof ConversationsTable, true> = {
  id: true, tenantId: true, contactId: true, status: true, agentId: true, context: true, disposition: true, notes: true,
  createdAt: true, updatedAt: true, closedAt: true, lastActivityAt: true, queuedAt: true, unattendedAlertedAt: true,
};
const INTERACTION_COLUMNS: Record<keyof InteractionsTable, true> = {
  id: true, tenantId: true, conversationId: true, channel: true, direction: true, state: true, provider: true, providerRef: true,
  fromAddr: true, toAddr: true, origin: true, endReason: true, startedAt: true, endedAt: true, updatedAt: true,
};

/** What an inbound message or call asks first (conversations/sender-facts.ts). */
export interface InboundFacts {
  /** The interaction already stored under the provider's reference: a retry. */
  seen?: { id: string; conversationId: string };
  /** The tenant's contact with the sender's number. */
  contact?: Contact;
  /** That contact's newest conversation that is not closed. */
  open?: Conversation;
}

const CONTACT_COLUMNS: Record<keyof ContactsTable, true> = {
  id: true, tenantId: true, name: true, phone: true, email: true, externalId: true, optedOutAt: true, createdAt: true, updatedAt: true,
};
const snake = (column: string) => column.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** `c.tenant_id as c_tenant_id, …`: a joined row's columns under the table alias (they come back as `cTenantId`, …). */
const aliased = (alias: string, columns: Record<string, true>) =>
  Object.keys(columns).map((c) => `${alias}.${snake(c)} as ${alias}_${snake(c)}`).join(', ');
/**
 * Reads the columns of one alias out of a joined row (`cTenantId` → `tenantId`), or undefined when
 * the join found none. The row's keys are worked out once, not built for every column of every row.
 */
function unaliasing<T>(alias: string, columns: Record<keyof T, true>): (row: Record<string, unknown>) => T | undefined {
  const keys = Object.keys(columns).map((column) => [column, alias + column[0]!.toUpperCase() + column.slice(1)] as const);
  const id = `${alias}Id`;
  return (row) => {
    if (row[id] === null || row[id] === undefined) return undefined;
    const out: Record<string, unknown> = {};
    for (const [column, key] of keys) out[column] = row[key];
    return out as T;
  };
}

/**
 * Retry check, sender's contact and their open conversation in one statement (PostgreSQL: three
 * round trips before). A one-row source left-joined, so every part may be missing; the open
 * conversation is picked by id like `openOfContact` below, in a LATERAL subquery: the statement is
 * prepared once per connection and PostgreSQL may keep a plan made while the tables were nearly
 * empty — joined on `v.id = (subquery)` that plan hashed the whole conversations table on every
 * inbound message (seen on the SMS bench); a lateral subquery can only be an index lookup per contact.
 */
const inboundFacts = new FixedQuery((db, p: { tenantId: string; channel: string; providerRef: string; phone: string }) => {
  const query = sql<Record<string, unknown>>`select s.id as seen_id, s.conversation_id as seen_conversation_id,
      ${sql.raw(aliased('c', CONTACT_COLUMNS))}, ${sql.raw(aliased('v', CONVERSATION_COLUMNS))}
    from (select 1 as one) as one
    left join interactions s on s.tenant_id = ${p.tenantId} and s.channel = ${p.channel} and s.provider_ref = ${p.providerRef}
    left join contacts c on c.tenant_id = ${p.tenantId} and c.phone = ${p.phone}
    left join lateral (select * from conversations o
      where o.tenant_id = c.tenant_id and o.contact_id = c.id and o.status <> 'closed' order by o.id desc limit 1) v on true`;
  return { compile: () => query.compile(db) };
});
const contactInFacts = unaliasing<ContactsTable>('c', CONTACT_COLUMNS);
const openInFacts = unaliasing<ConversationsTable>('v', CONVERSATION_COLUMNS);

// The queries every inbound message or call step runs, compiled once (storage/fixed-query.ts); on
// PostgreSQL the inserts ride with the transaction's next statement (storage/write-behind.ts).
const insertConversation = new FixedQuery((db, row: ConversationsTable) =>
  db.insertInto('conversations').values(allColumns(row, CONVERSATION_COLUMNS)), 'defer');
const touchConversation = new FixedQuery((db, p: { tenantId: string; id: string; at: string }) =>
  db.updateTable('conversations').set({ lastActivityAt: p.at, updatedAt: p.at }).where('tenantId', '=', p.tenantId).where('id', '=', p.id));
const latestOfContact = new FixedQuery((db, p: { tenantId: string; contactId: string }) =>
  db.selectFrom('conversations').selectAll()
    .where('tenantId', '=', p.tenantId).where('contactId', '=', p.contactId)
    .orderBy('lastActivityAt', 'desc').orderBy('id', 'desc').limit(sql.lit(1)));
const openOfContact = new FixedQuery((db, p: { tenantId: string; contactId: string }) =>
  db.selectFrom('conversations').selectAll()
    .where('tenantId', '=', p.tenantId).where('contactId', '=', p.contactId).where('status', '!=', 'closed')
    // A literal limit: SQLite reads this query about three times faster than with `limit ?`.
    .orderBy('id', 'desc').limit(sql.lit(1)));
const interactionByRef = new FixedQuery((db, p: { tenantId: string; channel: string; providerRef: string }) =>
  db.selectFrom('interactions').selectAll()
    .where('tenantId', '=', p.tenantId).where('channel', '=', p.channel).where('providerRef', '=', p.providerRef));
/**
 * Every POST /v1/conversations with a chat asks this first. A subquery, not a join: on SQLite the
 * join form measured ~17-20 µs per run against ~1.7 µs (no match, the usual case) for this one.
 */
const conversationByInteractionRef = new FixedQuery((db, p: { tenantId: string; channel: string; providerRef: string }) =>
  db.selectFrom('conversations').selectAll().where('id', '=', (eb) => eb.selectFrom('interactions').select('interactions.conversationId')
    .where('interactions.tenantId', '=', p.tenantId).where('interactions.channel', '=', p.channel)
    .where('interactions.providerRef', '=', p.providerRef)));
const insertInteraction = new FixedQuery((db, row: InteractionsTable) =>
  db.insertInto('interactions').values(allColumns(row, INTERACTION_COLUMNS)), 'defer');
/** PostgreSQL only (SQLite has no writing CTE): the touch of the conversation rides along, one round trip instead of two. */
const insertInteractionTouching = new FixedQuery((db, row: InteractionsTable & { at: string }) =>
  db.with('touched', (w) => w.updateTable('conversations').set({ lastActivityAt: row.at, updatedAt: row.at })
    .where('tenantId', '=', row.tenantId).where('id', '=', row.conversationId))
    .insertInto('interactions').values(allColumns<InteractionsTable>(row, INTERACTION_COLUMNS)), 'defer');

export class ConversationsRepository {
  private readonly postgres: boolean;

  constructor(private readonly db: Executor) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async findById(tenantId: string, id: string): Promise<Conversation | undefined> {
    const row = await this.db
      .selectFrom('conversations').selectAll()
      .where('tenantId', '=', tenantId).where('id', '=', id)
      .executeTakeFirst();
    return row && toConversation(row);
  }

  async findByInteractionRef(tenantId: string, channel: Channel, providerRef: string): Promise<Conversation | undefined> {
    const row = await conversationByInteractionRef.first(this.db, { tenantId, channel, providerRef });
    return row && toConversation(row);
  }

  /** Most recently active first (ties: newest id first). */
  async list(tenantId: string, filter: ConversationFilter): Promise<Conversation[]> {
    let query = this.db.selectFrom('conversations').selectAll().where('tenantId', '=', tenantId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.contactId) query = query.where('contactId', '=', filter.contactId);
    if (filter.agentId === null) query = query.where('agentId', 'is', null);
    else if (filter.agentId) {
      // An agent's inbox: the conversations assigned to them and those they were added to.
      const agentId = filter.agentId;
      query = query.where((eb) => eb.or([
        eb('agentId', '=', agentId),
        eb('id', 'in', eb.selectFrom('conversationAgents').select('conversationAgents.conversationId')
          .where('conversationAgents.tenantId', '=', tenantId).where('conversationAgents.agentId', '=', agentId)),
      ]));
    }
    const after = filter.after;
    if (after) {
      query = query.where((eb) => eb.or([
        eb('lastActivityAt', '<', after.lastActivityAt),
        eb.and([eb('lastActivityAt', '=', after.lastActivityAt), eb('id', '<', after.id)]),
      ]));
    }
    const rows = await query.orderBy('lastActivityAt', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map(toConversation);
  }

  async insert(conversation: Conversation): Promise<void> {
    const queuedAt = conversation.agentId === null ? conversation.createdAt : null;
    await insertConversation.execute(this.db, Object.assign(fromConversation(conversation), { queuedAt, unattendedAlertedAt: null }));
  }

  /** Stores a transition's result. The agent is left alone: it changes only through `changeAgent`, which is race-safe. */
  async update(conversation: Conversation): Promise<void> {
    const { id, tenantId, agentId: _agentId, ...rest } = fromConversation(conversation);
    await this.db.updateTable('conversations').set(rest).where('tenantId', '=', tenantId).where('id', '=', id).execute();
  }

  /** Something happened in the conversation (a message, a call step): lists surface it. */
  async touch(tenantId: string, id: string, at: string): Promise<void> {
    await touchConversation.execute(this.db, { tenantId, id, at });
  }

  /**
   * Gives the conversation to `change.to` (null: back to the queue) if it is not closed and its
   * agent is still `change.from`. A conditional update, atomic on SQLite and PostgreSQL: of many
   * racing claims exactly one changes the row; the others get false.
   */
  async changeAgent(tenantId: string, id: string, change: AgentChange): Promise<boolean> {
    const { from, to, at } = change;
    let query = this.db.updateTable('conversations')
      .set({ agentId: to, queuedAt: to === null ? at : null, unattendedAlertedAt: null, lastActivityAt: at, updatedAt: at })
      .where('tenantId', '=', tenantId).where('id', '=', id).where('status', '!=', 'closed');
    query = from === null ? query.where('agentId', 'is', null) : query.where('agentId', '=', from);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The contact's most recently active conversation, whatever its state. */
  async latestOfContact(tenantId: string, contactId: string): Promise<Conversation | undefined> {
    const row = await latestOfContact.first(this.db, { tenantId, contactId });
    return row && toConversation(row);
  }

  /** Open conversations with no agent since `queuedBefore` or earlier, not yet alerted about. */
  async unattended(tenantId: string, queuedBefore: string, limit: number): Promise<Array<{ id: string; queuedAt: string }>> {
    const rows = await this.db
      .selectFrom('conversations').select(['id', 'queuedAt'])
      .where('tenantId', '=', tenantId).where('queuedAt', '<=', queuedBefore)
      .where('agentId', 'is', null).where('unattendedAlertedAt', 'is', null).where('status', '!=', 'closed')
      .orderBy('queuedAt').limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, queuedAt: r.queuedAt! }));
  }

  /** Claims the unattended alert of the conversation's stay in the queue: true for one caller only. */
  async claimUnattendedAlert(tenantId: string, id: string, queuedBefore: string, at: string): Promise<boolean> {
    const result = await this.db.updateTable('conversations').set({ unattendedAlertedAt: at })
      .where('tenantId', '=', tenantId).where('id', '=', id).where('queuedAt', '<=', queuedBefore)
      .where('agentId', 'is', null).where('unattendedAlertedAt', 'is', null).where('status', '!=', 'closed')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Whether `providerRef` is stored already, the contact with this phone number and their open
   * conversation, in one statement where that is the faster way (PostgreSQL: one round trip for
   * three). Undefined on SQLite, where the three indexed lookups measured faster than the joined
   * form (24 against 56 µs on 50,000 interactions) and cost no round trip: the caller looks them up.
   */
  async joinedInboundFacts(tenantId: string, channel: Channel, providerRef: string, phone: string): Promise<InboundFacts | undefined> {
    if (!this.postgres) return undefined;
    const row = await inboundFacts.first(this.db, { tenantId, channel, providerRef, phone });
    if (!row) return {};
    const conversation = openInFacts(row);
    return {
      ...(row.seenId ? { seen: { id: row.seenId as string, conversationId: row.seenConversationId as string } } : {}),
      ...withDefined('contact', contactInFacts(row)),
      ...withDefined('open', conversation && toConversation(conversation)),
    };
  }

  /** The tenant's newest conversation of the contact that is not closed. */
  async findOpenOfContact(tenantId: string, contactId: string): Promise<Conversation | undefined> {
    const row = await openOfContact.first(this.db, { tenantId, contactId });
    return row && toConversation(row);
  }

  /**
   * An interaction found by our id or the provider's reference, whatever its tenant: provider
   * callbacks are authenticated by signature and name no tenant.
   */
  async findInteractionForCallback(channel: Channel, id: string | undefined, providerRef: string | undefined): Promise<{ tenantId: string; interaction: Interaction } | undefined> {
    if (!id && !providerRef) return undefined;
    let query = this.db.selectFrom('interactions').selectAll().where('channel', '=', channel);
    query = id ? query.where('id', '=', id) : query.where('providerRef', '=', providerRef!);
    const row = await query.executeTakeFirst();
    return row && { tenantId: row.tenantId, interaction: toInteraction(row) };
  }

  async findInteraction(tenantId: string, id: string): Promise<Interaction | undefined> {
    const row = await this.db.selectFrom('interactions').selectAll().where('tenantId', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return row && toInteraction(row);
  }

  async findInteractionByRef(tenantId: string, channel: Channel, providerRef: string): Promise<Interaction | undefined> {
    const row = await interactionByRef.first(this.db, { tenantId, channel, providerRef });
    return row && toInteraction(row);
  }

  async interactionsOf(tenantId: string, conversationIds: string[]): Promise<Interaction[]> {
    if (conversationIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('interactions').selectAll()
      .where('tenantId', '=', tenantId).where('conversationId', 'in', conversationIds)
      .orderBy('id')
      .execute();
    return rows.map(toInteraction);
  }

  /** Stores the interaction; with `touch`, also touches its conversation (as `touch` does) at that time. */
  async insertInteraction(tenantId: string, interaction: Interaction, touch?: { at: string }): Promise<void> {
    const row = { tenantId, ...fromInteraction(interaction) };
    if (touch && this.postgres) return void (await insertInteractionTouching.execute(this.db, { ...row, at: touch.at }));
    if (touch) await this.touch(tenantId, interaction.conversationId, touch.at);
    await insertInteraction.execute(this.db, row);
  }

  async updateInteraction(tenantId: string, interaction: Interaction): Promise<void> {
    const { id, ...rest } = fromInteraction(interaction);
    await this.db.updateTable('interactions').set(rest).where('tenantId', '=', tenantId).where('id', '=', id).execute();
  }
}

const withDefined = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : { [key]: value } as Record<K, V>);

// The four mappers below name every field rather than use rest and spread: a rest pattern and a
// spread followed by more fields took V8 ~4 µs per object here (a slow path; the named form ~0.6),
// and fromInteraction alone was 2% of the gateway's CPU on an inbound message. Naming them also
// keeps a field added to a row or a domain object from passing through unnoticed.
function toConversation(row: Selectable<ConversationsTable>): Conversation {
  // Queue bookkeeping (queuedAt, unattendedAlertedAt) stays in the store: written back from a stale read it could undo a claim.
  return {
    id: row.id, tenantId: row.tenantId, contactId: row.contactId, status: row.status as ConversationStatus, agentId: row.agentId,
    context: row.context === null ? null : (JSON.parse(row.context) as Record<string, unknown>),
    disposition: row.disposition, notes: row.notes, createdAt: row.createdAt, updatedAt: row.updatedAt, closedAt: row.closedAt,
    lastActivityAt: row.lastActivityAt,
  };
}

function fromConversation(c: Conversation): Omit<ConversationsTable, 'queuedAt' | 'unattendedAlertedAt'> {
  return {
    id: c.id, tenantId: c.tenantId, contactId: c.contactId, status: c.status, agentId: c.agentId,
    context: c.context === null ? null : JSON.stringify(c.context),
    disposition: c.disposition, notes: c.notes, createdAt: c.createdAt, updatedAt: c.updatedAt, closedAt: c.closedAt,
    lastActivityAt: c.lastActivityAt,
  };
}

function toInteraction(row: Selectable<InteractionsTable>): Interaction {
  return {
    id: row.id, conversationId: row.conversationId, channel: row.channel as Channel, direction: row.direction as Direction, state: row.state,
    provider: row.provider, providerRef: row.providerRef, from: row.fromAddr, to: row.toAddr, origin: row.origin, endReason: row.endReason,
    startedAt: row.startedAt, endedAt: row.endedAt, updatedAt: row.updatedAt,
  };
}

function fromInteraction(i: Interaction): Omit<InteractionsTable, 'tenantId'> {
  return {
    id: i.id, conversationId: i.conversationId, channel: i.channel, direction: i.direction, state: i.state,
    provider: i.provider, providerRef: i.providerRef, fromAddr: i.from, toAddr: i.to, origin: i.origin, endReason: i.endReason,
    startedAt: i.startedAt, endedAt: i.endedAt, updatedAt: i.updatedAt,
  };
}
