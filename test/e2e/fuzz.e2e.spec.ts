import fc from 'fast-check';
import { FakeTwilio, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { JAMBONZ_ACCOUNT, JAMBONZ_KEY, JAMBONZ_SECRET } from '../support/fake-jambonz';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';
const RUNS = 150;

/**
 * Malformed JSON, wrong types, huge strings, broken form bodies and bad signatures thrown at every
 * public endpoint: never a 5xx, and what was stored before is unchanged.
 */
describe('fuzzing the public endpoints', () => {
  const twilio = new FakeTwilio();
  let gw: TestGateway;
  let token: string;
  let conversationId: string;
  let contactId: string;
  let callId: string;
  let before: { conversation: string; contact: string };

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US', voiceProvider: 'simulator', smsProvider: 'simulator' }],
      providers: {
        twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: twilio.url },
        jambonz: { apiBaseUrl: 'http://127.0.0.1:9', accountSid: JAMBONZ_ACCOUNT, apiKey: JAMBONZ_KEY, webhookSecret: JAMBONZ_SECRET },
      },
    });
    token = await gw.token({ tenantId: 'acme', roles: ['supervisor'] });
    const conv = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552671', name: 'Fixture' }, chat: { sessionId: 'fuzz-fixture' } } });
    conversationId = conv.body.id;
    contactId = conv.body.contact.id;
    callId = (await gw.request('POST', `/v1/conversations/${conversationId}/calls`, { token, body: { agentEndpoint: 'user:alice' } })).body.id;
    await new Promise((r) => setTimeout(r, 400)); // the simulated call answers
    before = await snapshot();
  });
  afterAll(async () => {
    await gw.close();
    await twilio.stop();
  });

  async function snapshot(): Promise<{ conversation: string; contact: string }> {
    return {
      conversation: (await gw.request('GET', `/v1/conversations/${conversationId}`, { token })).text,
      contact: (await gw.request('GET', `/v1/contacts/${contactId}`, { token })).text,
    };
  }

  const anyBody = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.constantFrom('{', '{"contact":', '[', 'null', '""', '{"contact":{"phone":{"$gt":""}}}', '\u0000', '{"__proto__":{"x":1}}'),
    fc.record({ contact: fc.dictionary(fc.constantFrom('phone', 'email', 'name', 'externalId', 'x'), fc.jsonValue()) }).map((v) => JSON.stringify(v)),
    fc.string({ minLength: 10_000, maxLength: 20_000 }).map((s) => JSON.stringify({ body: s, contact: { name: s } })),
  );

  const jsonRoutes: Array<[string, string, () => string]> = [
    ['POST', '/v1/conversations', () => '/v1/conversations'],
    ['PATCH', '/v1/contacts/:id', () => `/v1/contacts/${contactId}`],
    ['POST', '/v1/conversations/:id/messages', () => `/v1/conversations/${conversationId}/messages`],
    ['POST', '/v1/conversations/:id/calls', () => `/v1/conversations/${conversationId}/calls`],
    ['POST', '/v1/calls/:id/dtmf', () => `/v1/calls/${callId}/dtmf`],
    ['POST', '/v1/calls/:id/transfer', () => `/v1/calls/${callId}/transfer`],
    ['POST', '/v1/conversations/:id/wrap-up', () => `/v1/conversations/${conversationId}/wrap-up`],
    ['POST', '/v1/simulator/inbound-sms', () => '/v1/simulator/inbound-sms'],
  ];

  it.each(jsonRoutes)('%s %s never answers a malformed body with a 5xx', async (method, _name, path) => {
    await fc.assert(fc.asyncProperty(anyBody, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''), async (raw, type) => {
      const res = await gw.request(method, path(), { token, rawBody: raw, headers: type ? { 'content-type': type } : {} });
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }), { numRuns: RUNS });
  });

  it('answers random query strings and ids on every GET with a 4xx or a 200', async () => {
    const routes = ['/v1/conversations', '/v1/contacts', '/v1/conversations/', '/v1/contacts/', '/v1/calls/', '/v1/messages/', '/v1/attachments/'];
    await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), fc.string({ maxLength: 300 }), fc.string({ maxLength: 100 }), async (route, id, query) => {
      const path = route.endsWith('/') ? route + encodeURIComponent(id || 'x') : route;
      const res = await gw.request('GET', `${path}?${encodeURI(query).replace(/#/g, '%23')}`, { token });
      expect(res.status).toBeLessThan(500);
    }), { numRuns: RUNS * 2 });
  });

  it('answers unsigned and badly signed webhooks with 403, and broken signed ones with 4xx', async () => {
    const hooks = ['/webhooks/twilio/sms', '/webhooks/twilio/sms/status', '/webhooks/twilio/voice', '/webhooks/twilio/voice/status',
      '/webhooks/jambonz/sms', '/webhooks/jambonz/sms/status', '/webhooks/jambonz/call', '/webhooks/jambonz/call/status'];
    const formish = fc.oneof(
      fc.string({ maxLength: 500 }),
      fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 50 })).map((d) => new URLSearchParams(d).toString()),
      fc.constantFrom('%', '%zz', 'a=%E0%A4%A', '&&&==', 'MessageSid[]=1&MessageSid[]=2'),
    );
    await fc.assert(fc.asyncProperty(fc.constantFrom(...hooks), formish, fc.option(fc.string({ maxLength: 80 })), async (hook, raw, signature) => {
      const jambonz = hook.includes('jambonz');
      const headers: Record<string, string> = { 'content-type': jambonz ? 'application/json' : 'application/x-www-form-urlencoded' };
      if (signature !== null) headers[jambonz ? 'jambonz-signature' : 'x-twilio-signature'] = signature;
      const res = await gw.request('POST', hook, { token: null, rawBody: raw, headers });
      expect(res.status).toBeLessThan(500);
      expect([400, 403, 413, 415]).toContain(res.status);
    }), { numRuns: RUNS * 2 });
    // Correctly signed Twilio webhooks with random fields: never a 5xx.
    await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom('MessageSid', 'From', 'To', 'Body', 'NumMedia', 'MediaUrl0', 'MediaContentType0', 'MessageStatus', 'CallSid', 'CallStatus'), fc.string({ maxLength: 60 })), async (params) => {
      const res = await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/sms', params);
      expect(res.status).toBeLessThan(500);
      const status = await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/voice/status?cid=x', params);
      expect(status.status).toBeLessThan(500);
    }), { numRuns: RUNS });
  });

  it('answers every malformed socket frame with an error frame and keeps the socket open', async () => {
    const socket = await EventClient.connect(gw.url, token);
    try {
      const frames = fc.sample(fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc.record({ op: fc.constantFrom('subscribe', 'unsubscribe', 'ping', 'publish'), topics: fc.jsonValue(), since: fc.jsonValue() }).map((v) => JSON.stringify(v)),
      ), RUNS * 2);
      for (const frame of frames) socket.send(frame);
      socket.send({ op: 'ping' });
      await socket.next((f) => f.op === 'pong', 10_000, frames.length);
      expect(socket.closed).toBeUndefined();
      expect(socket.frames.every((f) => ['error', 'pong', 'subscribed', 'unsubscribed', 'event', 'heartbeat'].includes(f.op))).toBe(true);
      expect(socket.frames.filter((f) => f.op === 'error').every((f) => f.status >= 400 && f.status < 500)).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('leaves what was stored before unchanged', async () => {
    expect(await snapshot()).toEqual(before);
  });
});
