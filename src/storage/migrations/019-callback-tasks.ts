import { Kysely } from 'kysely';

/**
 * Callback tasks (issue #15): an inbound caller whose queue wait timed out asked to be called
 * back. One row per request, from `pending` to `dialed` or `canceled` (callbacks/domain).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('callback_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('dialed_call_id', 'text')
    .addColumn('closed_by', 'text')
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('assigned_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // One callback per call, whatever a provider's replayed hook asks.
  await db.schema.createIndex('callback_tasks_call_uq').on('callback_tasks').columns(['tenant_id', 'call_id']).unique().execute();
  // The assigner reads a tenant's pending tasks oldest first; the list reads by state.
  await db.schema.createIndex('callback_tasks_state_idx').on('callback_tasks').columns(['tenant_id', 'state', 'requested_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('callback_tasks').execute();
}
