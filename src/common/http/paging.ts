import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DomainError } from '../errors/domain-error';

export class PageQuery {
  @IsOptional() @IsString() @MaxLength(200) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 20;

/** Cursors are opaque to clients: the last id seen, base64url-encoded. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(`v1:${lastId}`).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^v1:[0-9A-HJKMNP-TV-Z]{26}$/.test(decoded)) {
    throw DomainError.invalidField('cursor', 'is not a cursor this API returned');
  }
  return decoded.slice(3);
}

const ISO_INSTANT = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
const ACTIVITY_CURSOR = new RegExp(`^v2:(${ISO_INSTANT})\\|([0-9A-HJKMNP-TV-Z]{26})$`);

/**
 * For lists ordered by last activity (newest first): the last row's activity time and id, so the
 * next page starts exactly after it even when many rows share a time.
 */
export function encodeActivityCursor(row: { lastActivityAt: string; id: string }): string {
  return Buffer.from(`v2:${row.lastActivityAt}|${row.id}`).toString('base64url');
}

export function decodeActivityCursor(cursor: string): { lastActivityAt: string; id: string } {
  const match = ACTIVITY_CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw DomainError.invalidField('cursor', 'is not a cursor this API returned');
  return { lastActivityAt: match[1]!, id: match[2]! };
}

/** Builds a page from `limit + 1` fetched rows; the cursor is the last row's id unless `cursorOf` says otherwise. */
export function toPage<T extends { id: string }, V>(
  rows: T[], limit: number, view: (row: T) => V, cursorOf: (row: T) => string = (row) => encodeCursor(row.id),
): Page<V> {
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? cursorOf(items[items.length - 1]!) : null;
  return { items: items.map(view), nextCursor };
}
