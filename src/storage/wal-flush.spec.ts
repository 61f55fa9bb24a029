import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { WalFile } from './wal-flush';
import { flushesStarted, gatedFlushes, settled } from '../../test/support/flush-gate';

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

  it('tells a reader when everything committed so far is on disk: at once when no flush is pending', async () => {
    const gate = gatedFlushes();
    const wal = new WalFile(join(dir, 'db-wal'), gate.flush);
    await expect(wal.durable()).resolves.toBeUndefined();
    const first = wal.sync();
    await flushesStarted(gate, 1);
    const second = wal.sync(); // queued behind the running one
    const durable = wal.durable();
    await gate.finishNext();
    await first;
    expect(await settled(durable)).toBe('pending'); // the queued flush covers a later commit
    await flushesStarted(gate, 2);
    await gate.finishNext();
    await second;
    expect(await settled(durable)).toBe('resolved');
    await wal.close();
  });

  it('flushes the real file', async () => {
    const wal = new WalFile(join(dir, 'db-wal'));
    await expect(wal.sync()).resolves.toBeUndefined();
    await wal.close();
  });
});
