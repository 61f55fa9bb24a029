import { FakeDrachtio, ua } from '../support/fake-drachtio';
import { startTestGateway, type TestGateway } from '../support/gateway';

const TRUNK = 'sip:trunk.example.com:5060';
const AGENT = 'sip:1001@pbx.example.com';
const [MAIN, SALES] = ['+14155550100', '+14155550111'];

/**
 * The caller ID a customer sees on a SIP call placed through the API: the tenant's number, or the
 * request's `callerId` when the tenant owns it, as the From user and in P-Asserted-Identity of the
 * INVITE through the trunk (against a fake drachtio-server; test/integration/sipp-trunk.spec.ts
 * shows the same on a real one).
 */
describe('caller ID of a click-to-call through a SIP trunk', () => {
  let fake: FakeDrachtio;
  let gw: TestGateway;
  let token: string;

  beforeAll(async () => {
    fake = await FakeDrachtio.start({ secret: 'cymru', script: (invite) => (invite.uri?.includes('@trunk.example.com') ? ua.ringsThenAnswers() : ua.answers()) });
    gw = await startTestGateway({
      tenants: [{ id: 'acme', numbers: [MAIN, SALES], voiceProvider: 'sip' }],
      providers: { drachtio: { host: '127.0.0.1', port: fake.port, secret: 'cymru' }, sipTrunkUri: TRUNK, sipTrunkUsername: 'acme', sipTrunkPassword: 's3cret' },
    });
    token = await gw.token({ tenantId: 'acme' });
    const deadline = Date.now() + 5000;
    while ((await gw.request('GET', '/health/ready', { token: null })).body.checks['voice:sip']?.status !== 'up') {
      if (Date.now() > deadline) throw new Error('the gateway did not connect to the fake drachtio-server');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    await gw.close();
    await fake.close();
  });

  /** Places a call to `phone` and returns the INVITE that went to the trunk for it, then hangs up. */
  const customerInvite = async (phone: string, callerId?: string) => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone } } });
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: AGENT, ...(callerId && { callerId }) } });
    expect(placed.status).toBe(202);
    const uri = `sip:${phone}@trunk.example.com:5060`;
    const deadline = Date.now() + 5000;
    while (!fake.requests('INVITE').some((m) => m.uri === uri)) {
      if (Date.now() > deadline) throw new Error(`no INVITE to ${uri}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await gw.request('POST', `/v1/calls/${placed.body.id}/hangup`, { token });
    return fake.requests('INVITE').find((m) => m.uri === uri)!;
  };

  it("shows the tenant's first number when the request names none", async () => {
    const invite = await customerInvite('+14155552681');
    expect(invite.headers.from).toMatch(/^<?sip:\+14155550100@/);
    expect(invite.headers['p-asserted-identity']).toBe('<sip:+14155550100@trunk.example.com>');
  });

  it("shows the request's callerId when it is one of the tenant's numbers, and refuses another with 422 before any INVITE", async () => {
    const invite = await customerInvite('+14155552682', SALES);
    expect(invite.headers.from).toMatch(/^<?sip:\+14155550111@/);
    expect(invite.headers['p-asserted-identity']).toBe('<sip:+14155550111@trunk.example.com>');

    const sent = fake.requests('INVITE').length;
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552683' } } });
    const refused = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: AGENT, callerId: '+14155550199' } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].field).toBe('callerId');
    expect(fake.requests('INVITE')).toHaveLength(sent);
  });
});
