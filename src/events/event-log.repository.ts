import { newId } from '../common/ids';
import type { NewEvent } from '../conversations/domain/conversation';
import type { Executor } from '../storage/store';
import type { StoredEvent } from './domain/event';

export class EventLogRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Appends events to the tenant's log. Must run inside the transaction of the change they
   * describe: bumping the tenant's counter locks its row until commit, so sequence numbers are
   * committed in order and a reader never sees seq N+1 before seq N.
   */
  async append(tenantId: string, events: NewEvent[], at: string): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const { lastEventSeq } = await this.db
      .updateTable('tenants')
      .set((eb) => ({ lastEventSeq: eb('lastEventSeq', '+', events.length) }))
      .where('id', '=', tenantId)
      .returning('lastEventSeq')
      .executeTakeFirstOrThrow();
    const first = Number(lastEventSeq) - events.length + 1;
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

  /** Events after `afterSeq`, oldest first. */
  async readAfter(tenantId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db
      .selectFrom('events').selectAll()
      .where('tenantId', '=', tenantId).where('seq', '>', afterSeq)
      .orderBy('seq').limit(limit)
      .execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq), data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  async lastSeq(tenantId: string): Promise<number> {
    const row = await this.db.selectFrom('tenants').select('lastEventSeq').where('id', '=', tenantId).executeTakeFirst();
    return Number(row?.lastEventSeq ?? 0);
  }
}
