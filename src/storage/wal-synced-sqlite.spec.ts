import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { openDatabase } from './database';
import { GroupCommitter } from './group-commit';
import type { Database } from './schema';
import { FlushHandovers, WalFile, WalSyncedSqliteDialect } from './wal-synced-sqlite';

/** A flush the test finishes by hand, recording when each one started. */
function gatedFlushes() {
  const started: string[] = [];
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const flush = () => new Promise<void>((resolve, reject) => {
    started.push(`flush ${started.length + 1}`);
    pending.push({ resolve, reject });
  });
  const finishNext = async (error?: Error) => {
    const next = pending.shift()!;
    if (error) next.reject(error);
    else next.resolve();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { started, flush, finishNext };
}

/** Waits (a few event-loop turns at most) for the n-th flush to start: the file is opened first, off the loop. */
async function flushesStarted(gate: ReturnType<typeof gatedFlushes>, n: number): Promise<void> {
  for (let turn = 0; turn < 1000 && gate.started.length < n; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
}

const settled = async (promise: Promise<unknown>) => {
  let state = 'pending';
  promise.then(() => (state = 'resolved'), () => (state = 'rejected'));
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('WalFile', () => {
  let dir: string;
  let sqlite: SqliteDatabase.Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-file-'));
    sqlite = new SqliteDatabase(join(dir, 'db'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec('create table t (x integer)'); // the first write creates db-wal
  });
  afterEach(() => {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets callers arriving during a flush share the next one, never the one already running', async () => {
    const gate = gatedFlushes();
    const wal = new WalFile(join(dir, 'db-wal'), gate.flush);
    const first = wal.sync();
    await flushesStarted(gate, 1);
    const second = wal.sync();
    const third = wal.sync();
    expect(gate.started).toEqual(['flush 1']);

    await gate.finishNext();
    expect(await settled(first)).toBe('resolved');
    expect(await settled(second)).toBe('pending'); // its commit may be newer than flush 1's start
    expect(gate.started).toEqual(['flush 1', 'flush 2']);

    await gate.finishNext();
    expect(await settled(second)).toBe('resolved');
    expect(await settled(third)).toBe('resolved');
    expect(gate.started).toHaveLength(2);
    await wal.close();
  });

  it('reports a failed flush to its callers and flushes again for the next', async () => {
    const gate = gatedFlushes();
    const wal = new WalFile(join(dir, 'db-wal'), gate.flush);
    const failing = wal.sync();
    await flushesStarted(gate, 1);
    const reported = expect(failing).rejects.toMatchObject({ code: 'EIO' });
    await gate.finishNext(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await reported;
    const after = wal.sync();
    await flushesStarted(gate, 2);
    await gate.finishNext();
    await expect(after).resolves.toBeUndefined();
    await wal.close();
  });

  it('flushes the real file', async () => {
    const wal = new WalFile(join(dir, 'db-wal'));
    await expect(wal.sync()).resolves.toBeUndefined();
    await wal.close();
  });
});

describe('WalSyncedSqliteDialect', () => {
  let dir: string;
  let db: Kysely<{ t: { x: number } }>;
  let gate: ReturnType<typeof gatedFlushes>;
  let raw: SqliteDatabase.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wal-synced-'));
    raw = new SqliteDatabase(join(dir, 'db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec('create table t (x integer)');
    gate = gatedFlushes();
    db = new Kysely({ dialect: new WalSyncedSqliteDialect({ database: raw }, new WalFile(join(dir, 'db-wal'), gate.flush)) });
  });
  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a transaction only once the WAL is flushed after its COMMIT', async () => {
    const done = db.transaction().execute((tx) => tx.insertInto('t').values({ x: 1 }).execute());
    await flushesStarted(gate, 1);
    expect(gate.started).toEqual(['flush 1']);
    expect(raw.inTransaction).toBe(false); // committed, not yet acknowledged
    expect(await settled(done)).toBe('pending');
    await gate.finishNext();
    expect(await settled(done)).toBe('resolved');
  });

  it('flushes after a write outside a transaction, not after a read or inside a transaction', async () => {
    const write = db.insertInto('t').values({ x: 2 }).execute();
    await flushesStarted(gate, 1);
    expect(await settled(write)).toBe('pending');
    await gate.finishNext();
    expect(await settled(write)).toBe('resolved');

    await db.selectFrom('t').selectAll().execute();
    await sql`select count(*) from t`.execute(db);
    expect(gate.started).toEqual(['flush 1']);

    const unit = db.transaction().execute(async (tx) => {
      await tx.insertInto('t').values({ x: 3 }).execute();
      await tx.updateTable('t').set({ x: 4 }).where('x', '=', 3).execute();
      expect(gate.started).toEqual(['flush 1']);
    });
    await flushesStarted(gate, 2);
    expect(gate.started).toEqual(['flush 1', 'flush 2']);
    await gate.finishNext();
    await unit;
  });

  it('gives the caller the flush error (the commit stays; no ROLLBACK error hides it)', async () => {
    const done = db.transaction().execute((tx) => tx.insertInto('t').values({ x: 5 }).execute());
    await flushesStarted(gate, 1);
    const reported = expect(done).rejects.toMatchObject({ code: 'EIO' });
    await gate.finishNext(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await reported;
    expect(raw.prepare('select x from t').all()).toEqual([{ x: 5 }]);
  });

  it('rolls a failing transaction back without flushing', async () => {
    await expect(db.transaction().execute(async (tx) => {
      await tx.insertInto('t').values({ x: 6 }).execute();
      throw new Error('refused');
    })).rejects.toThrow('refused');
    expect(gate.started).toEqual([]);
    expect(raw.prepare('select x from t').all()).toEqual([]);
  });
});

describe('GroupCommitter with the flush handed over', () => {
  let dir: string;
  let raw: SqliteDatabase.Database;
  let db: Kysely<Database>;
  let gate: ReturnType<typeof gatedFlushes>;
  let committer: GroupCommitter;
  const ran: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-group-'));
    raw = new SqliteDatabase(join(dir, 'db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec('create table t (x text)');
    gate = gatedFlushes();
    ran.length = 0;
    const handovers = new FlushHandovers();
    db = new Kysely({ dialect: new WalSyncedSqliteDialect({ database: raw }, new WalFile(join(dir, 'db-wal'), gate.flush), handovers) });
    committer = new GroupCommitter(db, handovers);
  });
  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const unit = (x: string, fail = false) => committer.run(async (tx) => {
    ran.push(x);
    await sql`insert into t values (${x})`.execute(tx);
    if (fail) throw new Error(`${x} fails`);
    return x;
  });

  it('runs the next batch while the first flushes, and answers each batch once its own flush is done', async () => {
    const first = [unit('a'), unit('b')];
    await flushesStarted(gate, 1);
    expect(await Promise.all(first.map(settled))).toEqual(['pending', 'pending']);

    const second = unit('c');
    for (let turn = 0; turn < 100 && !ran.includes('c'); turn++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(ran).toEqual(['a', 'b', 'c']); // ran and committed while the disk flushed the first batch
    expect(raw.prepare('select x from t order by x').all()).toEqual([{ x: 'a' }, { x: 'b' }, { x: 'c' }]);
    expect(gate.started).toEqual(['flush 1']); // its flush waits for the running one
    expect(await settled(second)).toBe('pending');

    await gate.finishNext();
    expect(await Promise.all(first)).toEqual(['a', 'b']);
    expect(await settled(second)).toBe('pending');
    await flushesStarted(gate, 2);
    await gate.finishNext();
    expect(await second).toBe('c');
  });

  it('answers a failing unit at once and the others with the flush error when their flush fails', async () => {
    const units = [unit('d'), unit('e', true)];
    const failed = expect(units[1]).rejects.toThrow('e fails');
    await flushesStarted(gate, 1);
    await failed;
    const reported = expect(units[0]).rejects.toMatchObject({ code: 'EIO' });
    await gate.finishNext(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await reported;
  });

  it('leaves a read-only batch nothing to flush', async () => {
    expect(await committer.run(async (tx) => (await sql<{ n: number }>`select count(*) as n from t`.execute(tx)).rows[0]!.n)).toBe(0);
    expect(gate.started).toEqual([]);
  });
});

describe('openDatabase with sqliteSynchronous FULL', () => {
  it('commits at NORMAL with the WAL flushed by the gateway, and keeps what it acknowledged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wal-open-'));
    try {
      const url = `sqlite:${join(dir, 'gw.db')}`;
      const handle = openDatabase({ url, sqliteSynchronous: 'FULL' });
      expect(handle.synchronous).toBe('FULL');
      expect((await sql<{ synchronous: number }>`pragma synchronous`.execute(handle.db)).rows[0]!.synchronous).toBe(1);
      await handle.transaction((tx) => sql`create table kept (x integer)`.execute(tx));
      await handle.transaction((tx) => sql`insert into kept values (42)`.execute(tx));
      await handle.close();
      const reopened = new SqliteDatabase(join(dir, 'gw.db'));
      expect(reopened.prepare('select x from kept').all()).toEqual([{ x: 42 }]);
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves NORMAL as SQLite has it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wal-open-'));
    try {
      const handle = openDatabase({ url: `sqlite:${join(dir, 'gw.db')}`, sqliteSynchronous: 'NORMAL' });
      expect(handle.synchronous).toBe('NORMAL');
      expect((await sql<{ synchronous: number }>`pragma synchronous`.execute(handle.db)).rows[0]!.synchronous).toBe(1);
      await handle.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
