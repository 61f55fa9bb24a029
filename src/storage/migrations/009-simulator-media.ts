import { Kysely, PostgresAdapter } from 'kysely';

/**
 * The pictures of simulated MMS (`POST /v1/simulator/inbound-sms` with `media`). They live in the
 * store, not in files under ./data: every instance behind a balancer reads the same store, so an
 * attachment received on one instance opens on any other, and a PostgreSQL deployment has no shared
 * disk. Rows are small (at most simulator.mediaMaxBytes each) and only ever written by the simulator.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const binary = db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob';
  await db.schema
    .createTable('simulator_media')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('data', binary, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('simulator_media').execute();
}
