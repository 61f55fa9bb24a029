import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CamelCasePlugin, Kysely, sql } from 'kysely';
import { CHECKPOINT_MIN_FRAMES, CHECKPOINT_PAGES, openDatabase } from './database';
import { GroupCommitter } from './group-commit';
import type { Database } from './schema';
import { FixedQuery } from './fixed-query';
import { directConnection, GatewaySqliteDialect } from './sqlite-dialect';
import { FlushHandovers, WalFile } from './wal-flush';
import { flushesStarted, gatedFlushes, settled } from '../../test/support/flush-gate';

const dialectOver = (database: SqliteDatabase.Database, flush?: { wal: WalFile; handovers: FlushHandovers }) =>
  new GatewaySqliteDialect({ database, columnName: (c) => c.replace(/_(.)/g, (_, x: string) => x.toUpperCase()), flush });

describe('GatewaySqliteDialect with the WAL flushed by the gateway', () => {
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
    db = new Kysely({ dialect: dialectOver(raw, { wal: new WalFile(join(dir, 'db-wal'), gate.flush), handovers: new FlushHandovers() }) });
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
    db = new Kysely({ dialect: dialectOver(raw, { wal: new WalFile(join(dir, 'db-wal'), gate.flush), handovers }) });
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

  it('holds the units that come while a batch flushes, then commits them as one batch, and answers each batch once its own flush is done', async () => {
    const first = [unit('a'), unit('b')];
    await flushesStarted(gate, 1);
    expect(await Promise.all(first.map(settled))).toEqual(['pending', 'pending']);

    const second = [unit('c')];
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
    second.push(unit('d'));
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['a', 'b']); // c and d wait for the first batch's flush
    expect(raw.prepare('select x from t order by x').all()).toEqual([{ x: 'a' }, { x: 'b' }]);

    await gate.finishNext();
    expect(await Promise.all(first)).toEqual(['a', 'b']);
    await flushesStarted(gate, 2);
    expect(ran).toEqual(['a', 'b', 'c', 'd']); // one batch, one commit, one flush
    expect(raw.prepare('select x from t order by x').all()).toEqual([{ x: 'a' }, { x: 'b' }, { x: 'c' }, { x: 'd' }]);
    expect(await Promise.all(second.map(settled))).toEqual(['pending', 'pending']);
    await gate.finishNext();
    expect(await Promise.all(second)).toEqual(['c', 'd']);
    expect(gate.started).toEqual(['flush 1', 'flush 2']);
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

  it('answers a read-only batch, and a read outside any, once the flush of the commit they may have read is done', async () => {
    const first = unit('f');
    await flushesStarted(gate, 1);
    // The connection is free again (the flush was handed over): both read the committed row.
    const read = committer.run(async (tx) => (await sql<{ x: string }>`select x from t`.execute(tx)).rows.map((r) => r.x));
    const outside = db.selectFrom('t' as never).selectAll().execute();
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(raw.prepare('select x from t').all()).toEqual([{ x: 'f' }]);
    expect(await settled(read)).toBe('pending');
    expect(await settled(outside)).toBe('pending');
    await gate.finishNext();
    expect(await first).toBe('f');
    expect(await read).toEqual(['f']);
    expect(await outside).toEqual([{ x: 'f' }]);
    expect(gate.started).toEqual(['flush 1']); // reads flush nothing themselves
    expect(await db.selectFrom('t' as never).selectAll().execute()).toEqual([{ x: 'f' }]); // none pending: at once
  });

  it('leaves a read-only batch nothing to flush', async () => {
    expect(await committer.run(async (tx) => (await sql<{ n: number }>`select count(*) as n from t`.execute(tx)).rows[0]!.n)).toBe(0);
    expect(gate.started).toEqual([]);
  });
});

describe('openDatabase: SQLite durability and checkpoints', () => {
  let dir: string;
  const file = () => join(dir, 'gw.db');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-open-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('commits at NORMAL with the WAL flushed by the gateway, and keeps what it acknowledged', async () => {
    const handle = openDatabase({ url: `sqlite:${file()}`, sqliteSynchronous: 'FULL' });
    expect(handle.synchronous).toBe('FULL');
    expect((await sql<{ synchronous: number }>`pragma synchronous`.execute(handle.db)).rows[0]!.synchronous).toBe(1);
    await handle.transaction((tx) => sql`create table kept (x integer)`.execute(tx));
    await handle.transaction((tx) => sql`insert into kept values (42)`.execute(tx));
    await handle.close();
    const reopened = new SqliteDatabase(file());
    expect(reopened.prepare('select x from kept').all()).toEqual([{ x: 42 }]);
    reopened.close();
  });

  it('leaves checkpoints to its own thread, with SQLite\'s at CHECKPOINT_PAGES as the bound', async () => {
    const handle = openDatabase({ url: `sqlite:${file()}`, sqliteSynchronous: 'NORMAL' });
    const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(handle.db)).rows[0] as object)[0];
    expect(await pragma('journal_size_limit')).toBe(64 * 1024 * 1024);
    expect(await pragma('wal_autocheckpoint')).toBe(CHECKPOINT_PAGES);
    await handle.transaction((tx) => sql`create table pages (x blob)`.execute(tx));
    const before = statSync(file()).size;
    // 50 commits of 50 rows of about a page each: 2,500 pages, far below the bound, so only the
    // thread can have copied them into the database file — all but fewer than CHECKPOINT_MIN_FRAMES,
    // which wait for more to come.
    for (let commit = 0; commit < 50; commit++) {
      await handle.transaction((tx) =>
        sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < 50) insert into pages select randomblob(4000) from n`.execute(tx));
    }
    let size = statSync(file()).size;
    const copied = before + (2_500 - CHECKPOINT_MIN_FRAMES) * 4096;
    for (const until = Date.now() + 5_000; size < copied && Date.now() < until; size = statSync(file()).size) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(size).toBeGreaterThanOrEqual(copied);
    await handle.close();
  });

  it('leaves NORMAL as SQLite has it', async () => {
    const handle = openDatabase({ url: `sqlite:${file()}`, sqliteSynchronous: 'NORMAL' });
    expect(handle.synchronous).toBe('NORMAL');
    expect((await sql<{ synchronous: number }>`pragma synchronous`.execute(handle.db)).rows[0]!.synchronous).toBe(1);
    await handle.close();
  });

  it('keeps temporary data (an UPDATE ... RETURNING\'s rows) in memory', async () => {
    const handle = openDatabase({ url: `sqlite:${file()}`, sqliteSynchronous: 'NORMAL' });
    expect(Object.values((await sql`pragma temp_store`.execute(handle.db)).rows[0] as object)).toEqual([2]); // MEMORY
    const returned = await handle.transaction(async (tx) => {
      await sql`create table counter (id integer primary key, value integer not null)`.execute(tx);
      await sql`insert into counter values (1, 41)`.execute(tx);
      return (await sql<{ value: number }>`update counter set value = value + 1 where id = 1 returning value`.execute(tx)).rows;
    });
    expect(returned).toEqual([{ value: 42 }]);
    await handle.close();
  });
});

describe('GatewaySqliteDialect: fixed queries inside a transaction run on the connection directly', () => {
  interface Tables { t: { someId: string; itemCount: number } }
  let dir: string;
  let raw: SqliteDatabase.Database;
  let db: Kysely<Tables>;
  let gate: ReturnType<typeof gatedFlushes>;
  const asGateway = (k: Kysely<Tables>) => k as unknown as Kysely<Database>;
  const byId = new FixedQuery<{ id: string }, Tables['t']>((k, v) =>
    (k as unknown as Kysely<Tables>).selectFrom('t').selectAll().where('someId', '=', v.id) as never);
  const add = new FixedQuery<{ id: string; count: number }, never>((k, v) =>
    (k as unknown as Kysely<Tables>).insertInto('t').values({ someId: v.id, itemCount: v.count }) as never);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-direct-'));
    raw = new SqliteDatabase(join(dir, 'db'));
    raw.pragma('journal_mode = WAL');
    raw.exec("create table t (some_id text, item_count integer); insert into t values ('a', 1)");
    gate = gatedFlushes();
    db = new Kysely<Tables>({
      dialect: dialectOver(raw, { wal: new WalFile(join(dir, 'db-wal'), gate.flush), handovers: new FlushHandovers() }),
      plugins: [new CamelCasePlugin()],
    });
  });
  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the rows Kysely would, keyed the same way, without going through its executor', async () => {
    const outside = await byId.rows(asGateway(db), { id: 'a' });
    const executed = jest.spyOn(db.getExecutor(), 'executeQuery');
    const inside = await db.transaction().execute(async (tx) => {
      const txExecuted = jest.spyOn(tx.getExecutor(), 'executeQuery');
      const rows = await byId.rows(asGateway(tx as unknown as Kysely<Tables>), { id: 'a' });
      expect(txExecuted).not.toHaveBeenCalled();
      return rows;
    });
    expect(inside).toEqual([{ someId: 'a', itemCount: 1 }]);
    expect(inside).toEqual(outside);
    expect(executed).not.toHaveBeenCalled();
    // The statement run directly (raw rows) is not the one Kysely's path reuses (rows as objects).
    expect(await byId.rows(asGateway(db), { id: 'a' })).toEqual([{ someId: 'a', itemCount: 1 }]);
  });

  it('counts a direct write as the transaction\'s, so its COMMIT is flushed', async () => {
    const done = db.transaction().execute((tx) => add.execute(asGateway(tx as unknown as Kysely<Tables>), { id: 'b', count: 2 }));
    await flushesStarted(gate, 1);
    expect(gate.started).toEqual(['flush 1']);
    expect(await settled(done)).toBe('pending');
    await gate.finishNext();
    expect((await done).numAffectedRows).toBe(1n);
  });

  it('keys the columns a `select *` gains after a schema change', async () => {
    const read = () => db.transaction().execute((tx) => byId.rows(asGateway(tx as unknown as Kysely<Tables>), { id: 'a' }));
    expect(await read()).toEqual([{ someId: 'a', itemCount: 1 }]);
    raw.exec('alter table t add column added_note text');
    expect(await read()).toEqual([{ someId: 'a', itemCount: 1, addedNote: null }]);
  });

  it('refuses to run directly outside a transaction', () => {
    const direct = directConnection(db.getExecutor().adapter)!;
    expect(() => direct.run('select 1', [])).toThrow('only inside a transaction');
  });
});
