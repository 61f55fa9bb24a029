import { startGatewayPair, type GatewayPair } from '../support/gateway-pair';
import { describeWithPostgres } from '../support/postgres';
import { EventClient } from '../support/ws-client';

/**
 * Two gateway processes on one PostgreSQL and one Redis: a tenant changed through the admin API
 * of one is applied by the other without a restart. The poll is set to a minute, so within the
 * test's seconds only the Redis signal of `tenant.updated` can carry the change.
 */
describeWithPostgres('tenant changes across two instances on PostgreSQL and Redis', () => {
  let pair: GatewayPair;
  let admin: string;
  let agent: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    pair = await startGatewayPair({ EVENTS_POLL_MS: '60000' });
    admin = await pair.jwt.sign({ agentId: 'ada', tenantId: 'default', roles: ['admin'] }, 3600);
    agent = await pair.jwt.sign({ agentId: 'alice', tenantId: 'default', roles: ['agent'] }, 3600);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await pair?.close();
  });

  const call = (url: string, method: string, path: string, token: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (r.status === 204 ? undefined : await r.json()) as any })); // eslint-disable-line @typescript-eslint/no-explicit-any

  it('applies a policy changed on A to B, and a number added on B to A', async () => {
    const onB = await EventClient.connect(pair.urlB, admin);
    clients.push(onB);
    onB.send({ op: 'subscribe', topics: ['tenant'] });
    await onB.next((f) => f.op === 'subscribed');

    const before = await call(pair.urlB, 'GET', '/v1/admin/tenants/default', admin);
    expect(before.body).toMatchObject({ version: 1, policies: { maxComposeLength: 1600 } });
    const changed = await call(pair.urlA, 'PATCH', '/v1/admin/tenants/default', admin, { policies: { maxComposeLength: 70, requireConsent: true } });
    expect(changed).toMatchObject({ status: 200, body: { version: 2 } });

    const announced = await onB.next((f) => f.op === 'event' && f.event.type === 'tenant.updated', 5000);
    expect(announced.event.data).toMatchObject({ version: 2, by: 'ada' });
    await until(async () => (await call(pair.urlB, 'GET', '/v1/me', agent)).body.tenant.maxComposeLength === 70);
    expect((await call(pair.urlB, 'GET', '/v1/admin/tenants/default', admin)).body).toMatchObject({ version: 2, policies: { maxComposeLength: 70, requireConsent: true } });

    const added = await call(pair.urlB, 'PUT', `/v1/admin/tenants/default/numbers/${encodeURIComponent('+14155550150')}`, admin, { provider: 'simulator' });
    expect(added).toMatchObject({ status: 200, body: { version: 3 } });
    await until(async () => (await call(pair.urlA, 'GET', '/v1/admin/tenants/default', admin)).body.version === 3);
    expect((await call(pair.urlA, 'GET', '/v1/admin/tenants/default', admin)).body.numbers).toEqual([{ number: '+14155550150', provider: 'simulator' }]);
  });

  it('loses no change when admins change different fields on both instances at once', async () => {
    const start = (await call(pair.urlA, 'GET', '/v1/admin/tenants/default', admin)).body.version as number;
    const templates = Array.from({ length: 8 }, (_, i) => `Template ${i}`);
    const results = await Promise.all([
      ...templates.map((_t, i) => call(i % 2 ? pair.urlB : pair.urlA, 'PATCH', '/v1/admin/tenants/default', admin, { policies: { stickyDays: 20 + i } })),
      call(pair.urlA, 'PATCH', '/v1/admin/tenants/default', admin, { policies: { smsTemplates: templates } }),
      call(pair.urlB, 'PATCH', '/v1/admin/tenants/default', admin, { policies: { dispositions: ['resolved'] } }),
    ]);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    await until(async () => (await call(pair.urlB, 'GET', '/v1/admin/tenants/default', admin)).body.version === start + 10);
    const after = (await call(pair.urlB, 'GET', '/v1/admin/tenants/default', admin)).body;
    expect(after.policies).toMatchObject({ smsTemplates: templates, dispositions: ['resolved'], maxComposeLength: 70 });
  });
});

async function until(probe: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
