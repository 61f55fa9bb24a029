import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema';
import { isUniqueViolation } from './store';

interface Unit {
  work: (tx: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const MAX_ATTEMPTS = 3;

/**
 * Group commit for SQLite: units of work submitted while a commit is under way are run together
 * in the next transaction, each inside its own savepoint, and share one commit (one fsync). A unit
 * that fails is rolled back to its savepoint alone; its callers see the error, the others commit.
 * A unit resolves only after the commit that made it durable. Units must do nothing but store work.
 */
export class GroupCommitter {
  private queue: Unit[] = [];
  private draining = false;

  constructor(private readonly db: Kysely<Database>, private readonly maxBatch = 256) {}

  run<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        // Let the requests of this turn of the event loop join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      const outcomes: Outcome[] = [];
      try {
        await this.db.transaction().execute(async (tx) => {
          for (const unit of batch) outcomes.push(await runUnit(tx, unit));
        });
      } catch (error) {
        // The commit itself failed: nothing of this batch is stored.
        for (const unit of batch) unit.reject(error);
        continue;
      }
      batch.forEach((unit, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) unit.resolve(outcome.value);
        else unit.reject(outcome.error);
      });
    }
    this.draining = false;
  }
}

async function runUnit(tx: Transaction<Database>, unit: Unit): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    await sql`savepoint unit`.execute(tx);
    try {
      const value = await unit.work(tx);
      await sql`release savepoint unit`.execute(tx);
      return { ok: true, value };
    } catch (error) {
      await sql`rollback to savepoint unit`.execute(tx);
      await sql`release savepoint unit`.execute(tx);
      // A race on a unique key: run again, now seeing the winner's row.
      if (attempt < MAX_ATTEMPTS && isUniqueViolation(error)) continue;
      return { ok: false, error };
    }
  }
}
