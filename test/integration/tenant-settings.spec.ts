import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';
import { TenantsRepository } from '../../src/tenants/tenants.repository';
import { createTestDatabase, describeWithPostgres } from '../support/postgres';

/** The admin API's queries (migration 015), on a real SQLite file and a real PostgreSQL database. */
function suite(open: () => Promise<{ handle: DatabaseHandle; cleanup: () => Promise<void> }>): void {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let repo: TenantsRepository;
  const at = '2026-01-01T00:00:00.000Z';

  beforeAll(async () => {
    ({ handle, cleanup } = await open());
    await migrate(handle.db);
    repo = new TenantsRepository(handle.db);
    for (const id of ['acme', 'globex']) await repo.upsert({ id, name: id, defaultRegion: 'US' }, at);
  });
  afterAll(async () => {
    await handle.close();
    await cleanup();
  });

  it('seeds a tenant once: a second seed (another instance) leaves the first standing', async () => {
    expect(await repo.insertSettings('acme', '{"name":"first"}', at)).toBe(true);
    expect(await repo.insertSettings('acme', '{"name":"second"}', at)).toBe(false);
    expect(await repo.insertSettings('globex', '{"name":"globex"}', at)).toBe(true);
    expect(await repo.settings(['acme'])).toEqual([{ tenantId: 'acme', version: 1, document: '{"name":"first"}', updatedAt: at }]);
    expect(await repo.settingsVersions()).toEqual(expect.arrayContaining([{ tenantId: 'acme', version: 1 }, { tenantId: 'globex', version: 1 }]));
    expect(await repo.settings([])).toEqual([]);
  });

  it('writes a change only on top of the version it was made on', async () => {
    expect(await repo.updateSettings('acme', '{"name":"v2"}', 1, at)).toBe(true);
    expect(await repo.updateSettings('acme', '{"name":"lost"}', 1, at)).toBe(false);
    expect((await repo.settings(['acme']))[0]).toMatchObject({ version: 2, document: '{"name":"v2"}' });
    expect(await repo.bumpVersion('acme', at)).toBe(3);
    expect(await repo.bumpVersion('nobody', at)).toBeUndefined();
  });

  it('gives a number to one tenant only, with its provider, and never takes it from another', async () => {
    expect(await repo.putNumber('acme', '+14155550100', 'twilio')).toBe(true);
    expect(await repo.putNumber('globex', '+14155550100', 'simulator')).toBe(false);
    expect(await repo.putNumber('acme', '+14155550100', null)).toBe(true);
    expect(await repo.numbers(['acme', 'globex'])).toEqual([{ tenantId: 'acme', number: '+14155550100', provider: null }]);
    expect(await repo.ownerOfNumber('+14155550100')).toBe('acme');
    expect(await repo.deleteNumber('globex', '+14155550100')).toBe(false);
    expect(await repo.deleteNumber('acme', '+14155550100')).toBe(true);
    expect(await repo.ownerOfNumber('+14155550100')).toBeUndefined();
  });
}

describe('tenant settings on SQLite', () => {
  suite(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenant-settings-'));
    const handle = openDatabase({ url: `sqlite:${join(dir, 'test.db')}` });
    return { handle, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describeWithPostgres('tenant settings on PostgreSQL', () => {
  suite(async () => {
    const database = await createTestDatabase();
    return { handle: openDatabase({ url: database.url }), cleanup: () => database.drop() };
  });
});
