import { Kysely, sql } from 'kysely';

/**
 * Call recordings (issue #17): one row per recording of a call, from the command that starts it
 * to the file being available (or deleted, which keeps the row and forgets the file). The file
 * itself lives in the recording storage (RECORDINGS_DIR by default), named by `storage_key`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('recordings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_ref', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('pause_behavior', 'text', (c) => c.notNull())
    .addColumn('started_by', 'text')
    .addColumn('storage_key', 'text')
    .addColumn('content_type', 'text')
    .addColumn('size', 'integer')
    .addColumn('duration_ms', 'integer')
    .addColumn('channels', 'integer')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('available_at', 'text')
    .addColumn('deleted_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // At most one live (recording or paused) recording per call, whatever races the API sees.
  await db.schema
    .createIndex('recordings_one_live_per_call_uq')
    .on('recordings')
    .column('call_id')
    .unique()
    .where(sql<boolean>`state in ('recording', 'paused')`)
    .execute();
  await db.schema.createIndex('recordings_call_idx').on('recordings').columns(['tenant_id', 'call_id']).execute();
  // The retention sweep reads the oldest available recordings first.
  await db.schema.createIndex('recordings_available_idx').on('recordings').columns(['state', 'available_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recordings').execute();
}
