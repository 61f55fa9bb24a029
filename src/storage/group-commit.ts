import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema';
import { isUniqueViolation } from './store';
import type { FlushHandover, FlushHandovers } from './wal-flush';

interface Unit {
  work: (tx: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const MAX_ATTEMPTS = 3;

/**
 * Group commit for SQLite: units of work submitted while a commit is under way are run together
 * in the next transaction and share one commit (one fsync). A batch is first run straight through;
 * only when one of its units fails is it rolled back and run again with each unit inside its own
 * savepoint, so the failing unit is rolled back alone: its caller sees the error, the others commit.
 * A unit resolves only after the commit that made it durable. Units must do nothing but store work
 * (they may be run more than once).
 *
 * With `handovers` (SQLite at FULL, sqlite-dialect.ts) the batch's flush to disk is taken over
 * rather than awaited on the connection, which is free again at once; a batch's units are answered
 * once its own flush is done. The next batch waits for that flush and takes in every unit that
 * came meanwhile: one commit per flush. Committing each turn's units while the disk flushed made
 * several small commits share the next flush anyway, each writing the pages every batch touches
 * (the tables' last pages, the event counter): measured at saturation, waiting took 9–30% less CPU
 * per message and 0–38% more req/s, with no change in p99 at 1,000 req/s (four runs each).
 */
export class GroupCommitter {
  private queue: Unit[] = [];
  private draining = false;
  /** The last batch's flush (its outcome is its units' business); once done, awaiting it costs a tick. */
  private flushing?: Promise<void>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly handovers?: FlushHandovers,
    private readonly maxBatch = 256,
  ) {}

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
      if (this.flushing) await this.flushing;
      const batch = this.queue.splice(0, this.maxBatch);
      const handover: FlushHandover = {};
      // runApart never gives up on a batch, so the second commit always has outcomes.
      const outcomes = (await this.commit(batch, runStraight, handover)) ?? (await this.commit(batch, runApart, handover))!;
      if (handover.flush) {
        this.flushing = handover.flush.catch(() => undefined);
        void answerWhenFlushed(batch, outcomes, handover.flush);
      } else {
        answer(batch, outcomes);
      }
    }
    this.draining = false;
  }

  /**
   * Runs the batch in one transaction; undefined when `run` gave up on it (rolled back, to be run
   * apart). When the commit itself fails nothing of the batch is stored and every unit gets that error.
   */
  private async commit(batch: Unit[], run: BatchRunner, handover: FlushHandover): Promise<Outcome[] | undefined> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        const outcomes = await run(tx, batch);
        this.handovers?.deferNextCommit(handover); // the COMMIT follows at once on this connection
        return outcomes;
      });
    } catch (error) {
      if (error instanceof RunApart) return undefined;
      return batch.map(() => ({ ok: false, error }));
    }
  }
}

function answer(batch: Unit[], outcomes: Outcome[]): void {
  batch.forEach((unit, i) => {
    const outcome = outcomes[i]!;
    if (outcome.ok) unit.resolve(outcome.value);
    else unit.reject(outcome.error);
  });
}

/** A unit that failed is answered now (nothing of it was stored); the others once on disk, or with the flush's error. */
async function answerWhenFlushed(batch: Unit[], outcomes: Outcome[], flush: Promise<void>): Promise<void> {
  answer(batch.filter((_, i) => !outcomes[i]!.ok), outcomes.filter((o) => !o.ok));
  const stored = batch.filter((_, i) => outcomes[i]!.ok);
  const values = outcomes.filter((o) => o.ok);
  try {
    await flush;
    answer(stored, values);
  } catch (error) {
    answer(stored, stored.map(() => ({ ok: false, error })));
  }
}

type BatchRunner = (tx: Transaction<Database>, batch: Unit[]) => Promise<Outcome[]>;

/** Thrown to roll a batch back so that it is run again apart. */
class RunApart extends Error {}

/** The common case: no unit fails, so no savepoints are needed. */
async function runStraight(tx: Transaction<Database>, batch: Unit[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const unit of batch) {
    try {
      outcomes.push({ ok: true, value: await unit.work(tx) });
    } catch {
      throw new RunApart();
    }
  }
  return outcomes;
}

async function runApart(tx: Transaction<Database>, batch: Unit[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const unit of batch) outcomes.push(await runUnit(tx, unit));
  return outcomes;
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
