import { PostgresAdapter, sql } from 'kysely';
import { newId } from '../common/ids';
import type { NewEvent } from '../conversations/domain/conversation';
import type { Executor } from '../storage/store';
import type { StoredEvent } from './domain/event';

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
  async append(tenantId: string, events: NewEvent[], at: string): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const first = this.postgres ? await this.nextInTransaction(tenantId, events.length) : await this.nextInCounter(events.length);
    const stored: StoredEvent[] = events.map((e, i) => ({
      tenantId,
      seq: first + i,
      id: newId(),
      type: e.type,
      conversationId: e.conversationId,
      interactionId: e.interactionId ?? null,
      agentId: e.agentId ?? null,
      at,
      data: e.data,
    }));
    await this.db
      .insertInto('events')
      .values(stored.map((e) => ({ ...e, data: JSON.stringify(e.data) })))
      .execute();
    return stored;
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

  /** The first free position of this transaction's block for the tenant (the tenant's key is unique, not the block). */
  private async nextInTransaction(tenantId: string, count: number): Promise<number> {
    const { rows } = await sql<{ lo: string; next: string }>`
      with block as (
        select p.value + pg_current_xact_id()::text::bigint * ${EVENTS_PER_TRANSACTION} as lo
        from event_log_position p where p.id = 1)
      select block.lo, coalesce((select max(e.seq) + 1 from events e
        where e.tenant_id = ${tenantId} and e.seq >= block.lo and e.seq < block.lo + ${EVENTS_PER_TRANSACTION}), block.lo) as next
      from block`.execute(this.db);
    const row = rows[0];
    if (!row) throw new Error('event_log_position has no row: the schema is not migrated');
    const lo = Number(row.lo);
    const next = Number(row.next);
    if (next + count > lo + EVENTS_PER_TRANSACTION) {
      throw new Error(`a transaction may append at most ${EVENTS_PER_TRANSACTION} events per tenant`);
    }
    if (!Number.isSafeInteger(lo + EVENTS_PER_TRANSACTION)) throw new Error('event positions have outgrown 2^53');
    return next;
  }

  /** Events after `afterSeq`, oldest first; on PostgreSQL only those no earlier event can still precede. */
  async readAfter(tenantId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
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
