import { Kysely, sql } from 'kysely';
import { newId } from '../../common/ids';

/**
 * Discrete happenings of a conversation that no other row keeps: a call held, resumed, muted,
 * unmuted, DTMF sent, transferred; a chat linked or ended; an assignment change; a wrap-up. The
 * rows only ever grow (append-only): the timeline merges them with the interactions, messages and
 * calls rows, which already keep the state of each message and call.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('timeline_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('interaction_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('timeline_entries_conversation_idx').on('timeline_entries')
    .columns(['tenant_id', 'conversation_id', 'at']).execute();

  // Single-word aliases: the result is read the same with or without the camel-case plugin.
  const chats = await sql<{ id: string; tenant: string; conversation: string; ended: string; reason: string | null; session: string | null }>`
    select id, tenant_id as tenant, conversation_id as conversation, ended_at as ended, end_reason as reason, provider_ref as session
    from interactions where channel = 'chat' and ended_at is not null order by ended_at, id`.execute(db);
  for (const c of chats.rows) {
    await append(db, c.tenant, c.conversation, c.id, 'chat_ended', c.ended, { sessionId: c.session, endReason: c.reason });
  }
  const closed = await sql<{ id: string; tenant: string; closed: string; disposition: string | null; notes: string | null; agent: string | null }>`
    select id, tenant_id as tenant, closed_at as closed, disposition, notes, agent_id as agent
    from conversations where closed_at is not null order by closed_at, id`.execute(db);
  for (const c of closed.rows) {
    await append(db, c.tenant, c.id, null, 'wrapped_up', c.closed, { disposition: c.disposition, notes: c.notes, agentId: c.agent });
  }
}

async function append(db: Kysely<unknown>, tenant: string, conversation: string, interaction: string | null, kind: string, at: string, data: object): Promise<void> {
  await sql`insert into timeline_entries (id, tenant_id, conversation_id, interaction_id, kind, at, data)
    values (${newId()}, ${tenant}, ${conversation}, ${interaction}, ${kind}, ${at}, ${JSON.stringify(data)})`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('timeline_entries').execute();
}
