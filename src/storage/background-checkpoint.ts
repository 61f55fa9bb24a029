import { Worker } from 'node:worker_threads';

export interface BackgroundCheckpointOptions {
  /** The database file (WAL mode). */
  file: string;
  /** How often the worker looks for frames to copy, in ms. */
  intervalMs: number;
  /** The connection's durability: a checkpoint fsyncs unless it is OFF. */
  synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
}

/**
 * The worker's program, run with `eval` so that it needs no file of its own next to the compiled
 * code (ts-jest runs this module from src/, where there is no .js to start). It opens its own
 * connection to the same file (the driver comes from the parent's resolution) and, every
 * `intervalMs`, copies the WAL's new frames into the database with a PASSIVE checkpoint: it never
 * waits for and never blocks the writer or readers. A pass that copied something is followed by
 * another at once, which copies only what was committed meanwhile — a few frames — so the copy
 * catches up between two commits, and the writer can then start the WAL over from its beginning.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const fail = (error) => parentPort.postMessage({ failed: String((error && error.message) || error) });
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('synchronous = ' + workerData.synchronous);
} catch (error) {
  fail(error);
  parentPort.close();
}
let timer;
const pass = () => {
  try {
    for (let i = 0; i < 8; i++) {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)');
      if (r.busy || r.log === r.checkpointed) break;
    }
    parentPort.postMessage('pass');
    timer = setTimeout(pass, workerData.intervalMs);
  } catch (error) {
    fail(error);
    db.close();
    parentPort.close();
  }
};
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearTimeout(timer);
  if (db && db.open) db.close();
  parentPort.close();
});
if (db) timer = setTimeout(pass, workerData.intervalMs);
`;

/**
 * Checkpoints a WAL database on a thread of its own, so that a COMMIT on the event loop no longer
 * copies pages into the database file (SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses its threshold: measured on the SMS ingest bench, those commits held the event loop 20 to
 * 200 ms, half of all time spent in COMMIT). The caller keeps SQLite's automatic checkpoint as a
 * bound: should this thread fall behind or stop, the COMMIT at the threshold copies what is left
 * and the WAL still starts over.
 */
export class BackgroundCheckpoint {
  private readonly worker: Worker;
  private stopped?: Promise<void>;
  /** Passes run so far (for tests and metrics); why the worker stopped, if it failed. */
  passes = 0;
  failure?: string;

  constructor(options: BackgroundCheckpointOptions) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ...options, driver: require.resolve('better-sqlite3') },
    });
    this.worker.on('message', (m: unknown) => {
      if (m === 'pass') this.passes++;
      else if (m && typeof m === 'object' && 'failed' in m) this.failure = String((m as { failed: unknown }).failed);
    });
    // A worker that cannot open the file (it was removed under a test) leaves the bound in charge.
    this.worker.on('error', (error) => { this.failure ??= error.message; });
    this.worker.on('exit', (code) => { if (code !== 0) this.failure ??= `the checkpoint thread exited with ${code}`; });
    // It must not keep a process alive that is otherwise done (a test that never closes its store).
    this.worker.unref();
  }

  /** Closes the worker's connection; resolves once its thread has ended. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      if (this.worker.threadId === -1) return resolve();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage('stop');
      // A worker busy in a checkpoint answers after it; one that is gone already never will.
      setTimeout(() => void this.worker.terminate(), 2_000).unref();
    });
    return this.stopped;
  }
}
