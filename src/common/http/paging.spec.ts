import { ErrorCode } from '../errors/domain-error';
import { decodeActivityCursor, decodeCursor, encodeActivityCursor, encodeCursor, toPage } from './paging';

describe('paging', () => {
  const id = '01M8A25GMBVMBTX54E6Z7FKK4F';

  it('round-trips a cursor', () => expect(decodeCursor(encodeCursor(id))).toBe(id));

  it.each([['garbage'], [''], [Buffer.from('v1:not-an-id').toString('base64url')], [Buffer.from(`v2:${id}`).toString('base64url')]])(
    'refuses a cursor it did not make: %j',
    (cursor) => expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: ErrorCode.ValidationFailed })),
  );

  it('round-trips an activity cursor', () => {
    const row = { lastActivityAt: '2026-03-01T10:00:00.123Z', id };
    expect(decodeActivityCursor(encodeActivityCursor(row))).toEqual(row);
  });

  it.each([
    ['an id cursor', encodeCursor(id)],
    ['no id', Buffer.from('v2:2026-03-01T10:00:00.123Z|').toString('base64url')],
    ['a time that is no instant', Buffer.from(`v2:2026-03-01 10:00|${id}`).toString('base64url')],
    ['an injected time', Buffer.from(`v2:2026-03-01T10:00:00.123Z' or 1=1|${id}`).toString('base64url')],
  ])('refuses an activity cursor it did not make: %s', (_name, cursor) => {
    expect(() => decodeActivityCursor(cursor)).toThrow(expect.objectContaining({ code: ErrorCode.ValidationFailed }));
  });

  it('builds a page from limit + 1 rows', () => {
    const rows = [{ id: 'c' }, { id: 'b' }, { id: 'a' }];
    expect(toPage(rows, 2, (r) => r.id)).toEqual({ items: ['c', 'b'], nextCursor: encodeCursor('b') });
    expect(toPage(rows.slice(0, 2), 2, (r) => r.id)).toEqual({ items: ['c', 'b'], nextCursor: null });
  });
});
