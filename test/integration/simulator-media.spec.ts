import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatorMediaRepository } from '../../src/messaging/simulator-media.repository';
import { SimulatorSmsProvider, simulatorMediaUrl } from '../../src/providers/simulator/simulator.sms';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';
import { createTestDatabase, describeWithPostgres } from '../support/postgres';

/** Simulated pictures round-trip byte for byte (SQLite blob, PostgreSQL bytea) and are served by the simulator. */
function mediaSuite(open: () => Promise<{ handle: DatabaseHandle; cleanup: () => Promise<void> }>): void {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ handle, cleanup } = await open());
    await migrate(handle.db);
  });
  afterAll(async () => {
    await handle.close();
    await cleanup();
  });

  // Every byte value, so no text encoding can pass for binary.
  const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));

  it('keeps the bytes exactly, per tenant, and serves them as the simulator provider', async () => {
    const repo = new SimulatorMediaRepository(handle.db);
    await repo.insert([{ id: 'M1', tenantId: 'acme', contentType: 'image/png', size: bytes.length, data: bytes, createdAt: '2026-01-01T00:00:00.000Z' }]);
    expect((await repo.find('acme', 'M1'))?.data.equals(bytes)).toBe(true);
    expect(await repo.find('other', 'M1')).toBeUndefined();

    const provider = new SimulatorSmsProvider();
    provider.serveMediaFrom((tenantId, id) => repo.find(tenantId, id));
    const got = await provider.fetchMedia(simulatorMediaUrl('acme', 'M1'), 'GET')!;
    expect([got.status, got.headers.get('content-type'), got.headers.get('content-length')]).toEqual([200, 'image/png', '512']);
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    const head = await provider.fetchMedia(simulatorMediaUrl('acme', 'M1'), 'HEAD')!;
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([200, '512', '']);
    expect((await provider.fetchMedia(simulatorMediaUrl('other', 'M1'), 'GET')!).status).toBe(404);
    // Only its own URLs: no other address is ever fetched by the simulator.
    expect(provider.fetchMedia('https://example.com/a.png', 'GET')).toBeUndefined();
    expect(provider.fetchMedia('simulator:media/acme/../M1', 'GET')).toBeUndefined();

    await repo.delete('acme', ['M1']);
    expect(await repo.find('acme', 'M1')).toBeUndefined();
  });
}

describe('simulator media on SQLite', () => {
  mediaSuite(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simulator-media-'));
    return { handle: openDatabase({ url: `sqlite:${join(dir, 'g.db')}` }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describeWithPostgres('simulator media on PostgreSQL', () => {
  mediaSuite(async () => {
    const db = await createTestDatabase();
    return { handle: openDatabase({ url: db.url }), cleanup: () => db.drop() };
  });
});
