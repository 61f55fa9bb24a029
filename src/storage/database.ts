import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CamelCasePlugin, Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import { Pool, types as pgTypes } from 'pg';
import { LATEST_MIGRATION, migrationProvider } from './migrations';
import { GroupCommitter } from './group-commit';
import type { Database } from './schema';
import { inTransaction } from './store';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** Where the data lives, without credentials (for logs). */
  readonly location: string;
  /**
   * Runs `work` in a transaction and resolves once it is committed; a race on a unique key runs it
   * again. On SQLite concurrent units share one commit (group commit).
   */
  transaction<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<T>;
  /** Throws unless the store answers and every migration is applied. */
  check(): Promise<void>;
  close(): Promise<void>;
}

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
  sqlite.pragma(`synchronous = ${options.sqliteSynchronous ?? 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const inode = statSync(file).ino;
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
    plugins: [new CamelCasePlugin()],
  });
  const committer = new GroupCommitter(db);
  return {
    db,
    dialect: 'sqlite',
    transaction: (work) => committer.run(work),
    location: file,
    async check() {
      // An open handle keeps answering after its file was deleted or replaced; that is not ready.
      if (statSync(file, { throwIfNoEntry: false })?.ino !== inode) {
        throw new Error(`database file ${file} is gone or was replaced`);
      }
      await checkMigrated(db);
    },
    close: () => db.destroy(),
  };
}

/**
 * Kysely prepares every query anew; the gateway runs a small, fixed set of queries, so prepared
 * statements are kept by SQL text (bounded) and reused.
 */
function withStatementCache(sqlite: SqliteDatabase.Database, max = 500): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver);
      return (source: string) => {
        let statement = cache.get(source);
        if (!statement) {
          statement = target.prepare(source);
          if (cache.size >= max) cache.delete(cache.keys().next().value!);
          cache.set(source, statement);
        }
        return statement;
      };
    },
  });
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
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
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

/** Applies every pending migration; throws with the failing migration's error. */
export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
