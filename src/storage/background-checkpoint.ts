import { closeSync, openSync } from 'node:fs';
import { endianness } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface BackgroundCheckpointOptions {
  /** The database file (WAL mode, opened by the caller's connection already). */
  file: string;
  /** How often the worker looks at the WAL, in ms. */
  intervalMs: number;
  /** Frames committed and not yet copied that make a pass worth its two fsyncs. */
  minFrames: number;
  /** The connection's durability: a checkpoint fsyncs unless it is OFF. */
  synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
}

/**
 * Where the WAL stands, read from the first 100 bytes of the `-shm` file (the wal-index, shared
 * memory of every connection to the database), as SQLite's file-format documentation describes
 * it (walformat.html, "The WAL-Index Header"): in the machine's byte order, `iVersion` (u32 at 0,
 * 3007000), `mxFrame` (u32 at 16: frames in the WAL) and, in the checkpoint information that
 * follows the header's two copies, `nBackfill` (u32 at 96: frames already copied into the
 * database). A read of a header being rewritten can be off by a commit; it only decides whether a
 * pass runs. Unknown (another version, too short): undefined, and every look runs a pass. Kept as
 * text so that the worker runs this very code (a function's own source would carry coverage counters).
 */
const PENDING_FRAMES = `(header, bigEndian) => {
  if (header.length < 100) return undefined;
  const u32 = (offset) => (bigEndian ? header.readUInt32BE(offset) : header.readUInt32LE(offset));
  if (u32(0) !== 3007000) return undefined;
  return Math.max(0, u32(16) - u32(96));
}`;
export const pendingFrames = new Function(`return ${PENDING_FRAMES}`)() as (header: Buffer, bigEndian: boolean) => number | undefined;

/**
 * The worker's program, run with `eval` so that it needs no file of its own next to the compiled
 * code (ts-jest runs this module from src/, where there is no .js to start). It opens its own
 * connection to the same file (the driver comes from the parent's resolution) and, every
 * `intervalMs`, reads the wal-index header through the descriptor the parent opened; once
 * `minFrames` frames wait, it copies them into the database with a PASSIVE checkpoint, which never
 * waits for and never blocks the writer or readers. A pass that copied something is followed by
 * another at once, which copies only what was committed meanwhile — a few frames — so the copy
 * can catch up between two commits and the writer start the WAL over from its beginning.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readSync } = require('node:fs');
const Database = require(workerData.driver);
const pendingFrames = ${PENDING_FRAMES};
const fail = (error) => parentPort.postMessage({ failed: String((error && error.message) || error) });
const header = Buffer.alloc(100);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('synchronous = ' + workerData.synchronous);
} catch (error) {
  fail(error);
  parentPort.close();
}
const waiting = () => {
  if (workerData.shm === undefined) return Infinity;
  try {
    return readSync(workerData.shm, header, 0, 100, 0) === 100 ? pendingFrames(header, workerData.bigEndian) ?? Infinity : Infinity;
  } catch {
    return Infinity;
  }
};
let timer;
const look = () => {
  try {
    if (waiting() >= workerData.minFrames) {
      for (let i = 0; i < 8; i++) {
        const [r] = db.pragma('wal_checkpoint(PASSIVE)');
        if (r.busy || r.log === r.checkpointed) break;
      }
      parentPort.postMessage('pass');
    }
    timer = setTimeout(look, workerData.intervalMs);
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
if (db) timer = setTimeout(look, workerData.intervalMs);
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
  /**
   * The `-shm` file, opened here and closed only after the caller's connection: closing any
   * descriptor of a file drops the process's POSIX locks on it, which SQLite holds on that file.
   */
  private readonly shm?: number;
  private stopped?: Promise<void>;
  /** Passes run so far (for tests); why the worker stopped, if it failed. */
  passes = 0;
  failure?: string;

  constructor(options: BackgroundCheckpointOptions) {
    try {
      this.shm = openSync(`${options.file}-shm`, 'r');
    } catch {
      this.shm = undefined; // no wal-index to read: every look runs a pass
    }
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        ...options, shm: this.shm, bigEndian: endianness() === 'BE',
        driver: require.resolve('better-sqlite3'),
      },
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
      // Held while stopping: an unreferenced worker alone would let the process end (exit code 0)
      // while its caller still awaits this, skipping whatever the caller does after.
      this.worker.ref();
      this.worker.postMessage('stop');
      // A worker busy in a checkpoint answers after it; one that is gone already never will.
      setTimeout(() => void this.worker.terminate(), 2_000).unref();
    });
    return this.stopped;
  }

  /** After the caller's own connection is closed: lets go of the `-shm` descriptor. */
  release(): void {
    if (this.shm !== undefined) closeSync(this.shm);
  }
}
