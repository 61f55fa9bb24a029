import type SqliteDatabase from 'better-sqlite3';
import {
  SqliteAdapter, SqliteDialect, SqliteDriver, type CompiledQuery, type DatabaseConnection, type DialectAdapter, type Driver,
  type QueryResult, type SqliteDialectConfig,
} from 'kysely';
import { remember } from '../common/bounded-map';
import type { FlushHandovers, WalFile } from './wal-flush';

export interface GatewaySqliteOptions {
  database: SqliteDatabase.Database;
  /** The name a result column gets in a row (the CamelCase plugin's), for rows read directly. */
  columnName: (column: string) => string;
  /**
   * FULL durability kept off the event loop: the connection commits at `NORMAL` and each commit is
   * then flushed from here (below). Without it SQLite's own `synchronous` setting applies.
   */
  flush?: { wal: WalFile; handovers: FlushHandovers };
}

/**
 * Kysely's SQLite dialect with the gateway's connection, for two reasons.
 *
 * Durability: SQLite at `synchronous = FULL` flushes the WAL inside every COMMIT, and
 * better-sqlite3 runs COMMIT on the event loop: while the disk flushes, no request is read, no
 * statement runs and no event is sent. With `flush`, the connection commits at `NORMAL` (the WAL is
 * written, not flushed) and the commit is then flushed with `fdatasync` of the WAL file on libuv's
 * thread pool. The guarantee is FULL's — nothing is acknowledged before it is on disk, so a power
 * cut takes back nothing a caller was told — while the event loop keeps serving: a transaction's
 * COMMIT resolves after its flush; a write outside a transaction (a statement that is not
 * read-only, in autocommit) resolves after its flush; the group committer takes its batch's flush
 * over (`FlushHandovers`), so the connection and the event loop are free while the disk flushes,
 * answers the batch once its flush is done and commits what came meanwhile as the next batch. A read — a read-only transaction, or a read outside one — flushes
 * nothing but resolves only once the flushes running when it ended are done: as with SQLite's own
 * FULL (where COMMIT held the connection until on disk), nobody acts on a row before it is durable,
 * e.g. answers a provider's retry "already stored" for a message a power cut could still take back.
 * Checkpoints are unchanged:
 * at `NORMAL` SQLite itself flushes the WAL before copying it into the database file, and that
 * file afterwards.
 *
 * Speed: inside a transaction the connection is already held (SQLite has one), so a fixed query
 * (fixed-query.ts) may run on it directly (`directConnection`): no executor, connection provider or
 * plugin pass, its statement prepared once in raw mode with its column names mapped once.
 */
export class GatewaySqliteDialect extends SqliteDialect {
  private readonly connection: GatewaySqliteConnection;

  constructor(private readonly options: GatewaySqliteOptions) {
    super({ database: options.database });
    this.connection = new GatewaySqliteConnection(options.database, options.columnName, options.flush?.wal);
  }

  override createDriver(): Driver {
    return new GatewaySqliteDriver({ database: this.options.database }, this.options.database, this.connection, this.options.flush);
  }

  override createAdapter(): DialectAdapter {
    const adapter = new SqliteAdapter();
    connections.set(adapter, this.connection);
    return adapter;
  }
}

const connections = new WeakMap<DialectAdapter, GatewaySqliteConnection>();

/**
 * The connection behind a Kysely instance of this dialect, to run a statement on directly; only
 * valid inside a transaction of that instance (which holds the one connection until it ends).
 */
export function directConnection(adapter: DialectAdapter): DirectConnection | undefined {
  return connections.get(adapter);
}

export interface DirectConnection {
  /** Runs one statement now, rows keyed as the plugins would key them. */
  run<R>(sql: string, parameters: readonly unknown[]): QueryResult<R>;
}

