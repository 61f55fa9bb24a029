import { isStoreUnavailable, isUniqueViolation } from './store';

describe('isStoreUnavailable (a 503, not a 500)', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, true],
    [{ code: '57P01' }, true],
    [{ code: 'SQLITE_BUSY' }, true],
    [{ code: 'SQLITE_IOERR_FSYNC' }, true],
    [{ code: 'EIO', message: 'EIO: i/o error, fdatasync' }, true], // the WAL flush after a commit failed
    [{ message: 'Connection terminated unexpectedly' }, true],
    [{ code: '23505' }, false],
    [{ code: 'SQLITE_CONSTRAINT_UNIQUE' }, false],
    [new Error('refused'), false],
    [null, false],
  ])('%j → %s', (error, expected) => expect(isStoreUnavailable(error)).toBe(expected));
});

describe('isUniqueViolation', () => {
  it.each([
    [{ code: '23505' }, true],
    [{ code: 'SQLITE_CONSTRAINT_UNIQUE' }, true],
    [{ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }, true],
    [{ code: 'EIO' }, false],
    [null, false],
  ])('%j → %s', (error, expected) => expect(isUniqueViolation(error)).toBe(expected));
});
