import { FakeTelnyx } from '../support/fake-telnyx';
import { FakeTwilio, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const PUBLIC = 'https://gateway.example.com';
const ACME_NUMBER = '+14155550100';

/**
 * Provider failover for SMS: the tenant lists Twilio then Telnyx. A message Twilio could not take
 * (a 5xx, or no connection at all) goes to Telnyx once and is one message there; a message Twilio
 * refused (4xx) fails without touching Telnyx. The attempts show on the message.
 */
describe('SMS provider failover', () => {
  const twilio = new FakeTwilio();
  const telnyx = new FakeTelnyx();
  let line: TcpProxy;
  let gw: TestGateway;
  let agent: string;

  beforeAll(async () => {
    await twilio.start();
    await telnyx.start();
    // Twilio is reached through a proxy the test can cut: a connection refused, not an HTTP answer.
    line = await startTcpProxy('127.0.0.1', Number(new URL(twilio.url).port));
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: [ACME_NUMBER], defaultRegion: 'US', smsProviders: ['twilio', 'telnyx'] }],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: `http://127.0.0.1:${line.port}` }, ...telnyx.providers() },
    });
    agent = await gw.token({ tenantId: 'acme' });
  });
  afterAll(async () => {
    await gw.close();
    await line.stop().catch(() => undefined);
    await twilio.stop();
    await telnyx.stop();
  });

  /** Sends one message through the REST API; answers the message as GET /v1/messages/:id reads it. */
  const send = async (phone: string, body: string) => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: agent, body: { contact: { phone } } });
    const sent = await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token: agent, body: { body } });
    expect(sent.status).toBe(202);
    const read = await gw.request('GET', `/v1/messages/${sent.body.id}`, { token: agent });
    expect(read.status).toBe(200);
    return read.body as { id: string; provider: string; providerRef: string | null; state: string; error: unknown; attempts: unknown[]; failure: unknown };
  };
  const atTwilio = (body: string) => twilio.messages.filter((m) => m.params.get('Body') === body);
  const atTelnyx = (body: string) => telnyx.messages.filter((m) => m.body.text === body);

  it('sends through the first provider when it takes the message, and records that one attempt', async () => {
    const message = await send('+14155552690', 'first try');
    expect(atTwilio('first try')).toHaveLength(1);
    expect(atTelnyx('first try')).toHaveLength(0);
    expect(message).toMatchObject({ provider: 'twilio', providerRef: atTwilio('first try')[0]!.sid, state: 'queued', error: null, failure: null,
      attempts: [{ provider: 'twilio', error: null, code: null }] });
  });

  it('shows why the provider failed a message it had taken: the ErrorCode of its status callback, with the code’s title', async () => {
    const message = await send('+14155552696', 'reported undelivered');
    const created = atTwilio('reported undelivered')[0]!;
    const status = await twilio.post(gw.url, PUBLIC, created.params.get('StatusCallback')!.slice(PUBLIC.length),
      { MessageSid: created.sid, MessageStatus: 'undelivered', ErrorCode: '30003', AccountSid: TWILIO_SID, To: '+14155552696', From: ACME_NUMBER, ApiVersion: '2010-04-01' });
    expect(status.status).toBe(204);
    const read = await gw.request('GET', `/v1/messages/${message.id}`, { token: agent });
    expect(read.body).toMatchObject({ state: 'undelivered', failure: { provider: 'twilio', code: '30003', message: 'Unreachable destination handset' } });
    expect(atTelnyx('reported undelivered')).toHaveLength(0);
  });

  it('fails over once to the second provider on a 5xx: exactly one message there, both attempts recorded', async () => {
    twilio.refuseNext = { code: 20500, status: 503, message: 'Service Unavailable' };
    const message = await send('+14155552691', 'after a 503');
    expect(atTwilio('after a 503')).toHaveLength(0);
    const taken = atTelnyx('after a 503');
    expect(taken).toHaveLength(1);
    expect(taken[0]!.body).toMatchObject({ from: ACME_NUMBER, to: '+14155552691' });
    expect(taken[0]!.body.webhook_url).toContain('/webhooks/telnyx/sms');
    expect(message).toMatchObject({ provider: 'telnyx', providerRef: taken[0]!.id, state: 'queued', error: null, attempts: [
      { provider: 'twilio', error: expect.stringContaining('Service Unavailable'), code: '20500' },
      { provider: 'telnyx', error: null, code: null },
    ] });
    // Telnyx's status reports now move the message; the message is Telnyx's alone.
    const status = await telnyx.post(gw.url, taken[0]!.body.webhook_url.slice(PUBLIC.length), telnyx.statusEvent(taken[0]!, 'delivered'));
    expect(status.status).toBe(204);
    expect((await gw.request('GET', `/v1/messages/${message.id}`, { token: agent })).body.state).toBe('delivered');
  });

  it('never fails over on a 4xx: the message fails at the first provider and the second never sees it', async () => {
    twilio.refuseNext = { code: 21211, status: 400, message: "The 'To' number is not a valid phone number." };
    const message = await send('+14155552692', 'after a 400');
    expect(atTwilio('after a 400')).toHaveLength(0);
    expect(atTelnyx('after a 400')).toHaveLength(0);
    expect(message).toMatchObject({ provider: 'twilio', state: 'failed', error: { code: '21211' },
      failure: { provider: 'twilio', code: '21211', message: expect.stringContaining('not a valid phone number') }, attempts: [
      { provider: 'twilio', error: expect.stringContaining('not a valid phone number'), code: '21211' },
    ] });
  });

  it('fails over once when the first provider cannot be reached at all (connection refused)', async () => {
    await line.stop();
    const message = await send('+14155552693', 'while twilio is unreachable');
    expect(atTwilio('while twilio is unreachable')).toHaveLength(0);
    const taken = atTelnyx('while twilio is unreachable');
    expect(taken).toHaveLength(1);
    expect(message).toMatchObject({ provider: 'telnyx', providerRef: taken[0]!.id, state: 'queued', attempts: [
      { provider: 'twilio', error: expect.stringContaining('ECONNREFUSED') },
      { provider: 'telnyx', error: null, code: null },
    ] });
  });

  it('takes the list from the admin API: validated, shown, and used by the next message without a restart', async () => {
    const admin = await gw.token({ tenantId: 'acme', agentId: 'ada', roles: ['admin'] });
    const patch = (body: unknown) => gw.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body });
    expect((await patch({ smsProviders: ['twilio', 'nope'] })).status).toBe(400);
    expect((await patch({ smsProviders: ['twilio', 'twilio'] })).status).toBe(400);
    expect((await patch({ smsProviders: 'twilio' })).status).toBe(400);
    expect((await patch({ smsProviders: ['twilio', 'telnyx', 'simulator'] })).status).toBe(400);
    const changed = await patch({ smsProviders: ['telnyx', 'twilio'] });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ smsProviders: ['telnyx', 'twilio'], voiceProviders: [] });
    const message = await send('+14155552695', 'telnyx first now');
    expect(message).toMatchObject({ provider: 'telnyx', state: 'queued', attempts: [{ provider: 'telnyx', error: null, code: null }] });
    expect((await patch({ smsProviders: ['twilio', 'telnyx'] })).status).toBe(200);
  });

  it('fails the message when the second provider refuses too: still one attempt each', async () => {
    telnyx.refuseNext = { status: 422, code: '40305', title: 'Invalid from address' };
    const message = await send('+14155552694', 'nobody takes it');
    expect(atTelnyx('nobody takes it')).toHaveLength(0);
    expect(message).toMatchObject({ provider: 'telnyx', state: 'failed', error: { code: '40305' }, attempts: [
      { provider: 'twilio', error: expect.stringContaining('ECONNREFUSED') },
      { provider: 'telnyx', error: expect.stringContaining('Invalid from address'), code: '40305' },
    ] });
  });
});
