import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';
import { ApiKeysRepository } from '../../src/tenants/api-keys/api-keys.repository';
import { ProviderCredentialsRepository } from '../../src/tenants/provider-credentials/provider-credentials.repository';
import { createTestDatabase, describeWithPostgres } from '../support/postgres';

/** API keys and tenants' provider accounts (migration 018), on a real SQLite file and a real PostgreSQL database. */
function suite(open: () => Promise<{ handle: DatabaseHandle; cleanup: () => Promise<void> }>): void {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  let keys: ApiKeysRepository;
  let credentials: ProviderCredentialsRepository;
  const at = '2026-01-01T00:00:00.000Z';
  const key = (id: string, tenantId: string, createdAt = at) => ({
    id, tenantId, name: `key ${id}`, roles: ['supervisor'], agentId: null, secretHash: 'ab'.repeat(32), createdBy: 'ada', createdAt, lastUsedAt: null,
  });

  beforeAll(async () => {
    ({ handle, cleanup } = await open());
    await migrate(handle.db);
    keys = new ApiKeysRepository(handle.db);
    credentials = new ProviderCredentialsRepository(handle.db);
  });
  afterAll(async () => {
    await handle.close();
    await cleanup();
  });

  it('keeps keys per tenant, finds one by id, notes its use and revokes it for its tenant only', async () => {
    await keys.insert(key('00000000000000b2', 'acme', '2026-01-02T00:00:00.000Z'));
    await keys.insert(key('00000000000000a1', 'acme'));
    await keys.insert({ ...key('00000000000000c3', 'globex'), roles: ['agent'], agentId: 'bot-1' });
    expect((await keys.list('acme')).map((k) => k.id)).toEqual(['00000000000000a1', '00000000000000b2']);
    expect(await keys.find('00000000000000c3')).toEqual({ ...key('00000000000000c3', 'globex'), roles: ['agent'], agentId: 'bot-1' });
    expect(await keys.find('ffffffffffffffff')).toBeUndefined();
    await keys.touch('00000000000000a1', '2026-01-03T00:00:00.000Z');
    expect((await keys.find('00000000000000a1'))!.lastUsedAt).toBe('2026-01-03T00:00:00.000Z');
    expect(await keys.delete('globex', '00000000000000a1')).toBe(false);
    expect(await keys.delete('acme', '00000000000000a1')).toBe(true);
    expect(await keys.find('00000000000000a1')).toBeUndefined();
    expect(await keys.delete('acme', '00000000000000a1')).toBe(false);
  });

  it('keeps one account per tenant and provider, replaced by a second put', async () => {
    await credentials.put({ tenantId: 'acme', provider: 'twilio', sealed: 'v1.first', hints: { accountSid: '…0000' }, updatedAt: at });
    await credentials.put({ tenantId: 'acme', provider: 'twilio', sealed: 'v1.second', hints: { accountSid: '…1111' }, updatedAt: '2026-01-02T00:00:00.000Z' });
    await credentials.put({ tenantId: 'globex', provider: 'jambonz', sealed: 'v1.globex', hints: {}, updatedAt: at });
    expect(await credentials.list(['acme'])).toEqual([{ tenantId: 'acme', provider: 'twilio', sealed: 'v1.second', hints: { accountSid: '…1111' }, updatedAt: '2026-01-02T00:00:00.000Z' }]);
    expect((await credentials.list()).map((c) => `${c.tenantId}/${c.provider}`)).toEqual(['acme/twilio', 'globex/jambonz']);
    expect(await credentials.list([])).toEqual([]);
    expect(await credentials.delete('acme', 'jambonz')).toBe(false);
    expect(await credentials.delete('acme', 'twilio')).toBe(true);
    expect(await credentials.list(['acme'])).toEqual([]);
  });
}

describe('tenant API keys and provider accounts on SQLite', () => {
  suite(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenant-access-'));
    const handle = openDatabase({ url: `sqlite:${join(dir, 'test.db')}` });
    return { handle, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describeWithPostgres('tenant API keys and provider accounts on PostgreSQL', () => {
  suite(async () => {
    const database = await createTestDatabase();
    return { handle: openDatabase({ url: database.url }), cleanup: () => database.drop() };
  });
});
