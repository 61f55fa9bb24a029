import type { Executor } from '../../storage/store';
import { newId } from '../../common/ids';

/** One stored happening of a conversation, as read back. */
export interface TimelineEntry {
  id: string;
  conversationId: string;
  interactionId: string | null;
  kind: string;
  at: string;
  data: Record<string, unknown>;
}

/**
 * The append-only `timeline_entries` table. It takes an executor, so an entry is written in the
 * caller's transaction and exists exactly when the change it records does.
 */
export class TimelineRepository {
  constructor(private readonly db: Executor) {}

  async append(
    tenantId: string,
    entry: { conversationId: string; interactionId?: string | null; kind: string; at: string; data: Record<string, unknown> },
  ): Promise<void> {
    await this.db.insertInto('timelineEntries').values({
      id: newId(),
      tenantId,
      conversationId: entry.conversationId,
      interactionId: entry.interactionId ?? null,
      kind: entry.kind,
      at: entry.at,
      data: JSON.stringify(entry.data),
    }).execute();
  }

  /** Every entry of the conversation, oldest first (ties in creation order). */
  async ofConversation(tenantId: string, conversationId: string): Promise<TimelineEntry[]> {
    const rows = await this.db
      .selectFrom('timelineEntries')
      .select(['id', 'conversationId', 'interactionId', 'kind', 'at', 'data'])
      .where('tenantId', '=', tenantId).where('conversationId', '=', conversationId)
      .orderBy('at').orderBy('id')
      .execute();
    return rows.map(toEntry);
  }

  /** The entries of these interactions whose kind is one of `kinds`, oldest first. */
  async ofInteractions(tenantId: string, interactionIds: string[], kinds: readonly string[]): Promise<TimelineEntry[]> {
    if (interactionIds.length === 0 || kinds.length === 0) return [];
    const rows = await this.db
      .selectFrom('timelineEntries')
      .select(['id', 'conversationId', 'interactionId', 'kind', 'at', 'data'])
      .where('tenantId', '=', tenantId).where('interactionId', 'in', interactionIds).where('kind', 'in', [...kinds])
      .orderBy('at').orderBy('id')
      .execute();
    return rows.map(toEntry);
  }
}

function toEntry(row: Omit<TimelineEntry, 'data'> & { data: string }): TimelineEntry {
  return { ...row, data: JSON.parse(row.data) as Record<string, unknown> };
}