class GatewaySqliteDriver extends SqliteDriver {
  constructor(
    settings: SqliteDialectConfig,
    private readonly sqlite: SqliteDatabase.Database,
    private readonly connection: GatewaySqliteConnection,
    private readonly flush?: { wal: WalFile; handovers: FlushHandovers },
  ) {
    super(settings);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    await super.acquireConnection(); // SQLite has one connection: this waits for its mutex
    return this.connection;
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const handover = this.flush?.handovers.take();
    await super.commitTransaction(connection);
    const wrote = this.connection.takeWrites();
    if (!this.flush) return;
    // A read-only transaction flushes nothing, but what it read may be a commit still flushing:
    // its caller must not act on that (answer a provider's retry "stored") before it is on disk.
    const flushed = wrote ? this.flush.wal.sync() : this.flush.wal.durable();
    if (!handover) return flushed;
    flushed.catch(() => undefined); // the handover's holder awaits it
    handover.flush = flushed;
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    this.flush?.handovers.take();
    this.connection.takeWrites();
    // Already over: committed but its flush failed (the caller gets that error), or SQLite rolled
    // it back itself after an I/O or disk-full error. A ROLLBACK would only hide the real error.
    if (!this.sqlite.inTransaction) return;
    await super.rollbackTransaction(connection);
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    await this.flush?.wal.close();
  }
}

interface DirectStatement {
  statement: SqliteDatabase.Statement;
  /** Row keys by column position; empty for a statement that returns no rows. */
  keys: string[];
}

/** Statements kept prepared, by SQL text: the gateway runs a small, fixed set of queries. */
const MAX_PREPARED = 500;

class GatewaySqliteConnection implements DatabaseConnection, DirectConnection {
  private wrote = false;
  /** Kysely prepares every query anew; these are reused (rows as objects, for Kysely's plugins). */
  private readonly statements = new Map<string, SqliteDatabase.Statement>();
  private readonly direct = new Map<string, DirectStatement>();

  constructor(
    private readonly sqlite: SqliteDatabase.Database,
    private readonly columnName: (column: string) => string,
    private readonly wal?: WalFile,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    let statement = this.statements.get(query.sql);
    if (!statement) remember(this.statements, query.sql, (statement = this.sqlite.prepare(query.sql)), MAX_PREPARED);
    const parameters = query.parameters as unknown[];
    let result: QueryResult<R>;
    if (statement.reader) {
      result = { rows: statement.all(parameters) as R[] };
    } else {
      result = writeResult(statement.run(parameters));
    }
    if (!statement.readonly && this.sqlite.inTransaction) this.wrote = true;
    else if (this.wal && !this.sqlite.inTransaction) {
      // A write in autocommit mode was committed by the statement itself (in a transaction, COMMIT
      // does it); a read outside one waits for what it may have read to be on disk, as at COMMIT.
      await (statement.readonly ? this.wal.durable() : this.wal.sync());
    }
    return result;
  }

  run<R>(sql: string, parameters: readonly unknown[]): QueryResult<R> {
    if (!this.sqlite.inTransaction) throw new Error('a statement runs directly only inside a transaction');
    const prepared = this.prepared(sql);
    const { statement } = prepared;
    if (!statement.readonly) this.wrote = true;
    if (!statement.reader) return writeResult(statement.run(parameters as unknown[]));
    const values = statement.all(parameters as unknown[]) as unknown[][];
    // SQLite prepares a statement again after a schema change: a `select *` may then have more columns.
    if (values.length > 0 && values[0]!.length !== prepared.keys.length) prepared.keys = this.keysOf(statement);
    const { keys } = prepared;
    const rows = values.map((columns) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) row[keys[i]!] = columns[i];
      return row as R;
    });
    return { rows };
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

  private keysOf(statement: SqliteDatabase.Statement): string[] {
    return statement.columns().map((c) => this.columnName(c.name));
  }

  private prepared(sql: string): DirectStatement {
    let prepared = this.direct.get(sql);
    if (!prepared) {
      const statement = this.sqlite.prepare(sql);
      // Raw rows (arrays), keyed here once per statement rather than by name on every row.
      const keys = statement.reader ? this.keysOf(statement.raw(true)) : [];
      remember(this.direct, sql, (prepared = { statement, keys }), MAX_PREPARED);
    }
    return prepared;
  }
}

/** A write's result as Kysely's own SQLite driver reports it. */
function writeResult<R>({ changes, lastInsertRowid }: SqliteDatabase.RunResult): QueryResult<R> {
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}
