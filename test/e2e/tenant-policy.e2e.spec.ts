import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from '../support/gateway';

/** A Twilio account that is configured but never reached: these requests are refused before any dialling. */
const UNREACHED_TWILIO = { accountSid: `AC${'0'.repeat(32)}`, authToken: 'unused-auth-token', apiBaseUrl: 'http://127.0.0.1:9' };
const CUSTOMER = '+14155552671';

describe('whom agents may dial and which number customers see', () => {
  let gw: TestGateway;
  let acme: string;
  let globex: string;
  let bare: string;

  beforeAll(async () => {
    gw = await startTestGateway({
      // What production.yaml sets: agents are the provider's registered users unless a tenant lists more.
      defaults: { agentEndpoints: ['user:*'] },
      providers: { twilio: UNREACHED_TWILIO },
      tenants: [
        {
          id: 'acme', numbers: ['+14155550100', '+14155550101'], voiceProvider: 'simulator',
          agentEndpoints: ['user:*', 'sip:*@pbx.acme.example', '+44207183*'],
        },
        { id: 'globex', numbers: ['+14155550199'], voiceProvider: 'simulator' },
        { id: 'bare', voiceProvider: 'twilio' },
      ],
    });
    acme = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    globex = await gw.token({ tenantId: 'globex', agentId: 'gina' });
    bare = await gw.token({ tenantId: 'bare', agentId: 'bob' });
  });
  afterAll(async () => { await gw.close(); });

  let session = 0;
  const conversation = async (token: string): Promise<string> =>
    (await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: CUSTOMER }, chat: { sessionId: `policy-${++session}` } } })).body.id;
  const call = (token: string, conversationId: string, body: object) =>
    gw.request('POST', `/v1/conversations/${conversationId}/calls`, { token, body });
  const refusedField = (res: { status: number; body: { errors?: { field: string }[] } }) => [res.status, res.body.errors?.[0]?.field];

  it('shows the customer only one of the tenant’s own numbers', async () => {
    const conv = await conversation(acme);
    expect(refusedField(await call(acme, conv, { agentEndpoint: 'user:alice', callerId: '+14155550199' }))).toEqual([422, 'callerId']);
    expect(refusedField(await call(acme, conv, { agentEndpoint: 'user:alice', callerId: '+14155552672' }))).toEqual([422, 'callerId']);
    const placed = await call(acme, conv, { agentEndpoint: 'user:alice', callerId: '(415) 555-0101' });
    expect(placed.status).toBe(202);
    expect(placed.body.from).toBe('+14155550101');
  });

  it('lets a tenant without numbers call only on the simulator, from the simulator’s fake number', async () => {
    const conv = await conversation(bare);
    expect(refusedField(await call(bare, conv, { agentEndpoint: 'user:bob' }))).toEqual([422, 'tenant.numbers']);
    expect(refusedField(await call(bare, conv, { agentEndpoint: 'user:bob', callerId: '+14155550100' }))).toEqual([422, 'callerId']);
    const simulated = await call(bare, conv, { agentEndpoint: 'user:bob', provider: 'simulator' });
    expect(simulated.status).toBe(202);
    expect(simulated.body).toMatchObject({ provider: 'simulator', from: '+15550100000' });
  });

  it.each([
    ['another SIP host', 'sip:1001@evil.example'],
    ['a parameter that reroutes the request', 'sip:1001@pbx.acme.example;maddr=evil.example'],
    ['another port', 'sip:1001@pbx.acme.example:5080'],
    ['a number outside the range', '+14155552672'],
  ])('refuses %s as the agent leg, naming agentEndpoint', async (_what, agentEndpoint) => {
    const conv = await conversation(acme);
    const refused = await call(acme, conv, { agentEndpoint });
    expect(refusedField(refused)).toEqual([422, 'agentEndpoint']);
    expect(refused.body.detail).toContain("is not one of this tenant's allowed agent endpoints (user:*, sip:*@pbx.acme.example, +44207183*)");
    // Nothing was recorded: the conversation takes a call at once.
    expect((await call(acme, conv, { agentEndpoint: 'user:alice' })).status).toBe(202);
  });

  it.each([['sip:1001@pbx.acme.example'], ['+442071831234'], ['user:alice']])('dials %s, which acme allows', async (agentEndpoint) => {
    const placed = await call(acme, await conversation(acme), { agentEndpoint });
    expect(placed.status).toBe(202);
    expect(placed.body.agentEndpoint).toBe(agentEndpoint);
  });

  it('holds a tenant without its own list to the default (only user:*)', async () => {
    const conv = await conversation(globex);
    expect(refusedField(await call(globex, conv, { agentEndpoint: 'sip:1001@pbx.acme.example' }))).toEqual([422, 'agentEndpoint']);
    expect(refusedField(await call(globex, conv, { agentEndpoint: '+442071831234' }))).toEqual([422, 'agentEndpoint']);
    expect((await call(globex, conv, { agentEndpoint: 'user:gina' })).status).toBe(202);
  });

  it('transfers the customer only to what the tenant allows, naming to', async () => {
    const placed = await call(acme, await conversation(acme), { agentEndpoint: 'user:alice' });
    const id = placed.body.id as string;
    for (let state = placed.body.state; state !== 'answered'; state = (await gw.request('GET', `/v1/calls/${id}`, { token: acme })).body.state) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const transfer = (to: string) => gw.request('POST', `/v1/calls/${id}/transfer`, { token: acme, body: { to } });
    expect(refusedField(await transfer('+14155552672'))).toEqual([422, 'to']);
    expect(refusedField(await transfer('sip:claims@evil.example'))).toEqual([422, 'to']);
    expect((await transfer('+442071830001')).status).toBe(200);
  });
});

