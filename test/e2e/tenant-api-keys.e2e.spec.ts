import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

/**
 * API keys for machine clients: an admin creates one (its secret is answered once and never again),
 * lists and revokes them; the key is a bearer token wherever a JWT is (REST, the events socket's
 * header and `access_token`), with the key's roles in the key's tenant; a revoked key is refused by
 * a second instance on the same store at once, with the words a bad token gets.
 */
describe('tenant API keys', () => {
  let gw: TestGateway;
  let other: TestGateway;
  let admin: string;
  let adminSupervisor: string;
  let globexAdmin: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [{ id: 'acme', numbers: ['+14155550100'], smsProvider: 'simulator' }, { id: 'globex', numbers: ['+14155550199'], smsProvider: 'simulator' }],
      // Heartbeats (and so the check of a socket's key) every 200 ms.
      events: { pollMs: 100, heartbeatMs: 200 },
    });
    // A second instance on the same SQLite file (and so the same keys).
    other = await startTestGateway({ tenants: gw.config.tenants, database: { url: gw.config.database.url }, auth: { jwtSecret: gw.config.auth.jwtSecret } });
    admin = await gw.token({ tenantId: 'acme', agentId: 'ada', roles: ['admin'] });
    adminSupervisor = await gw.token({ tenantId: 'acme', agentId: 'ada', roles: ['admin', 'supervisor', 'agent'] });
    globexAdmin = await gw.token({ tenantId: 'globex', agentId: 'gil', roles: ['admin'] });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await other?.close();
    await gw?.close();
  });

  const create = (body: unknown, token = admin) => gw.request('POST', '/v1/admin/api-keys', { token, body });

  it('answers the key once, stores no secret, and lists it without one', async () => {
    const created = await create({ name: 'CRM sync', roles: ['admin'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'CRM sync', roles: ['admin'], agentId: null, createdBy: 'ada', lastUsedAt: null });
    expect(created.body.key).toMatch(new RegExp(`^gk_${created.body.id}_[A-Za-z0-9_-]{43}$`));
    const listed = await gw.request('GET', '/v1/admin/api-keys', { token: admin });
    expect(listed.status).toBe(200);
    const mine = listed.body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(mine).toEqual({ id: created.body.id, name: 'CRM sync', roles: ['admin'], agentId: null, createdBy: 'ada', createdAt: created.body.createdAt, lastUsedAt: null });
    expect(listed.text).not.toContain(created.body.key.slice(-43));
    // Another tenant's admin sees none of acme's keys and cannot revoke them.
    expect((await gw.request('GET', '/v1/admin/api-keys', { token: globexAdmin })).body.items).toEqual([]);
    expect((await gw.request('DELETE', `/v1/admin/api-keys/${created.body.id}`, { token: globexAdmin })).status).toBe(404);
  });

  it('is a bearer token of its tenant with its roles, on REST and on the events socket', async () => {
    const { body: key } = await create({ name: 'reporting', roles: ['supervisor'] }, adminSupervisor);
    const me = await gw.request('GET', '/v1/me', { token: key.key });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ agentId: `apikey:${key.id}`, roles: ['supervisor'], tenant: { id: 'acme' } });
    // Its roles, not the creator's: the admin API needs admin.
    expect((await gw.request('GET', '/v1/admin/api-keys', { token: key.key })).status).toBe(403);

    for (const via of ['header', 'query'] as const) {
      const socket = await EventClient.connect(gw.url, key.key, via);
      clients.push(socket);
      socket.send({ op: 'subscribe', topics: ['tenant'] });
      await socket.next((f) => f.op === 'subscribed');
    }
    // Its use is noted (written after the answer, so waited for).
    const lastUsed = async () => (await gw.request('GET', '/v1/admin/api-keys', { token: admin })).body.items.find((k: { id: string }) => k.id === key.id).lastUsedAt;
    for (let n = 0; n < 50 && (await lastUsed()) === null; n++) await new Promise((r) => setTimeout(r, 20));
    expect(await lastUsed()).toEqual(expect.any(String));
  });

  it('acts as the named agent with the agent role, and refuses what the creator may not grant', async () => {
    const noAgent = await create({ name: 'bot', roles: ['agent'] }, adminSupervisor);
    expect(noAgent).toMatchObject({ status: 422, body: { errors: [{ field: 'agentId' }] } });
    const beyond = await create({ name: 'too much', roles: ['supervisor'] });
    expect(beyond).toMatchObject({ status: 422, body: { errors: [{ field: 'roles', message: expect.stringContaining('supervisor is not among them') }] } });
    for (const bad of [{ roles: ['admin'] }, { name: 'x', roles: [] }, { name: 'x', roles: ['root'] }, { name: 'x', roles: ['admin'], agentId: 'apikey:1' }, { name: '', roles: ['admin'] }]) {
      expect([400, 422]).toContain((await create(bad)).status);
    }
    for (const field of ['name', 'roles', 'agentId']) {
      const nulled = await create({ name: 'n', roles: ['admin'], agentId: 'x', [field]: null });
      expect([field, nulled.status, [...new Set(nulled.body.errors?.map((e: { field: string }) => e.field))]]).toEqual([field, 400, [field]]);
    }
    const bot = await create({ name: 'bot', roles: ['agent'], agentId: 'bot-1' }, adminSupervisor);
    expect(bot.status).toBe(201);
    const me = await gw.request('GET', '/v1/me', { token: bot.body.key });
    expect(me.body).toMatchObject({ agentId: 'bot-1', roles: ['agent'], tenant: { id: 'acme' } });
  });

  it('refuses an unknown, altered or revoked key with the words of a bad token, on every instance at once', async () => {
    const { body: key } = await create({ name: 'temporary', roles: ['admin'] });
    expect((await other.request('GET', '/v1/admin/api-keys', { token: key.key })).status).toBe(200);
    const badJwt = await gw.request('GET', '/v1/me', { token: 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln' });
    expect(badJwt.status).toBe(401);
    const altered = key.key.slice(0, -1) + (key.key.endsWith('A') ? 'B' : 'A');
    const unknown = `gk_0000000000000000_${key.key.slice(-43)}`;
    for (const token of [altered, unknown, 'gk_nonsense']) {
      const refused = await gw.request('GET', '/v1/me', { token });
      expect(refused.status).toBe(401);
      expect(refused.body.detail).toBe(badJwt.body.detail);
    }

    const open = await EventClient.connect(gw.url, key.key);
    clients.push(open);
    expect((await gw.request('DELETE', `/v1/admin/api-keys/${key.id}`, { token: admin })).status).toBe(204);
    // A socket opened with the key is closed at its next heartbeat.
    expect(await open.closedWith(3000)).toEqual({ code: 4001, reason: 'the API key was revoked' });
    for (const instance of [gw, other]) {
      const refused = await instance.request('GET', '/v1/me', { token: key.key });
      expect(refused).toMatchObject({ status: 401, body: { detail: badJwt.body.detail } });
    }
    await expect(EventClient.connect(other.url, key.key, 'query')).rejects.toThrow(/401/);
    expect((await gw.request('DELETE', `/v1/admin/api-keys/${key.id}`, { token: admin })).status).toBe(404);
    expect((await gw.request('GET', '/v1/admin/api-keys', { token: admin })).body.items.map((k: { id: string }) => k.id)).not.toContain(key.id);
  });

  it('announces a new and a revoked key to admins as tenant.updated', async () => {
    const admins = await EventClient.connect(gw.url, admin);
    clients.push(admins);
    admins.send({ op: 'subscribe', topics: ['tenant'] });
    await admins.next((f) => f.op === 'subscribed');
    const { body: key } = await create({ name: 'announced', roles: ['admin'] });
    const made = await admins.next((f) => f.op === 'event' && f.event.type === 'tenant.updated', 5000);
    expect(made.event.data).toMatchObject({ changed: ['apiKeys'], by: 'ada' });
    await gw.request('DELETE', `/v1/admin/api-keys/${key.id}`, { token: admin });
    const gone = await admins.next((f) => f.op === 'event' && f.event.type === 'tenant.updated' && f.event.data.version > made.event.data.version, 5000);
    expect(gone.event.data).toMatchObject({ changed: ['apiKeys'] });
  });
});
