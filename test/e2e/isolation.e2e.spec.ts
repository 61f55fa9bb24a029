import { FakeTwilio, hex, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';

/** Every endpoint and topic probed with another tenant's ids: 404 (or refused), exactly as for a missing id. */
describe('tenant isolation', () => {
  const twilio = new FakeTwilio();
  let gw: TestGateway;
  let acme: string;
  let globex: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: ['+14155550100'] }, { id: 'globex', numbers: ['+14155550199'] }],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: twilio.url } },
    });
    acme = await gw.token({ tenantId: 'acme', agentId: 'alice', roles: ['supervisor'] });
    globex = await gw.token({ tenantId: 'globex', agentId: 'alice', roles: ['supervisor', 'admin'] });
    const conv = await gw.request('POST', '/v1/conversations', { token: acme, body: { contact: { phone: '+14155552671', email: 'ann@example.com' }, chat: { sessionId: 'iso-1' } } });
    ids.conversation = conv.body.id;
    ids.contact = conv.body.contact.id;
    ids.call = (await gw.request('POST', `/v1/conversations/${ids.conversation}/calls`, { token: acme, body: { agentEndpoint: 'user:alice', provider: 'simulator' } })).body.id;
    ids.message = (await gw.request('POST', `/v1/conversations/${ids.conversation}/messages`, { token: acme, body: { body: 'hello', provider: 'simulator' } })).body.id;
    const media = twilio.addMedia('image/png', Buffer.from('png'));
    await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/sms', {
      MessageSid: `SM${hex()}`, From: '+14155552671', To: '+14155550100', Body: 'pic', NumMedia: '1', MediaUrl0: media, MediaContentType0: 'image/png', AccountSid: TWILIO_SID,
    });
    const conversation = await gw.request('GET', `/v1/conversations/${ids.conversation}`, { token: acme });
    const inbound = conversation.body.interactions.find((i: { direction: string; channel: string }) => i.channel === 'sms' && i.direction === 'inbound');
    ids.attachment = (await gw.request('GET', `/v1/messages/${inbound.id}`, { token: acme })).body.attachments[0].id;
  });
  afterAll(async () => {
    await gw.close();
    await twilio.stop();
  });

  const MISSING = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
  const probes: Array<[string, string, (id: Record<string, string>) => string, object?]> = [
    ['GET', 'conversation', (i) => `/v1/conversations/${i.conversation}`],
    ['POST', 'chat end', (i) => `/v1/conversations/${i.conversation}/chat/end`],
    ['POST', 'message send', (i) => `/v1/conversations/${i.conversation}/messages`, { body: 'x' }],
    ['POST', 'call', (i) => `/v1/conversations/${i.conversation}/calls`, { agentEndpoint: 'user:alice' }],
    ['GET', 'contact', (i) => `/v1/contacts/${i.contact}`],
    ['PATCH', 'contact', (i) => `/v1/contacts/${i.contact}`, { name: 'Mallory' }],
    ['GET', 'activities', (i) => `/v1/contacts/${i.contact}/activities`],
    ['GET', 'call', (i) => `/v1/calls/${i.call}`],
    ...['hangup', 'hold', 'resume', 'mute', 'unmute'].map((c) => ['POST', `call ${c}`, (i: Record<string, string>) => `/v1/calls/${i.call}/${c}`] as [string, string, (id: Record<string, string>) => string]),
    ['POST', 'call dtmf', (i) => `/v1/calls/${i.call}/dtmf`, { digits: '1' }],
    ['POST', 'call transfer', (i) => `/v1/calls/${i.call}/transfer`, { to: 'user:bob' }],
    ['GET', 'message', (i) => `/v1/messages/${i.message}`],
    ['GET', 'attachment', (i) => `/v1/attachments/${i.attachment}`],
    ['POST', 'wrap-up', (i) => `/v1/conversations/${i.conversation}/wrap-up`, { disposition: 'x' }],
  ];

  // Every row has four entries: jest would take a missing fourth argument for a `done` callback.
  const rows = probes.map(([method, what, path, body]) => [method, what, path, body ?? null] as const);
  it.each(rows)('%s %s of another tenant is a 404, like a missing one', async (method, _what, path, body) => {
    const options = { token: globex, ...(body ? { body } : {}) };
    const foreign = await gw.request(method, path(ids), options);
    const missing = await gw.request(method, path(Object.fromEntries(Object.keys(ids).map((k) => [k, MISSING]))), options);
    expect(foreign.status).toBe(404);
    expect(foreign.body.detail).toBe(missing.body.detail);
  });

  it('lists and lookups never show the other tenant', async () => {
    expect((await gw.request('GET', '/v1/conversations?limit=100', { token: globex })).body.items).toEqual([]);
    expect((await gw.request('GET', '/v1/contacts?phone=%2B14155552671', { token: globex })).body.items).toEqual([]);
    expect((await gw.request('GET', `/v1/conversations?contactId=${ids.contact}`, { token: globex })).body.items).toEqual([]);
  });

  it('refuses the other tenant’s conversation topic, and its tenant topic carries nothing of acme', async () => {
    const socket = await EventClient.connect(gw.url, globex);
    try {
      socket.send({ op: 'subscribe', topics: [`conversation:${ids.conversation}`] });
      expect(await socket.next((f) => f.op === 'error')).toMatchObject({ status: 404, topic: `conversation:${ids.conversation}` });
      socket.send({ op: 'subscribe', topics: ['tenant', 'agent:alice'], since: '0' });
      await socket.next((f) => f.op === 'subscribed');
      await gw.request('POST', `/v1/conversations/${ids.conversation}/chat/end`, { token: acme });
      socket.send({ op: 'ping' });
      await socket.next((f) => f.op === 'pong');
      await new Promise((r) => setTimeout(r, 200));
      expect(socket.events()).toEqual([]);
    } finally {
      socket.close();
    }
  });

  it('has left acme’s data as it was', async () => {
    const conv = await gw.request('GET', `/v1/conversations/${ids.conversation}`, { token: acme });
    expect(conv.body.contact.name).toBeNull();
    expect(conv.body.disposition).toBeNull();
  });
});