describe('the simulator where customers are real', () => {
  let gw: TestGateway;
  const boot = (allTenants: boolean) => startTestGateway({
    simulator: { allTenants },
    providers: { twilio: UNREACHED_TWILIO },
    tenants: [
      { id: 'acme', numbers: ['+14155550100'], smsProvider: 'twilio' },
      { id: 'sandbox', numbers: ['+14155550300'], smsProvider: 'simulator' },
    ],
  });
  const text = async (tenantId: string, to: string) =>
    gw.request('POST', '/v1/simulator/inbound-sms', { token: await gw.token({ tenantId, roles: ['supervisor'] }), body: { from: CUSTOMER, to, body: 'STOP' } });
  afterEach(async () => { await gw.close(); });

  it('answers 404 to a tenant on a real provider when the simulator serves only simulated tenants (production), and records nothing', async () => {
    gw = await boot(false);
    const refused = await text('acme', '+14155550100');
    expect(refused.status).toBe(404);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.detail).toBe('the simulator does not serve this tenant: its SMS provider is twilio (simulator.allTenants is off)');
    const customer = await gw.request('GET', `/v1/contacts?phone=${encodeURIComponent(CUSTOMER)}`, { token: await gw.token({ tenantId: 'acme' }) });
    expect(customer.body.items).toEqual([]);
    expect((await text('sandbox', '+14155550300')).status).toBe(202);
  });

  it('serves every tenant where the operator allows it (development)', async () => {
    gw = await boot(true);
    expect((await text('acme', '+14155550100')).status).toBe(202);
  });
});

describe('tenant numbers across restarts', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gateway-numbers-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts after the configuration moved a number, keeps the store’s owner (the YAML is a seed), and moves it through the admin API', async () => {
    const database = { url: `sqlite:${join(dir, 'gateway.db')}` };
    const before = await startTestGateway({ database, tenants: [{ id: 'acme', numbers: [] }, { id: 'globex', numbers: ['+14155550100'] }] });
    await before.close();
    const gw = await startTestGateway({ database, tenants: [{ id: 'acme', numbers: ['+14155550100'] }, { id: 'globex', numbers: [] }] });
    try {
      const text = async (tenantId: string) => gw.request('POST', '/v1/simulator/inbound-sms', {
        token: await gw.token({ tenantId, roles: ['supervisor'] }), body: { from: CUSTOMER, to: '+14155550100', body: 'hello' },
      });
      expect((await text('globex')).status).toBe(202);
      expect((await text('acme')).status).toBe(404);
      const admin = async (tenantId: string) => gw.token({ tenantId, roles: ['admin'] });
      expect((await gw.request('DELETE', '/v1/admin/tenants/globex/numbers/%2B14155550100', { token: await admin('globex') })).status).toBe(204);
      expect((await gw.request('PUT', '/v1/admin/tenants/acme/numbers/%2B14155550100', { token: await admin('acme'), body: {} })).status).toBe(200);
      expect((await text('acme')).status).toBe(202);
      expect((await text('globex')).status).toBe(404);
    } finally {
      await gw.close();
    }
  });
});
