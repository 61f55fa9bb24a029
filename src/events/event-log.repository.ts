import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { newId } from '../common/ids';
import { FixedQuery } from '../storage/fixed-query';
import type { Database } from '../storage/schema';
import type { Executor } from '../storage/store';
import type { LogEntry, LogInput } from './domain/event';

/** On PostgreSQL a transaction's events of one tenant take positions in a block of this size. */
export const EVENTS_PER_TRANSACTION = 1024;

/** Rows of transactions older than every transaction still running: committed (or gone) for good. */
const SETTLED = sql<boolean>`tx < pg_snapshot_xmin(pg_current_snapshot())`;

/** The values of an append of n events: `tenantId`, `at`, and per event i `id<i>`, `type<i>`, …, `data<i>` (JSON), `seq<i>` (SQLite). */
type AppendValues = Record<string, string | number | null>;
const EVENT_FIELDS = ['id', 'type', 'conversationId', 'interactionId', 'agentId', 'data'] as const;

/** Appends are compiled once per number of events (storage/fixed-query.ts); a change appends a few. */
function perCount<Q>(make: (count: number) => Q, cached = 16): (count: number) => Q {
  const made: Q[] = [];
  return (count) => (count <= cached ? (made[count] ??= make(count)) : make(count));
}

/**
 * The insert at the next free positions of this transaction's block for the tenant (see migration
 * 010), returning them: one statement, where reading the block and inserting took two round trips
 * per change. When the block has no room left the position is null and the statement fails (a
 * not-null violation on `seq`), with whatever it carries: a unit's writes ride with its events
 * (storage/write-behind.ts), and units of several share a transaction (storage/pg-pipeline.ts), so
 * leaving the events out would store the rest without them.
 * Both steps are MATERIALIZED: inlined, PostgreSQL searched the block for its last position in a
 * subplan per reference, twice for every event row (EXPLAIN ANALYZE); materialised, once per append.
 * Measured with pgbench, one transaction of a one-event append took 151-158 µs against 201-221 µs.
 */
const insertInBlockAs = (role: 'carry' | 'last') => perCount((count) => new FixedQuery((db: Kysely<Database>, p: AppendValues) => {
  const values = sql.join(Array.from({ length: count }, (_, i) =>
    sql`(${sql.lit(i)}::int, ${p[`id${i}`]}, ${p[`type${i}`]}, ${p[`conversationId${i}`]}, ${p[`interactionId${i}`]}, ${p[`agentId${i}`]}, ${p[`data${i}`]})`));
  const query = sql<{ seq: number }>`
    with block as materialized (
      select p.value + pg_current_xact_id()::text::bigint * ${sql.lit(EVENTS_PER_TRANSACTION)} as lo
      from event_log_position p where p.id = 1),
    start as materialized (
      select block.lo, coalesce((select max(e.seq) + 1 from events e
        where e.tenant_id = ${p.tenantId} and e.seq >= block.lo and e.seq < block.lo + ${sql.lit(EVENTS_PER_TRANSACTION)}), block.lo) as first
      from block)
    insert into events (tenant_id, seq, id, type, conversation_id, interaction_id, agent_id, at, data)
    select ${p.tenantId}, case when start.first + v.n < start.lo + ${sql.lit(EVENTS_PER_TRANSACTION)} then start.first + v.n end,
      v.id, v.type, v.conversation_id, v.interaction_id, v.agent_id, ${p.at}, v.data
    from start cross join (values ${values}) as v(n, id, type, conversation_id, interaction_id, agent_id, data)
    returning seq${sql.raw(role === 'last' ? ' /* the unit\'s last statement */' : '')}`;
  // The unit's last append is the same statement under another text (the comment), to be told apart.
  return { compile: () => query.compile(db) };
  // It reads only the events and the position, which no waiting insert writes: it may carry them.
}, role));
const insertInBlock = { carry: insertInBlockAs('carry'), last: insertInBlockAs('last') };

/** SQLite: the events at positions `seq<i>` already taken from the counter. */
const insertAt = perCount((count) => new FixedQuery((db: Kysely<Database>, p: AppendValues) =>
  db.insertInto('events').values(Array.from({ length: count }, (_, i) => ({
    tenantId: p.tenantId as string, seq: p[`seq${i}`] as number, id: p[`id${i}`] as string, type: p[`type${i}`] as string,
    conversationId: p[`conversationId${i}`] as string | null, interactionId: p[`interactionId${i}`] as string | null,
    agentId: p[`agentId${i}`] as string | null, at: p.at as string, data: p[`data${i}`] as string,
  })))));

const takeFromCounter = new FixedQuery((db, p: { count: number }) =>
  db.updateTable('eventLogPosition').set((eb) => ({ value: eb('value', '+', p.count) })).where('id', '=', 1).returning('value'));

/** PostgreSQL's not-null violation on the events' position: the block was full (or had no start). */
const isNullPosition = (error: unknown): boolean => {
  const e = error as { code?: string; column?: string } | null;
  return e?.code === '23502' && e.column === 'seq';
};

