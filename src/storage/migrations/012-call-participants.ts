import { Kysely } from 'kysely';

/**
 * The parties of a call beyond its two legs (consulted colleagues, added parties, supervisors),
 * and the call's own customer and agent once one of those changed them. One row per party and
 * call, updated as its leg rings, connects, holds, changes mode and leaves.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('call_participants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('call_id', 'text', (c) => c.notNull().references('interactions.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('added_by', 'text')
    .addColumn('joined_at', 'text')
    .addColumn('left_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('call_participants_call_idx').on('call_participants').columns(['tenant_id', 'call_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('call_participants').execute();
}
