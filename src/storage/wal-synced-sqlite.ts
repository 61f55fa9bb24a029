import { open, type FileHandle } from 'node:fs/promises';
import type SqliteDatabase from 'better-sqlite3';
import {
  SqliteDialect, SqliteDriver, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult,
  type SqliteDialectConfig,
} from 'kysely';

/**
 * SQLite at `synchronous = FULL` flushes the WAL inside every COMMIT, and better-sqlite3 runs
 * COMMIT on the event loop: while the disk flushes, no request is read, no statement runs and no
 * event is sent.
 *
 * With this dialect the connection commits at `NORMAL` (the WAL is written, not flushed) and the
 * commit is then flushed with `fdatasync` of the WAL file on libuv's thread pool. The guarantee is
 * FULL's — nothing is acknowledged before it is on disk, so a power cut takes back nothing a
 * caller was told — while the event loop keeps serving: a transaction's COMMIT resolves after its
 * flush; a write outside a transaction (a statement that is not read-only, in autocommit) resolves
 * after its flush; the group committer takes its batch's flush over (`FlushHandovers`) and lets the
 * next batch run while the disk flushes, answering the first batch once its flush is done. A
 * read-only transaction flushes nothing. Checkpoints are unchanged: at `NORMAL` SQLite itself
 * flushes the WAL before copying it into the database file, and that file afterwards.
 */
export class WalSyncedSqliteDialect extends SqliteDialect {
  constructor(
    private readonly settings: SqliteDialectConfig & { database: SqliteDatabase.Database },
    private readonly wal: WalFile,
    private readonly handovers = new FlushHandovers(),
  ) {
    super(settings);
  }

  override createDriver(): Driver {
    return new WalSyncedSqliteDriver(this.settings, this.settings.database, this.wal, this.handovers);
  }
}

/** Where a flush is handed over instead of awaited (see `FlushHandovers.deferNextCommit`). */
export interface FlushHandover {
  /** Set at COMMIT when the transaction wrote something; resolves once that commit is on disk. */
  flush?: Promise<void>;
}

/**
 * Lets the group committer (group-commit.ts) take a commit's flush over: the connection is then
 * released at once and the next batch runs while the disk flushes, instead of waiting behind it.
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

class WalSyncedSqliteDriver extends SqliteDriver {
  private readonly connection: WalSyncedConnection;

  constructor(
    settings: SqliteDialectConfig,
    private readonly sqlite: SqliteDatabase.Database,
    private readonly wal: WalFile,
    private readonly handovers: FlushHandovers,
  ) {
    super(settings);
    this.connection = new WalSyncedConnection(sqlite, wal);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    await super.acquireConnection(); // SQLite has one connection: this waits for its mutex
    return this.connection;
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const handover = this.handovers.take();
    await super.commitTransaction(connection);
    if (!this.connection.takeWrites()) return; // a read-only transaction has nothing to flush
    const flush = this.wal.sync();
    if (!handover) return flush;
    flush.catch(() => undefined); // the handover's holder awaits it
    handover.flush = flush;
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    this.handovers.take();
    this.connection.takeWrites();
    // Already over: committed but its flush failed (the caller gets that error), or SQLite rolled
    // it back itself after an I/O or disk-full error. A ROLLBACK would only hide the real error.
    if (!this.sqlite.inTransaction) return;
    await super.rollbackTransaction(connection);
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    await this.wal.close();
  }
}

class WalSyncedConnection implements DatabaseConnection {
  private wrote = false;

  constructor(private readonly sqlite: SqliteDatabase.Database, private readonly wal: WalFile) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.sqlite.prepare(query.sql);
    const parameters = query.parameters as unknown[];
    let result: QueryResult<R>;
    if (statement.reader) {
      result = { rows: statement.all(parameters) as R[] };
    } else {
      const { changes, lastInsertRowid } = statement.run(parameters);
      result = { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    }
    if (!statement.readonly) {
      // A write in autocommit mode was committed by the statement itself; in a transaction, by COMMIT.
      if (this.sqlite.inTransaction) this.wrote = true;
      else await this.wal.sync();
    }
    return result;
  }

  /** Whether the transaction now ending wrote anything; forgets it for the next. */
  takeWrites(): boolean {
    const wrote = this.wrote;
    this.wrote = false;
    return wrote;
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not used by the gateway');
  }
}

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
