import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CamelCasePlugin, Kysely, Migrator, PostgresDialect, sql, type Transaction,
} from 'kysely';
import { Pool, types as pgTypes } from 'pg';
import { LATEST_MIGRATION, migrationProvider } from './migrations';
import { GroupCommitter } from './group-commit';
import type { Database } from './schema';
import { inTransaction } from './store';
import { GatewaySqliteDialect } from './sqlite-dialect';
import { FlushHandovers, WalFile } from './wal-flush';
import { withPreparedStatements } from './pg-client';
import { BackgroundCheckpoint } from './background-checkpoint';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** Where the data lives, without credentials (for logs). */
  readonly location: string;
  /** SQLite: the durability of a commit, as configured (FULL is kept off the event loop). */
  readonly synchronous?: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
  /**
   * Runs `work` in a transaction and resolves once it is committed; a race on a unique key runs it
   * again. On SQLite concurrent units share one commit (group commit).
   */
  transaction<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<T>;
  /** Throws unless the store answers and every migration is applied. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** The WAL's length in pages at which a COMMIT checkpoints itself: the bound behind the checkpoint thread (see openSqlite). */
export const CHECKPOINT_PAGES = 10_000;
/**
 * How often the checkpoint thread looks at the WAL, and how many frames must wait for it to copy
 * them. Small enough that what is left for the bound's COMMIT is little (the longest COMMIT on the
 * bench: 3.5-5 ms; with 4,000 frames, 17 ms; with passes every 100 ms, up to 50 ms); not every
 * look, as each pass costs two fsyncs, which at FULL compete with the WAL's own flush.
 */
export const CHECKPOINT_INTERVAL_MS = 10;
export const CHECKPOINT_MIN_FRAMES = 500;
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface OpenOptions {
  url: string;
  sqliteSynchronous?: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
}

/** Opens SQLite (`sqlite:<path>`) or PostgreSQL (`postgres://…`) behind one Kysely query layer. */
export function openDatabase(options: OpenOptions): DatabaseHandle {
  return options.url.startsWith('sqlite:') ? openSqlite(options) : openPostgres(options.url);
}

function openSqlite(options: OpenOptions): DatabaseHandle {
  const file = resolve(options.url.slice('sqlite:'.length));
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  const synchronous = options.sqliteSynchronous ?? 'NORMAL';
  // FULL's flush of the WAL runs off the event loop, after a commit at NORMAL (sqlite-dialect.ts).
  const walSynced = synchronous === 'FULL';
  // The connection's own setting; the checkpoint thread's connection takes the same.
  const connectionSynchronous = walSynced ? 'NORMAL' : synchronous;
  sqlite.pragma(`synchronous = ${connectionSynchronous}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Temporary data in memory: SQLite gathers the rows of an UPDATE ... RETURNING (the event
  // counter's, once per change) in a temporary table, and with the default store every such
  // statement set up and released that table's cache: two brk calls per statement under strace,
  // 22 us per counter update against 1.5 us in memory. The gateway's temporary data stays small
  // (results of a page, no VACUUM), so memory is the place for it.
  sqlite.pragma('temp_store = MEMORY');
  // Checkpoints (copying the WAL's pages into the database file) run on a thread of their own
  // (background-checkpoint.ts): SQLite's automatic one runs inside the COMMIT that crosses its
  // threshold, on the event loop, with two fsyncs — measured on the SMS ingest bench, such commits
  // held the loop 20-200 ms and made up half of all time spent in COMMIT. SQLite's own stays as the
  // bound, every 10,000 pages: by then the thread has copied nearly everything, so the COMMIT that
  // crosses it copies the last few frames and the WAL starts over. The WAL file keeps its size
  // between restarts, up to 64 MiB (journal_size_limit) after a long reader let it grow beyond.
  sqlite.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
  sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  const inode = statSync(file).ino;
  // A first read opens the WAL and its index (`-shm`), which the checkpoint thread watches.
  sqlite.pragma('schema_version');
  const checkpoint = new BackgroundCheckpoint({
    file, intervalMs: CHECKPOINT_INTERVAL_MS, minFrames: CHECKPOINT_MIN_FRAMES, synchronous: connectionSynchronous,
  });
  const handovers = walSynced ? new FlushHandovers() : undefined;
  const camelCase = new RowKeys();
  const db = new Kysely<Database>({
    dialect: new GatewaySqliteDialect({
      database: sqlite,
      columnName: (column) => camelCase.key(column),
      flush: handovers && { wal: new WalFile(`${file}-wal`), handovers },
    }),
    plugins: [camelCase],
  });
  const committer = new GroupCommitter(db, handovers);
  return {
    db,
    dialect: 'sqlite',
    synchronous,
    transaction: (work) => committer.run(work),
    location: file,
    async check() {
      // An open handle keeps answering after its file was deleted or replaced; that is not ready.
      if (statSync(file, { throwIfNoEntry: false })?.ino !== inode) {
        throw new Error(`database file ${file} is gone or was replaced`);
      }
      await checkMigrated(db);
    },
    async close() {
      await checkpoint.stop();
      await db.destroy();
      checkpoint.release();
    },
  };
}

/** The CamelCase plugin, also naming the columns of rows read without it (sqlite-dialect.ts). */
class RowKeys extends CamelCasePlugin {
  key(column: string): string {
    return this.camelCase(column);
  }
}

function openPostgres(url: string): DatabaseHandle {
  const pool = new Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    // bigint columns (event sequence numbers) come back as numbers; they stay far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? Number : pgTypes.getTypeParser(oid, format as 'text')) as typeof pgTypes.getTypeParser,
    },
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }), plugins: [new CamelCasePlugin()] });
  const parsed = new URL(url);
  return {
    db,
    dialect: 'postgres',
    transaction: (work) => inTransaction(db, work),
    location: `postgres://${parsed.host}${parsed.pathname}`,
    check: () => checkMigrated(db),
    close: () => db.destroy(),
  };
}

async function checkMigrated(db: Kysely<Database>): Promise<void> {
  const result = await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(db);
  const latest = result.rows[0]?.name;
  if (latest !== LATEST_MIGRATION) {
    throw new Error(`schema is at ${latest ?? 'nothing'}, expected ${LATEST_MIGRATION}`);
  }
}

/**
 * Applies every pending migration; throws with the failing migration's error, or — when no
 * migration could even start (server down, wrong password, no such database) — with where the
 * store was looked for, named as the operator set it: DATABASE_URL.
 */
export async function migrate(db: Kysely<Database>, location = 'the store'): Promise<void> {
  // Numbers are handed out ahead of the work (019 callback tasks landed after 022): a store already
  // at 022 runs 019 too, rather than Kysely refusing it as out of order.
  const migrator = new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (!error) return;
  const cause = error instanceof Error ? error.message || (error as NodeJS.ErrnoException).code || error.name : String(error);
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  if (failed) throw new Error(`migration ${failed} failed: ${cause}`);
  throw new Error(`cannot use the store at DATABASE_URL (database.url) ${location}: ${cause}`);
}
