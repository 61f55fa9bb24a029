import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { BackgroundCheckpoint } from './background-checkpoint';

const PAGE = 4096;
const FRAME = PAGE + 24;

/** Polls `done` every 5 ms until it holds or `ms` passed; returns whether it held. */
async function eventually(done: () => boolean, ms = 5_000): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 5))) {
    if (done()) return true;
  }
  return done();
}

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
    checkpoint = new BackgroundCheckpoint({ file, intervalMs: 5, synchronous: 'NORMAL' });
    expect(await eventually(() => statSync(file).size >= before + 200 * PAGE)).toBe(true);
    expect(checkpoint.passes).toBeGreaterThan(0);
    expect(checkpoint.failure).toBeUndefined();
    expect(writer.prepare('select count(*) as n from pages').get()).toEqual({ n: 200 });
  });

  it('catches up between commits, so the writer starts the WAL over and it stays short', async () => {
    checkpoint = new BackgroundCheckpoint({ file, intervalMs: 5, synchronous: 'NORMAL' });
    // 20 bursts of 300 pages with a pause between: without the thread the WAL would be 6,000 pages long.
    for (let burst = 0; burst < 20; burst++) {
      writePages(300);
      const passes = checkpoint.passes;
      expect(await eventually(() => checkpoint!.passes >= passes + 2)).toBe(true);
    }
    expect(walFrames()).toBeLessThan(1_000);
    expect(writer.prepare('select count(*) as n from pages').get()).toEqual({ n: 6_000 });
  });

  it('ends its thread on stop(), once, and copies nothing after', async () => {
    checkpoint = new BackgroundCheckpoint({ file, intervalMs: 5, synchronous: 'NORMAL' });
    expect(await eventually(() => checkpoint!.passes > 0)).toBe(true);
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
    checkpoint = new BackgroundCheckpoint({ file: join(dir, 'missing.db'), intervalMs: 5, synchronous: 'NORMAL' });
    expect(await eventually(() => checkpoint!.failure !== undefined)).toBe(true);
    expect(checkpoint.failure).toMatch(/unable to open|does not exist|missing/i);
    await checkpoint.stop();
  });
});
