import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';

/**
 * SQLite group commit on a real file: units submitted together share one transaction. At FULL the
 * batch's flush is taken over by the committer (storage/sqlite-dialect.ts): the same outcomes.
 */
describe.each(['NORMAL', 'FULL'] as const)('group commit (SQLite, synchronous %s)', (synchronous) => {
  let dir: string;
  let handle: DatabaseHandle;
  const at = '2026-01-01T00:00:00.000Z';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
    handle = openDatabase({ url: `sqlite:${join(dir, 'gateway.db')}`, sqliteSynchronous: synchronous });
    await migrate(handle.db);
  });

  afterAll(async () => {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A unit storing one tenant row (a cheap insert); counts how often it ran. */
  const unit = (id: string, runs: Map<string, number>, fail = false) => handle.transaction(async (tx) => {
    runs.set(id, (runs.get(id) ?? 0) + 1);
    await tx.insertInto('tenants').values({ id, name: id, defaultRegion: 'US', lastEventSeq: 0, createdAt: at }).execute();
    if (fail) throw new Error(`${id} fails`);
    return id;
  });
  const stored = async (ids: string[]) => (await handle.db.selectFrom('tenants').select('id').where('id', 'in', ids).execute()).map((r) => r.id).sort();

  it('runs each unit of a batch once when none fails, and commits them all', async () => {
    const runs = new Map<string, number>();
    const ids = ['s1', 's2', 's3', 's4'];
    expect(await Promise.all(ids.map((id) => unit(id, runs)))).toEqual(ids);
    expect([...runs.values()]).toEqual([1, 1, 1, 1]);
    expect(await stored(ids)).toEqual(ids);
  });

  it('runs a batch again apart when one unit fails: the others commit once, the failing one is rolled back', async () => {
    const runs = new Map<string, number>();
    const results = await Promise.allSettled([unit('f1', runs), unit('f2', runs, true), unit('f3', runs)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('f2 fails'));
    // f1 ran straight and again apart; f2 failed in both; f3 was reached only apart.
    expect(Object.fromEntries(runs)).toEqual({ f1: 2, f2: 2, f3: 1 });
    expect(await stored(['f1', 'f2', 'f3'])).toEqual(['f1', 'f3']);
  });
});
