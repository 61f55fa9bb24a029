import { PostgresAdapter, sql } from 'kysely';
import { newId } from '../common/ids';
import type { Executor } from '../storage/store';
import type { LogEntry, LogInput } from './domain/event';

/** On PostgreSQL a transaction's events of one tenant take positions in a block of this size. */
export const EVENTS_PER_TRANSACTION = 1024;

/** Rows of transactions older than every transaction still running: committed (or gone) for good. */
const SETTLED = sql<boolean>`tx < pg_snapshot_xmin(pg_current_snapshot())`;

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
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  /** Appends events to the tenant's log. Must run inside the transaction of the change they describe. */
  async append(tenantId: string, events: LogInput[], at: string): Promise<LogEntry[]> {
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
    if (this.postgres) {
      const first = await this.insertInBlock(tenantId, stored, at);
      stored.forEach((e, i) => (e.seq = first + i));
      return stored;
    }
    const first = await this.nextInCounter(events.length);
    stored.forEach((e, i) => (e.seq = first + i));
    await this.db
      .insertInto('events')
      .values(stored.map((e) => ({ ...e, data: JSON.stringify(e.data) })))
      .execute();
    return stored;
  }

  /**
   * Inserts the events at the next free positions of this transaction's block for the tenant (see
   * migration 010) and returns the first: one statement, where reading the block and inserting took
   * two round trips per change. No row at all comes back when the block has no room left.
   */
  private async insertInBlock(tenantId: string, events: LogEntry[], at: string): Promise<number> {
    const values = sql.join(events.map((e, i) =>
      sql`(${i}::int, ${e.id}, ${e.type}, ${e.conversationId}, ${e.interactionId}, ${e.agentId}, ${JSON.stringify(e.data)})`));
    const { rows } = await sql<{ seq: number }>`
      with block as (
        select p.value + pg_current_xact_id()::text::bigint * ${EVENTS_PER_TRANSACTION} as lo
        from event_log_position p where p.id = 1),
      start as (
        select block.lo, coalesce((select max(e.seq) + 1 from events e
          where e.tenant_id = ${tenantId} and e.seq >= block.lo and e.seq < block.lo + ${EVENTS_PER_TRANSACTION}), block.lo) as first
        from block)
      insert into events (tenant_id, seq, id, type, conversation_id, interaction_id, agent_id, at, data)
      select ${tenantId}, start.first + v.n, v.id, v.type, v.conversation_id, v.interaction_id, v.agent_id, ${at}, v.data
      from start cross join (values ${values}) as v(n, id, type, conversation_id, interaction_id, agent_id, data)
      where start.first + ${events.length} <= start.lo + ${EVENTS_PER_TRANSACTION}
      returning seq`.execute(this.db);
    if (rows.length === 0) {
      throw new Error(`a transaction may append at most ${EVENTS_PER_TRANSACTION} events per tenant (or event_log_position has no row: the schema is not migrated)`);
    }
    if (rows.length !== events.length) throw new Error(`appended ${rows.length} of ${events.length} events`);
    const first = Math.min(...rows.map((r) => Number(r.seq)));
    if (!Number.isSafeInteger(first + EVENTS_PER_TRANSACTION)) throw new Error('event positions have outgrown 2^53');
    return first;
  }

  private async nextInCounter(count: number): Promise<number> {
    const { value } = await this.db
      .updateTable('eventLogPosition')
      .set((eb) => ({ value: eb('value', '+', count) }))
      .where('id', '=', 1)
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(value) - count + 1;
  }

  /** Events after `afterSeq`, oldest first; on PostgreSQL only those no earlier event can still precede. */
  async readAfter(tenantId: string, afterSeq: number, limit: number): Promise<LogEntry[]> {
    let query = this.db
      .selectFrom('events')
      .select(['tenantId', 'seq', 'id', 'type', 'conversationId', 'interactionId', 'agentId', 'at', 'data'])
      .where('tenantId', '=', tenantId).where('seq', '>', afterSeq);
    if (this.postgres) query = query.where(SETTLED);
    const rows = await query.orderBy('seq').limit(limit).execute();
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
