import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackTasksRepository } from '../../src/callbacks/callbacks.repository';
import { applyCallback, type CallbackTask } from '../../src/callbacks/domain/callback-task';
import { newId } from '../../src/common/ids';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';
import { isUniqueViolation } from '../../src/storage/store';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

/** Migration 019 and the callback tasks repository, on a real SQLite file and a real PostgreSQL database. */
function callbackTasksSuite(open: () => Promise<{ handle: DatabaseHandle; cleanup: () => Promise<void> }>): void {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let repo: CallbackTasksRepository;
  const aTask = (over: Partial<CallbackTask> = {}): CallbackTask => ({
    id: newId(), tenantId: 'acme', conversationId: 'conv-1', contactId: 'contact-1', callId: newId(), number: '+14155550123', state: 'pending',
    agentId: null, dialedCallId: null, closedBy: null, requestedAt: '2026-12-04T10:00:00.000Z', assignedAt: null, closedAt: null,
    updatedAt: '2026-12-04T10:00:00.000Z', ...over,
  });

  beforeAll(async () => {
    ({ handle, cleanup } = await open());
    await migrate(handle.db);
    repo = new CallbackTasksRepository(handle.db);
  });
  afterAll(async () => {
    await handle.close();
    await cleanup();
  });

  it('keeps one task per call of a tenant', async () => {
    const first = aTask();
    await repo.insert(first);
    const again = await repo.insert(aTask({ callId: first.callId })).then(() => undefined, (error: unknown) => error);
    expect(isUniqueViolation(again)).toBe(true);
    expect((await repo.ofCall('acme', first.callId))?.id).toBe(first.id);
    expect(await repo.ofCall('other', first.callId)).toBeUndefined();
  });

  it('lets exactly one of racing transitions win, and only from the state it was read in', async () => {
    const task = aTask();
    await repo.insert(task);
    const tries = ['alice', 'bob', 'carol', 'dave', 'erin'].map((agentId) => repo.transition(applyCallback(task, { kind: 'assign', agentId }, '2026-12-04T10:01:00.000Z'), task));
    expect((await Promise.all(tries)).filter(Boolean)).toHaveLength(1);
    const assigned = (await repo.find('acme', task.id))!;
    expect(assigned).toMatchObject({ state: 'assigned', assignedAt: '2026-12-04T10:01:00.000Z' });
    // A stale read (pending, no agent) no longer matches.
    expect(await repo.transition(applyCallback(task, { kind: 'cancel', actor: { agentId: 'sue', supervises: true } }, '2026-12-04T10:02:00.000Z'), task)).toBe(false);
    const dialed = applyCallback(assigned, { kind: 'dial', actor: { agentId: assigned.agentId!, supervises: false } }, '2026-12-04T10:03:00.000Z');
    expect(await repo.transition(dialed, assigned)).toBe(true);
    await repo.setDialedCall('acme', task.id, 'call-out', '2026-12-04T10:03:01.000Z');
    expect(await repo.find('acme', task.id)).toMatchObject({ state: 'dialed', dialedCallId: 'call-out', closedBy: assigned.agentId });
    expect(await repo.find('other', task.id)).toBeUndefined();
  });

  it('lists by state, newest first, an agent’s view being theirs and the pending ones; counts what each agent holds', async () => {
    const t = 'listing';
    const pending = aTask({ tenantId: t, requestedAt: '2026-12-04T11:00:00.000Z' });
    const alices = aTask({ tenantId: t, state: 'assigned', agentId: 'alice', requestedAt: '2026-12-04T11:01:00.000Z' });
    const bobs = aTask({ tenantId: t, state: 'assigned', agentId: 'bob', requestedAt: '2026-12-04T11:02:00.000Z' });
    const done = aTask({ tenantId: t, state: 'dialed', agentId: 'alice', requestedAt: '2026-12-04T11:03:00.000Z' });
    for (const task of [pending, alices, bobs, done]) await repo.insert(task);
    expect((await repo.list(t, { limit: 10 })).map((x) => x.id)).toEqual([done.id, bobs.id, alices.id, pending.id]);
    expect((await repo.list(t, { limit: 10, visibleTo: 'alice' })).map((x) => x.id)).toEqual([done.id, alices.id, pending.id]);
    expect((await repo.list(t, { limit: 10, states: ['assigned'] })).map((x) => x.id)).toEqual([bobs.id, alices.id]);
    expect((await repo.pending(t, 10)).map((x) => x.id)).toEqual([pending.id]);
    expect(await repo.holding(t)).toEqual(new Map([['alice', 1], ['bob', 1]]));
  });
}

describe('callback tasks on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callback-tasks-db-'));
  callbackTasksSuite(async () => {
    const handle = openDatabase({ url: `sqlite:${join(dir, 'test.db')}` });
    return { handle, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describeWithPostgres('callback tasks on PostgreSQL', () => {
  callbackTasksSuite(async () => {
    const database: TestDatabase = await createTestDatabase();
    return { handle: openDatabase({ url: database.url }), cleanup: () => database.drop() };
  });
});

describe('migration 019 on a store already at 022 (numbers handed out ahead of the work)', () => {
  it('runs 019 after the later ones instead of refusing the store', async () => {
    const { Migrator } = await import('kysely');
    const { migrationProvider } = await import('../../src/storage/migrations');
    const dir = mkdtempSync(join(tmpdir(), 'callback-tasks-unordered-'));
    const handle = openDatabase({ url: `sqlite:${join(dir, 'test.db')}` });
    try {
      const all = await migrationProvider.getMigrations();
      const without019 = { getMigrations: async () => Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith('019-'))) };
      expect((await new Migrator({ db: handle.db, provider: without019 }).migrateToLatest()).error).toBeUndefined();
      await migrate(handle.db);
      await new CallbackTasksRepository(handle.db).insert({
        id: newId(), tenantId: 'acme', conversationId: 'c', contactId: 'k', callId: 'call', number: '+14155550123', state: 'pending', agentId: null,
        dialedCallId: null, closedBy: null, requestedAt: '2026-12-04T10:00:00.000Z', assignedAt: null, closedAt: null, updatedAt: '2026-12-04T10:00:00.000Z',
      });
    } finally {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
