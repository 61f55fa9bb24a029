import { FakeTwilio, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { startGatewayPair, type GatewayPair } from '../support/gateway-pair';
import { describeWithPostgres } from '../support/postgres';

const TENANT_SID = `AC${'de'.repeat(16)}`;
const TENANT_TOKEN = 'default-tenant-own-twilio-token';
const NUMBER = '+14155550160';

/**
 * Two gateway processes on one PostgreSQL and one Redis, the poll set to a minute: a key revoked
 * on A is refused by B at once (each request reads the store), and a tenant's own Twilio account
 * set on A is used by B for the tenant's next message, carried by the Redis signal of
 * `tenant.updated`.
 */
describeWithPostgres('API keys and tenant provider accounts across two instances', () => {
  const twilio = new FakeTwilio();
  let pair: GatewayPair;
  let admin: string;

  beforeAll(async () => {
    await twilio.start();
    twilio.addAccount(TENANT_SID, TENANT_TOKEN);
    pair = await startGatewayPair({
      EVENTS_POLL_MS: '60000', CREDENTIALS_KEY: 'e5'.repeat(32),
      TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_API_BASE_URL: twilio.url,
    });
    admin = await pair.jwt.sign({ agentId: 'ada', tenantId: 'default', roles: ['admin', 'supervisor'] }, 3600);
  }, 60_000);
  afterAll(async () => {
    await pair?.close();
    await twilio.stop();
  });

  const call = (url: string, method: string, path: string, token: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (r.status === 204 ? undefined : await r.json()) as any })); // eslint-disable-line @typescript-eslint/no-explicit-any

  it('refuses a key on B the moment A revokes it', async () => {
    const created = await call(pair.urlA, 'POST', '/v1/admin/api-keys', admin, { name: 'two instances', roles: ['supervisor'] });
    expect(created.status).toBe(201);
    expect((await call(pair.urlB, 'GET', '/v1/me', created.body.key)).status).toBe(200);
    expect((await call(pair.urlA, 'DELETE', `/v1/admin/api-keys/${created.body.id}`, admin)).status).toBe(204);
    expect(await call(pair.urlB, 'GET', '/v1/me', created.body.key)).toMatchObject({ status: 401, body: { detail: 'the token is invalid' } });
  });

  it('sends through the tenant’s own account on B once A stored it, without a restart', async () => {
    expect((await call(pair.urlA, 'PUT', `/v1/admin/tenants/default/numbers/${encodeURIComponent(NUMBER)}`, admin, { provider: 'twilio' })).status).toBe(200);
    expect((await call(pair.urlA, 'PATCH', '/v1/admin/tenants/default', admin, { smsProvider: 'twilio' })).status).toBe(200);
    const send = async (phone: string) => {
      const conv = await call(pair.urlB, 'POST', '/v1/conversations', admin, { contact: { phone } });
      return call(pair.urlB, 'POST', `/v1/conversations/${conv.body.id}/messages`, admin, { body: 'hello' });
    };
    await until(async () => (await send('+14155552691')).status === 202 && twilio.messages.at(-1)?.account === TWILIO_SID);

    expect((await call(pair.urlA, 'PUT', '/v1/admin/providers/twilio/credentials', admin, { accountSid: TENANT_SID, authToken: TENANT_TOKEN })).status).toBe(200);
    let n = 0;
    await until(async () => (await send(`+141555527${String(n++).padStart(2, '0')}`)).status === 202 && twilio.messages.at(-1)?.account === TENANT_SID);
    expect(twilio.messages.at(-1)!.authorization).toBe(`Basic ${Buffer.from(`${TENANT_SID}:${TENANT_TOKEN}`).toString('base64')}`);
  });
});

async function until(probe: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
