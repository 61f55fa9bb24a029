import { open, type FileHandle } from 'node:fs/promises';

/**
 * The database's `-wal` file, flushed with `fdatasync` on libuv's thread pool. Callers arriving
 * while a flush runs share the next one (it covers every commit made before it started), so at
 * most two are ever pending. The file is opened on the first flush, after the first commit made
 * it, and only closed with the database: closing a descriptor of a file drops the process's
 * POSIX locks on it, which SQLite takes on the database and `-shm` files, never on the WAL.
 */
export class WalFile {
  private handle?: Promise<FileHandle>;
  private running?: Promise<void>;
  private next?: Promise<void>;

  constructor(private readonly path: string, private readonly flush = (file: FileHandle) => file.datasync()) {}

  sync(): Promise<void> {
    if (!this.running) return (this.running = this.flushNow());
    // The running flush may have started before this caller's commit: wait for the one after it.
    this.next ??= this.running.then(
      () => this.startNext(),
      () => this.startNext(),
    );
    return this.next;
  }

  /**
   * Resolves once every commit made so far is on disk: each one asked for a flush when it was
   * made, so waiting for the last flush asked for is enough (at once when none is pending). For
   * readers: what they read may come from a commit whose flush is still running.
   */
  durable(): Promise<void> {
    return this.next ?? this.running ?? Promise.resolve();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await (await handle?.catch(() => undefined))?.close();
  }

  private startNext(): Promise<void> {
    this.next = undefined;
    return (this.running = this.flushNow());
  }

  private async flushNow(): Promise<void> {
    try {
      // A failed open is tried again on the next flush; a failed flush is reported to its callers.
      this.handle ??= open(this.path, 'r').catch((error: unknown) => {
        this.handle = undefined;
        throw error;
      });
      await this.flush(await this.handle);
    } finally {
      this.running = undefined;
    }
  }
}

/** Where a flush is handed over instead of awaited (see `FlushHandovers.deferNextCommit`). */
export interface FlushHandover {
  /** Set at COMMIT when the transaction wrote something; resolves once that commit is on disk. */
  flush?: Promise<void>;
}

/**
 * Lets the group committer (group-commit.ts) take a commit's flush over: the connection is then
 * released at once, and the event loop serves requests while the disk flushes instead of waiting
 * behind it.
 */
export class FlushHandovers {
  private next?: FlushHandover;

  /**
   * Called at the end of a transaction's work: the COMMIT that follows on this connection (SQLite
   * has one, held until then) does not wait for its flush but leaves it in the handover.
   */
  deferNextCommit(handover: FlushHandover): void {
    this.next = handover;
  }

  take(): FlushHandover | undefined {
    const next = this.next;
    this.next = undefined;
    return next;
  }
}
