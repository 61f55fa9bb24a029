import { FakeDrachtio, ua } from '../support/fake-drachtio';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const TRUNK = 'sip:trunk.example.com:5060';
const AGENT = 'sip:1001@pbx.example.com';

/** Click-to-call over SIP through the REST API and the event socket, against a fake drachtio-server. */
describe('click-to-call over a SIP trunk (drachtio)', () => {
  let fake: FakeDrachtio;
  let gw: TestGateway;
  let token: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    fake = await FakeDrachtio.start({ secret: 'cymru', script: (invite) => (invite.uri?.includes('+14155550486@') ? ua.ringsThenFails(486)
      : invite.uri?.includes('@trunk.example.com') ? ua.ringsThenAnswers() : ua.answers()) });
    gw = await startTestGateway({
      tenants: [{ id: 'acme', numbers: ['+14155550100'], voiceProvider: 'sip' }],
      providers: { drachtio: { host: '127.0.0.1', port: fake.port, secret: 'cymru' }, sipTrunkUri: TRUNK },
      health: { readyTimeoutMs: 500 },
    });
    token = await gw.token({ tenantId: 'acme' });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
    await fake.close();
  });

  const ready = async () => (await gw.request('GET', '/health/ready', { token: null })).body;
  const until = async (probe: () => Promise<boolean>, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('is ready once connected to the drachtio server', async () => {
    await until(async () => (await ready()).ready === true);
    expect((await ready()).checks['voice:sip']).toEqual({ status: 'up' });
  });

  it('bridges agent and customer by third-party call control, and hangs both legs up', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552671' }, chat: { sessionId: 'sip-1' } } });
    const feed = await EventClient.connect(gw.url, token);
    clients.push(feed);
    feed.send({ op: 'subscribe', topics: [`conversation:${conv.id}`] });
    await feed.next((f) => f.op === 'subscribed');

    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: AGENT } });
    expect(placed.status).toBe(202);
    expect(placed.body.provider).toBe('sip');
    await feed.next((f) => f.event?.type === 'call.answered');
    expect(feed.events().map((f) => f.event.type)).toEqual(['call.initiated', 'call.ringing', 'call.answered']);
    const agentInvite = fake.requests('INVITE').find((m) => m.uri === AGENT)!;
    const customerInvite = fake.requests('INVITE').find((m) => m.uri === 'sip:+14155552671@trunk.example.com:5060')!;
    expect(agentInvite.body ?? '').toBe('');
    expect(customerInvite.body).toContain('agent');

    const hung = await gw.request('POST', `/v1/calls/${placed.body.id}/hangup`, { token });
    expect(hung.body).toMatchObject({ state: 'ended', endReason: 'completed' });
    await until(async () => fake.requests('BYE').length >= 2);
    expect(fake.openDialogs()).toBe(0);
    expect((await gw.request('GET', `/v1/conversations/${conv.id}`, { token })).body.interactions[0]).toMatchObject({ channel: 'chat', state: 'active' });
  });

  it('keeps the final response of a customer who is busy as the call\'s failure: its code and reason phrase', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155550486' } } });
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: AGENT } });
    expect(placed.status).toBe(202);
    await until(async () => (await gw.request('GET', `/v1/calls/${placed.body.id}`, { token })).body.state === 'ended');
    expect((await gw.request('GET', `/v1/calls/${placed.body.id}`, { token })).body).toMatchObject({
      endReason: 'busy', failure: { provider: 'sip', code: '486', message: 'the customer leg was refused: 486 Busy Here' }, attempts: [],
    });
  });

  it('refuses a user: agent endpoint, which SIP cannot dial, with 422 and records no call', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552672' } } });
    const res = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: 'user:alice' } });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe('agentEndpoint');
    expect((await gw.request('GET', `/v1/conversations/${conv.id}`, { token })).body.interactions).toEqual([]);
  });

  it('reports readiness down while the drachtio connection is lost, and up again after reconnecting', async () => {
    fake.accepting = false;
    fake.dropConnections();
    await until(async () => (await ready()).checks['voice:sip']?.status === 'down');
    expect((await gw.request('GET', '/health/ready', { token: null })).status).toBe(503);
    fake.accepting = true;
    await until(async () => (await ready()).ready === true, 10_000);
  });
});
