import { FakeJambonz } from '../support/fake-jambonz';
import { FakeTelnyx } from '../support/fake-telnyx';
import { FakeTwilio, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';

/**
 * Readiness asks each configured provider's API (an authenticated read of the account, cached),
 * and /metrics counts and times every request to a provider, by operation and outcome.
 */
describe('provider health and metrics (Twilio)', () => {
  const twilio = new FakeTwilio();
  let gw: TestGateway;
  let token: string;

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      health: { providerCheckCacheMs: 0 }, // every probe asks, so the test sees the change at once
      tenants: [{ id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US', smsProvider: 'twilio' }],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: twilio.url } },
    });
    token = await gw.token({ tenantId: 'acme', agentId: 'alice' });
  });
  afterAll(async () => {
    await gw.close();
    await twilio.stop();
  });

  const metric = async (pattern: RegExp): Promise<number> => {
    const text = (await gw.request('GET', '/metrics', { token: null })).text;
    const line = text.split('\n').find((l) => pattern.test(l));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  it('is ready while the account answers, having read it with the account\'s credentials', async () => {
    const before = twilio.requests.length;
    const ready = await gw.request('GET', '/health/ready', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body.checks['provider:twilio']).toEqual({ status: 'up' });
    const probes = twilio.requests.slice(before).filter((r) => r.path === `/2010-04-01/Accounts/${TWILIO_SID}.json`);
    expect(probes.length).toBeGreaterThanOrEqual(1);
    expect(probes.every((r) => r.method === 'GET' && r.authorized)).toBe(true);
    expect(twilio.messages).toEqual([]); // a probe never sends anything
  });

  it('counts and times the requests to Twilio by operation and outcome', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552671' }, chat: { sessionId: 'ph-1' } } });
    const ok = /^gateway_provider_requests_total\{provider="twilio",operation="POST \/Messages",outcome="ok"\}/;
    const refused = /^gateway_provider_requests_total\{provider="twilio",operation="POST \/Messages",outcome="4xx"\}/;
    const okBefore = await metric(ok);
    expect((await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token, body: { body: 'Hello' } })).status).toBe(202);
    twilio.refuseNext = { code: 21211, status: 400, message: "The 'To' number is not a valid phone number." };
    await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token, body: { body: 'Hello again' } });
    expect(await metric(ok)).toBe(okBefore + 1);
    expect(await metric(refused)).toBe(1);
    expect(await metric(/^gateway_provider_request_duration_seconds_count\{provider="twilio",operation="POST \/Messages"\}/)).toBeGreaterThanOrEqual(2);
    expect(await metric(/^gateway_provider_requests_total\{provider="twilio",operation="GET \/",outcome="ok"\}/)).toBeGreaterThanOrEqual(1);
  });

  it('turns not ready, naming provider:twilio, when the Twilio API stops answering', async () => {
    await twilio.stop();
    const res = await gw.request('GET', '/health/ready', { token: null });
    expect(res.status).toBe(503);
    expect(res.body.checks['provider:twilio']).toMatchObject({ status: 'down' });
    expect(res.body.checks.store).toEqual({ status: 'up' });
    expect(await metric(/^gateway_provider_requests_total\{provider="twilio",operation="GET \/",outcome="network"\}/)).toBeGreaterThanOrEqual(1);
  });
});

describe.each([
  ['jambonz', () => new FakeJambonz()],
  ['telnyx', () => new FakeTelnyx()],
] as const)('provider health (%s)', (name, makeFake) => {
  const fake = makeFake();
  let gw: TestGateway;

  beforeAll(async () => {
    await fake.start();
    gw = await startTestGateway({ health: { providerCheckCacheMs: 0 }, providers: fake.providers() });
  });
  afterAll(async () => {
    await gw.close();
    await fake.stop();
  });

  it(`is ready while ${name} answers the account probe, and not once it stops answering`, async () => {
    const up = await gw.request('GET', '/health/ready', { token: null });
    expect([up.status, up.body.checks[`provider:${name}`]]).toEqual([200, { status: 'up' }]);
    const metrics = (await gw.request('GET', '/metrics', { token: null })).text;
    expect(metrics).toMatch(new RegExp(`^gateway_provider_requests_total\\{provider="${name}",operation="GET [^"]+",outcome="ok"\\} [1-9]`, 'm'));
    await fake.stop();
    const down = await gw.request('GET', '/health/ready', { token: null });
    expect([down.status, down.body.checks[`provider:${name}`]?.status]).toEqual([503, 'down']);
  });
});