const isPostgres = (db: Executor): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

// The event dispatcher reads after every commit it hears of.
const readAfter = new FixedQuery((db, p: { tenantId: string; afterSeq: number; limit: number }) => {
  let query = db
    .selectFrom('events')
    .select(['tenantId', 'seq', 'id', 'type', 'conversationId', 'interactionId', 'agentId', 'at', 'data'])
    .where('tenantId', '=', p.tenantId).where('seq', '>', p.afterSeq);
  if (isPostgres(db)) query = query.where(SETTLED);
  return query.orderBy('seq').limit(p.limit);
});

/** `id0`, `type0`, … per event index: built once, not as new strings for every field of every append. */
const fieldKeys: Array<ReadonlyArray<readonly [(typeof EVENT_FIELDS)[number], string]>> = [];
const keysOf = (i: number) => (fieldKeys[i] ??= EVENT_FIELDS.map((field) => [field, `${field}${i}`] as const));

function appendValues(tenantId: string, at: string, events: LogEntry[]): AppendValues {
  const values: AppendValues = { tenantId, at };
  events.forEach((e, i) => {
    for (const [field, key] of keysOf(i)) values[key] = field === 'data' ? JSON.stringify(e.data) : e[field];
  });
  return values;
}

/**
 * A tenant's log, ordered by position (`seq`). Positions are increasing per tenant, not dense. No
 * row is locked across a commit:
 * - SQLite serialises writers, so one counter for all tenants (`event_log_position`) numbers them;
 *   a transaction commits before the next one takes a number.
 * - PostgreSQL derives a position from the writing transaction's id (see migration 010) and readers
 *   take only rows of transactions older than every one still running, so every row still to come
 *   has a larger position than anything a reader has seen: no gap is filled later.
 */
export class EventLogRepository {
  private readonly postgres: boolean;

  constructor(private readonly db: Executor) {
    this.postgres = isPostgres(db);
  }

  /** Appends events to the tenant's log. Must run inside the transaction of the change they describe. */
  /**
   * `last` (PostgreSQL): nothing but COMMIT follows in this transaction, so a unit that wrote nothing
   * else ends in this one statement (storage/pg-client.ts).
   */
  async append(tenantId: string, events: LogInput[], at: string, options: { last?: boolean } = {}): Promise<LogEntry[]> {
    if (events.length === 0) return [];
    const stored: LogEntry[] = events.map((e) => ({
      tenantId,
      seq: 0, // set below, once the store has handed out the positions
      id: newId(),
      type: e.type,
      conversationId: e.conversationId,
      interactionId: e.interactionId ?? null,
      agentId: e.agentId ?? null,
      at,
      data: e.data,
    }));
    const values = appendValues(tenantId, at, stored);
    if (this.postgres) {
      const first = await this.insertInBlock(values, stored.length, options.last ?? false);
      stored.forEach((e, i) => (e.seq = first + i));
      return stored;
    }
    const first = await this.nextInCounter(events.length);
    stored.forEach((e, i) => (values[`seq${i}`] = e.seq = first + i));
    await insertAt(stored.length).execute(this.db, values);
    return stored;
  }

  /** Inserts the events in this transaction's block and returns the first position. */
  private async insertInBlock(values: AppendValues, count: number, last: boolean): Promise<number> {
    const rows = await insertInBlock[last ? 'last' : 'carry'](count).rows(this.db, values).catch((error: unknown) => {
      if (!isNullPosition(error)) throw error;
      throw new Error(`a transaction may append at most ${EVENTS_PER_TRANSACTION} events per tenant (or event_log_position has no row: the schema is not migrated)`, { cause: error });
    });
    if (rows.length !== count) throw new Error(`appended ${rows.length} of ${count} events`);
    const first = Math.min(...rows.map((r) => Number(r.seq)));
    if (!Number.isSafeInteger(first + EVENTS_PER_TRANSACTION)) throw new Error('event positions have outgrown 2^53');
    return first;
  }

  private async nextInCounter(count: number): Promise<number> {
    const row = await takeFromCounter.first(this.db, { count });
    if (!row) throw new Error('event_log_position has no row: the schema is not migrated');
    return Number(row.value) - count + 1;
  }

  /** Events after `afterSeq`, oldest first; on PostgreSQL only those no earlier event can still precede. */
  async readAfter(tenantId: string, afterSeq: number, limit: number): Promise<LogEntry[]> {
    const rows = await readAfter.rows(this.db, { tenantId, afterSeq, limit });
    return rows.map((r) => ({ ...r, seq: Number(r.seq), data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  /** The position of the tenant's last event a reader may deliver (0 when none). */
  async lastSeq(tenantId: string): Promise<number> {
    let query = this.db.selectFrom('events').select('seq').where('tenantId', '=', tenantId);
    if (this.postgres) query = query.where(SETTLED);
    const row = await query.orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return Number(row?.seq ?? 0);
  }
}
