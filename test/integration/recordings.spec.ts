import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../../src/common/ids';
import type { Recording } from '../../src/media/domain/recording';
import { RecordingsRepository } from '../../src/media/recordings.repository';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';
import { isUniqueViolation } from '../../src/storage/store';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

/** Migration 014 and the recordings repository, on a real SQLite file and a real PostgreSQL database. */
function recordingsSuite(open: () => Promise<{ handle: DatabaseHandle; cleanup: () => Promise<void> }>): void {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let repo: RecordingsRepository;
  const T0 = '2026-01-01T00:00:00.000Z';
  const aRecording = (over: Partial<Recording> = {}): Recording => ({
    id: newId(), tenantId: 'acme', callId: 'call-1', conversationId: 'conv-1', provider: 'simulator', providerRef: null, state: 'recording',
    pauseBehavior: 'silence', startedBy: 'alice', storageKey: null, contentType: null, size: null, durationMs: null, channels: null,
    startedAt: T0, endedAt: null, availableAt: null, deletedAt: null, updatedAt: T0, ...over,
  });

  beforeAll(async () => {
    ({ handle, cleanup } = await open());
    await migrate(handle.db);
    repo = new RecordingsRepository(handle.db);
  });
  afterAll(async () => {
    await handle.close();
    await cleanup();
  });

  it('keeps one live recording per call: a second live one is a unique violation, a finished one is not', async () => {
    const first = aRecording();
    await repo.insert(first);
    const second = await repo.insert(aRecording({ startedAt: '2026-01-01T00:01:00.000Z' })).then(() => undefined, (error: unknown) => error);
    expect(isUniqueViolation(second)).toBe(true);
    await repo.update({ ...first, state: 'available', storageKey: 'acme/x.wav', size: 44, durationMs: 0, channels: 2, availableAt: T0 });
    await repo.insert(aRecording({ startedAt: '2026-01-01T00:02:00.000Z' }));
    expect((await repo.ofCall('acme', 'call-1')).map((r) => r.state)).toEqual(['available', 'recording']);
  });

  it('finds by tenant (another tenant sees nothing) and lists what retention removes, oldest first', async () => {
    const old = aRecording({ callId: 'call-2', state: 'available', availableAt: '2025-01-01T00:00:00.000Z' });
    const recent = aRecording({ callId: 'call-3', state: 'available', availableAt: '2026-06-01T00:00:00.000Z' });
    const other = aRecording({ tenantId: 'other', callId: 'call-4', state: 'available', availableAt: '2025-01-01T00:00:00.000Z' });
    for (const r of [old, recent, other]) await repo.insert(r);
    expect(await repo.find('other', old.id)).toBeUndefined();
    expect((await repo.find('acme', old.id))?.availableAt).toBe(old.availableAt);
    expect((await repo.findById(other.id))?.tenantId).toBe('other');
    const first = (await repo.ofCall('acme', 'call-1'))[0]!;
    expect((await repo.availableBefore('acme', '2026-03-01T00:00:00.000Z', 10)).map((r) => r.id)).toEqual([old.id, first.id]);
  });
}

describe('recordings on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recordings-db-'));
  recordingsSuite(async () => {
    const handle = openDatabase({ url: `sqlite:${join(dir, 'test.db')}` });
    return { handle, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describeWithPostgres('recordings on PostgreSQL', () => {
  recordingsSuite(async () => {
    const database: TestDatabase = await createTestDatabase();
    return { handle: openDatabase({ url: database.url }), cleanup: () => database.drop() };
  });
});
