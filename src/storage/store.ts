import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';

export type Executor = Kysely<Database> | Transaction<Database>;

/** True when a write failed on a unique constraint (SQLite or PostgreSQL). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | null;
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === '23505';
}

/**
 * True when a prepared statement outlived its table's shape (another instance migrated it) on
 * PostgreSQL; the connection holding it is dropped (storage/database.ts), so running again works.
 */
export function isStalePlan(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  return e?.code === '0A000' && /cached plan must not change result type/.test(e.message ?? '');
}

/**
 * Runs `work` in one transaction; when two writers raced on a unique key the whole unit is run
 * again, so its reads see the winner's row (likewise after a stale prepared statement).
 */
export async function inTransaction<T>(
  db: Kysely<Database>,
  work: (tx: Transaction<Database>) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= attempts || !(isUniqueViolation(error) || isStalePlan(error))) throw error;
    }
  }
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH',
  'EIO', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', 'SQLITE_BUSY', 'SQLITE_IOERR', 'SQLITE_FULL']);

/** True when a query failed because the store could not be reached or is overloaded (a 503, not a 500). */
export function isStoreUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('SQLITE_IOERR'))) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(e.message ?? '');
}
