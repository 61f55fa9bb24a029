import { Kysely, sql } from 'kysely';

/** Voice calls: what a call interaction needs beyond the interaction itself. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('calls')
    .addColumn('interaction_id', 'text', (c) => c.primaryKey().references('interactions.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('agent_endpoint', 'text', (c) => c.notNull())
    .addColumn('caller_id', 'text', (c) => c.notNull())
    .addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('answered_at', 'text')
    .addColumn('consent_via', 'text')
    .addColumn('consent_at', 'text')
    .addColumn('refs', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  // At most one live call per conversation, whatever races the API sees.
  await db.schema
    .createIndex('interactions_one_live_call_uq')
    .on('interactions')
    .column('conversation_id')
    .unique()
    .where(sql.ref('channel'), '=', 'voice')
    .where(sql.ref('ended_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('interactions_one_live_call_uq').execute();
  await db.schema.dropTable('calls').execute();
}
