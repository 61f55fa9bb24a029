import type { Conversation } from './conversation';
import type { Transition } from './conversation-state';

/**
 * The timeline of a conversation, pure: items from several sources (the chat, messages and calls
 * rows, the append-only timeline entries) merged into one order and paged by the id of the last
 * item a client saw.
 */
export interface TimelineItem<D = Record<string, unknown>> {
  /** A ULID: the interaction's id for a chat link, message or call; the entry's id otherwise. */
  id: string;
  type: string;
  at: string;
  interactionId: string | null;
  data: D;
}

/**
 * Oldest first. Items of the same millisecond keep the order of their ids, which the gateway mints
 * in the order it records things (monotonic ULIDs), so the order never changes between two reads.
 */
export function mergeTimeline<D>(...sources: ReadonlyArray<ReadonlyArray<TimelineItem<D>>>): Array<TimelineItem<D>> {
  return sources.flat().sort((a, b) => compareTime(a.at, b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The `limit` items after the one with id `afterId` (from the start without one), and whether
 * more follow. `undefined` when `afterId` is not an item of this timeline.
 */
export function pageAfter<T extends { id: string }>(items: readonly T[], afterId: string | undefined, limit: number): { items: T[]; more: boolean } | undefined {
  const start = afterId === undefined ? 0 : items.findIndex((item) => item.id === afterId) + 1;
  if (start === 0 && afterId !== undefined) return undefined;
  return { items: items.slice(start, start + limit), more: items.length > start + limit };
}

/** ISO-8601 UTC strings of one format compare as text; parsed, they also survive a mixed format. */
function compareTime(a: string, b: string): number {
  return a === b ? 0 : Date.parse(a) - Date.parse(b) || (a < b ? -1 : 1);
}

/** An entry to append to the timeline, in the transaction of the change it records. */
export interface NewTimelineEntry {
  interactionId: string | null;
  kind: string;
  data: Record<string, unknown>;
}

/**
 * What a conversation transition leaves on the timeline: each chat it ended (`chat_ended`) and
 * its wrap-up (`wrapped_up`, by `agentId`). Chats linking, messages and calls need no entry:
 * their own rows keep them.
 */
export function entriesOf(before: Conversation, result: Transition, agentId: string | null): NewTimelineEntry[] {
  if (!result.changed) return [];
  const entries: NewTimelineEntry[] = result.interactions
    .filter((i) => i.channel === 'chat' && i.endedAt !== null)
    .map((i) => ({ interactionId: i.id, kind: 'chat_ended', data: { sessionId: i.providerRef, endReason: i.endReason } }));
  const after = result.conversation;
  if (before.status !== 'closed' && after.status === 'closed') {
    entries.push({ interactionId: null, kind: 'wrapped_up', data: { disposition: after.disposition, notes: after.notes, agentId } });
  }
  return entries;
}
