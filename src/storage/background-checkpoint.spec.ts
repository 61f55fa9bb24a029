import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { eventually } from '../../test/support/eventually';
import { BackgroundCheckpoint, pendingFrames } from './background-checkpoint';

const PAGE = 4096;
const FRAME = PAGE + 24;

/** Waits (polling every 5 ms, up to 5 s) until `done` holds. */
const until = (done: () => boolean): Promise<void> => eventually(() => expect(done()).toBe(true), 5_000, 5);

describe('pendingFrames: the frames a wal-index header says are not copied yet', () => {
  const header = (write: (b: Buffer) => void) => {
    const b = Buffer.alloc(136);
    write(b);
    return b;
  };
  it.each([
    ['little-endian', false, header((b) => { b.writeUInt32LE(3007000, 0); b.writeUInt32LE(900, 16); b.writeUInt32LE(250, 96); }), 650],
    ['big-endian', true, header((b) => { b.writeUInt32BE(3007000, 0); b.writeUInt32BE(900, 16); b.writeUInt32BE(250, 96); }), 650],
    ['all copied', false, header((b) => { b.writeUInt32LE(3007000, 0); b.writeUInt32LE(40, 16); b.writeUInt32LE(40, 96); }), 0],
    ['another format version', false, header((b) => { b.writeUInt32LE(3007001, 0); b.writeUInt32LE(900, 16); }), undefined],
    ['too short to hold it', false, Buffer.alloc(64), undefined],
  ])('%s', (_name, bigEndian, buffer, expected) => {
    expect(pendingFrames(buffer, bigEndian)).toBe(expected);
  });

  it('agrees with SQLite on a real WAL: frames written, then none once a checkpoint copied them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wal-index-'));
    const db = new SqliteDatabase(join(dir, 'x.db'));
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.exec('create table t (x blob)');
      for (let i = 0; i < 30; i++) db.prepare('insert into t values (randomblob(3000))').run();
      const shm = () => readFileSync(join(dir, 'x.db-shm')).subarray(0, 100);
      const before = pendingFrames(shm(), endianness() === 'BE');
      const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>;
      expect(before).toBe(log);
      expect(checkpointed).toBe(log);
      expect(pendingFrames(shm(), endianness() === 'BE')).toBe(0);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('BackgroundCheckpoint: the WAL copied into the database file from a thread of its own', () => {
  let dir: string;
  let file: string;
  let writer: SqliteDatabase.Database;
  let checkpoint: BackgroundCheckpoint | undefined;
  const writePages = (pages: number) =>
    writer.prepare('with recursive n(i) as (select 1 union all select i + 1 from n where i < ?) insert into pages select randomblob(4000) from n').run(pages);
  const walFrames = () => Math.floor(statSync(`${file}-wal`).size / FRAME);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'checkpoint-'));
    file = join(dir, 'gw.db');
    writer = new SqliteDatabase(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('synchronous = NORMAL');
    // The writer never checkpoints itself: whatever reaches the database file was copied by the thread.
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('create table pages (x blob)');
  });
  afterEach(async () => {
    await checkpoint?.stop();
    checkpoint = undefined;
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies committed pages into the database file while the writer does no checkpoint', async () => {
    const before = statSync(file).size;
    writePages(200);
    expect(statSync(file).size).toBe(before); // in the WAL only
    checkpoint = new BackgroundCheckpoint({ file, intervalMs: 5, minFrames: 1, synchronous: 'NORMAL' });
    // The pass is counted when its message arrives, just after the file grew.
    await until(() => statSync(file).size >= before + 200 * PAGE && checkpoint!.passes > 0);
    expect(checkpoint.failure).toBeUndefined();
    expect(writer.prepare('select count(*) as n from pages').get()).toEqual({ n: 200 });
  });

  it('catches up between commits, so the writer starts the WAL over and it stays short', async () => {
    checkpoint = new BackgroundCheckpoint({ file, intervalMs: 5, minFrames: 1, synchronous: 'NORMAL' });
    // 20 bursts of 300 pages with a pause between: without the thread the WAL would be 6,000 pages long.
    for (let burst = 0; burst < 20; burst++) {
      const passes = checkpoint.passes;
      writePages(300);
      await until(() => checkpoint!.passes > passes);
    }
    expect(walFrames()).toBeLessThan(1_000);
    expect(writer.prepare('select count(*) as n from pages').get()).toEqual({ n: 6_000 });
  });

  it('waits until minFrames frames are there to copy', async () => {
    checkpoint = new BackgroundCheckpoint({ file, intervalMs: 5, minFrames: 300, synchronous: 'NORMAL' });
    const before = statSync(file).size;
    writePages(200);
    await new Promise((r) => setTimeout(r, 100)); // some twenty looks
    expect(checkpoint.passes).toBe(0);
    expect(statSync(file).size).toBe(before);
    writePages(200);
    await until(() => statSync(file).size >= before + 400 * PAGE && checkpoint!.passes > 0);
    expect(checkpoint.passes).toBe(1);
  });

  it('ends its thread on stop(), once, and copies nothing after', async () => {
    checkpoint = new BackgroundCheckpoint({ file, intervalMs: 5, minFrames: 1, synchronous: 'NORMAL' });
    writePages(10);
    await until(() => checkpoint!.passes > 0);
    await checkpoint.stop();
    await checkpoint.stop();
    const passes = checkpoint.passes;
    const size = statSync(file).size;
    writePages(50);
    await new Promise((r) => setTimeout(r, 50));
    expect(checkpoint.passes).toBe(passes);
    expect(statSync(file).size).toBe(size);
  });

  it('reports a file it cannot open instead of throwing, and stops cleanly', async () => {
    checkpoint = new BackgroundCheckpoint({ file: join(dir, 'missing.db'), intervalMs: 5, minFrames: 1, synchronous: 'NORMAL' });
    await until(() => checkpoint!.failure !== undefined);
    expect(checkpoint.failure).toMatch(/unable to open|does not exist|missing/i);
    await checkpoint.stop();
  });
});
