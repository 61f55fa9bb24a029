import { Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The event log no longer keeps a counter per tenant (`tenants.last_event_seq`, now unused): bumping
 * it locked the tenant's row until commit, so on PostgreSQL every write of a tenant, on every
 * instance, waited for the previous one's commit.
 *
 * `event_log_position` holds one row. On SQLite, whose writers are serialised anyway, it is the
 * last position handed out (one counter for all tenants). On PostgreSQL it is the base of positions
 * derived from transaction ids: an event's position is `base + txid * 1024 + n` (n counting the
 * tenant's events in that transaction), and `events.tx` records the transaction. Readers take only
 * rows whose `tx` is older than every transaction still running (`pg_snapshot_xmin`): those rows are
 * final, and any row still to come has a larger position, so a reader reading in position order
 * never sees a gap filled later. Both start above every position handed out so far, so the cursors
 * clients hold stay valid.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('event_log_position')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();
  const highest = sql`(select max(v) from (
      select coalesce(max(last_event_seq), 0) as v from tenants
      union all select coalesce(max(seq), 0) as v from events) as highest)`;
  await sql`insert into event_log_position (id, value) values (1, ${highest} + ${postgres ? 1 : 0})`.execute(db);
  if (postgres) {
    await sql`alter table events add column tx xid8 not null default pg_current_xact_id()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await sql`update tenants set last_event_seq = coalesce((select max(seq) from events where events.tenant_id = tenants.id), 0)`.execute(db);
  if (postgres) await sql`alter table events drop column tx`.execute(db);
  await db.schema.dropTable('event_log_position').execute();
}
