import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import fc from 'fast-check';
import { FakeTwilio, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { JAMBONZ_ACCOUNT, JAMBONZ_KEY, JAMBONZ_SECRET } from '../support/fake-jambonz';
import { signJambonz } from '../../src/providers/jambonz/jambonz-signature';
import type { DeepPartial } from '../../src/config/config.loader';
import type { AppConfig } from '../../src/config/config.schema';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';
const RUNS = 150;

/** Where the fuzz runs: the test configuration, and production's (config/production.yaml). */
const CONFIGURATIONS: Array<[string, 'test' | 'production', DeepPartial<AppConfig>]> = [
  ['test', 'test', {}],
  ['production', 'production', {
    http: { host: '127.0.0.1', port: 0 }, metrics: { token: 'fuzz-metrics-token-of-32-characters!' },
    rateLimits: { apiPerSecond: 0, webhookPerSecond: 0 }, defaults: { agentEndpoints: ['user:*'] },
  }],
];

/**
 * Malformed JSON, wrong types, huge strings, broken form bodies and bad signatures thrown at every
 * public endpoint: never a 5xx, and what was stored before is unchanged.
 */
describe.each(CONFIGURATIONS)('fuzzing the public endpoints (%s configuration)', (_name, nodeEnv, settings) => {
  const twilio = new FakeTwilio();
  let gw: TestGateway;
  let token: string;
  let conversationId: string;
  let contactId: string;
  let callId: string;
  /** A live call for the participants' routes (consult, conference, supervise). */
  let partyCallId: string;
  /** A conversation the hand-over route may move from agent to agent (the fixture's must stay its agent's). */
  let handoverId: string;
  /** A conversation agents may be added to and removed from (the fixture's must stay as it was). */
  let agentsId: string;
  /** A conversation the field fuzz may change (the fixture's must stay as it was). */
  let spare: { conversationId: string; contactId: string };
  let before: { conversation: string; contact: string };

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      ...settings,
      http: { ...settings.http, publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US', voiceProvider: 'simulator', smsProvider: 'simulator', maskSensitiveData: nodeEnv === 'production' }],
      providers: {
        twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: twilio.url },
        jambonz: { apiBaseUrl: 'http://127.0.0.1:9', accountSid: JAMBONZ_ACCOUNT, apiKey: JAMBONZ_KEY, webhookSecret: JAMBONZ_SECRET },
      },
    }, { nodeEnv });
    token = await gw.token({ tenantId: 'acme', roles: ['supervisor', 'admin'] });
    const conv = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552671', name: 'Fixture' }, chat: { sessionId: 'fuzz-fixture' } } });
    conversationId = conv.body.id;
    contactId = conv.body.contact.id;
    callId = (await gw.request('POST', `/v1/conversations/${conversationId}/calls`, { token, body: { agentEndpoint: 'user:alice' } })).body.id;
    await new Promise((r) => setTimeout(r, 400)); // the simulated call answers
    const other = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552681' } } });
    spare = { conversationId: other.body.id, contactId: other.body.contact.id };
    const third = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552683' } } });
    partyCallId = (await gw.request('POST', `/v1/conversations/${third.body.id}/calls`, { token, body: { agentEndpoint: 'user:alice' } })).body.id;
    handoverId = (await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552684' } } })).body.id;
    agentsId = (await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552685' } } })).body.id;
    before = await snapshot();
  });
  afterAll(async () => {
    await gw.close();
    await twilio.stop();
  });

  async function snapshot(): Promise<{ conversation: string; contact: string }> {
    // A live call's durations are measured up to now: they move by themselves.
    const clock = /"(durationSeconds|talkSeconds|holdSeconds)":\d+/g;
    return {
      conversation: (await gw.request('GET', `/v1/conversations/${conversationId}`, { token })).text.replace(clock, '"$1":"(live)"'),
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
    ['POST', '/v1/calls/:id/consult', () => `/v1/calls/${partyCallId}/consult`],
    ['POST', '/v1/calls/:id/participants', () => `/v1/calls/${partyCallId}/participants`],
    ['POST', '/v1/calls/:id/supervise', () => `/v1/calls/${partyCallId}/supervise`],
    ['PATCH', '/v1/calls/:id/supervise', () => `/v1/calls/${partyCallId}/supervise`],
    ['PATCH', '/v1/calls/:id/supervise/:pid', () => `/v1/calls/${partyCallId}/supervise/${partyCallId}-agent`],
    ['POST', '/v1/conversations/:id/transfer', () => `/v1/conversations/${handoverId}/transfer`],
    ['POST', '/v1/conversations/:id/agents', () => `/v1/conversations/${agentsId}/agents`],
    ['POST', '/v1/conversations/:id/wrap-up', () => `/v1/conversations/${conversationId}/wrap-up`],
    ['POST', '/v1/simulator/inbound-sms', () => '/v1/simulator/inbound-sms'],
    ['POST', '/v1/simulator/inbound-call', () => '/v1/simulator/inbound-call'],
    ['POST', '/v1/calls/:id/answer', () => `/v1/calls/${callId}/answer`],
    ['POST', '/v1/callbacks/:id/dial', () => '/v1/callbacks/fuzz/dial'],
    ['POST', '/v1/callbacks/:id/cancel', () => '/v1/callbacks/fuzz/cancel'],
    ['PUT', '/v1/agents/:agentId/device', () => '/v1/agents/fuzz/device'],
    ['PUT', '/v1/agents/me/status', () => '/v1/agents/me/status'],
    ['POST', '/v1/calls/:id/recording', () => `/v1/calls/${callId}/recording`],
    ['POST', '/v1/calls/:id/streams', () => `/v1/calls/${callId}/streams`],
    ['PATCH', '/v1/admin/tenants/:tenantId', () => '/v1/admin/tenants/acme'],
    ['PUT', '/v1/admin/tenants/:tenantId/numbers/:number', () => '/v1/admin/tenants/acme/numbers/%2B14155550177'],
    ['POST', '/v1/admin/api-keys', () => '/v1/admin/api-keys'],
    ['PUT', '/v1/admin/providers/:provider/credentials', () => '/v1/admin/providers/twilio/credentials'],
  ];

  it.each(jsonRoutes)('%s %s never answers a malformed body with a 5xx', async (method, _name, path) => {
    await fc.assert(fc.asyncProperty(anyBody, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''), async (raw, type) => {
      const res = await gw.request(method, path(), { token, rawBody: raw, headers: type ? { 'content-type': type } : {} });
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }), { numRuns: RUNS });
  });

  /** A valid body per route: each field in turn is replaced by a bad value, or left out. */
  const validBodies: Array<[string, () => string, Record<string, unknown>]> = [
    ['POST', () => '/v1/conversations', { contact: { phone: '+14155552690', email: 'f@example.com', name: 'F', externalId: 'crm-f' }, chat: { sessionId: 'fuzz-fields', origin: 'mobile' }, agentId: 'a1', context: { gps: [51.5, -0.12] } }],
    ['PATCH', () => `/v1/contacts/${spare.contactId}`, { name: 'Spare' }],
    ['POST', () => `/v1/conversations/${spare.conversationId}/messages`, { body: 'hi', to: '+14155552681', provider: 'simulator' }],
    ['POST', () => `/v1/conversations/${spare.conversationId}/messages`, { template: { text: 'Hi <name>', params: { name: 'F' } }, mediaUrls: ['https://media.example.com/a.jpg'] }],
    ['POST', () => `/v1/conversations/${spare.conversationId}/calls`, { agentEndpoint: 'user:alice', to: '+14155552671', callerId: '+14155550100', provider: 'simulator', consent: { via: 'chat', at: '2026-01-01T00:00:00Z' }, ringTimeoutSeconds: 30 }],
    ['POST', () => `/v1/calls/${callId}/dtmf`, { digits: '12#' }],
    ['POST', () => `/v1/calls/${callId}/transfer`, { to: 'user:bob' }],
    ['POST', () => `/v1/calls/${partyCallId}/consult`, { to: 'user:bob' }],
    ['POST', () => `/v1/calls/${partyCallId}/participants`, { to: 'user:bob', role: 'consultee' }],
    ['POST', () => `/v1/calls/${partyCallId}/supervise`, { endpoint: 'user:sue', mode: 'monitor' }],
    ['PATCH', () => `/v1/calls/${partyCallId}/supervise`, { mode: 'whisper' }],
    ['POST', () => `/v1/conversations/${handoverId}/transfer`, { agentId: 'bob' }],
    ['POST', () => `/v1/conversations/${agentsId}/agents`, { agentId: 'bob' }],
    ['POST', () => '/v1/simulator/inbound-sms', { from: '+14155552682', to: '+14155550100', body: 'hello', media: [{ contentType: 'image/png', data: 'iVBORw0KGgo=' }] }],
    ['POST', () => `/v1/conversations/${spare.conversationId}/wrap-up`, { disposition: 'resolved', notes: 'n' }],
    ['POST', () => '/v1/simulator/inbound-call', { from: '+14155552699', to: '+14155550100', digits: '1' }],
    ['PUT', () => '/v1/agents/fuzz/device', { endpoint: 'user:fuzz' }],
    ['PUT', () => '/v1/agents/me/status', { status: 'available' }],
    ['POST', () => `/v1/calls/${callId}/recording`, { action: 'pause' }],
    // `.invalid` never resolves (RFC 6761): a valid body gets 422 instead of a connection attempt.
    ['POST', () => `/v1/calls/${callId}/streams`, { url: 'wss://asr.example.invalid/in', tracks: ['customer', 'agent'], format: 'tracks', sampleRate: 16000 }],
    // Values the fixture already has: the tenant's behaviour stays as the other routes expect it.
    ['PATCH', () => '/v1/admin/tenants/acme', { name: 'acme', policies: { maxComposeLength: 1600, doNotCall: ['+14155559999'], stickyDays: 7, ringNoAnswerSeconds: 20, queueTimeoutSeconds: 0, holdMusicUrl: null } }],
    ['PUT', () => '/v1/admin/tenants/acme/numbers/%2B14155550177', { provider: 'simulator' }],
    ['POST', () => '/v1/admin/api-keys', { name: 'fuzz', roles: ['supervisor'], agentId: 'fuzz-bot' }],
    // The gateway's own Twilio account as the tenant's: its traffic and webhooks stay as the other routes expect them.
    ['PUT', () => '/v1/admin/providers/twilio/credentials', { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN }],
  ];
  const badValues: unknown[] = [undefined, null, '', ' ', 0, -1, 1.5, true, [], {}, [null], { a: null }, 'x'.repeat(5000), '\u0000', '+', 'null', '__proto__'];

  it.each(validBodies.map(([method, path, body]) => [method, path, body, JSON.stringify(body).slice(0, 60)] as const))(
    '%s %#: every field null, missing or of a wrong type gets a 4xx problem naming it, never a 5xx (%s)',
    async (method, path, body) => {
      for (const field of fieldPaths(body)) {
        for (const bad of badValues) {
          const res = await gw.request(method, path(), { token, body: withField(body, field, bad) });
          const what = `${field} = ${JSON.stringify(bad)?.slice(0, 30)}`;
          expect([what, res.status < 500]).toEqual([what, true]);
          if (res.status >= 400) expect([what, res.headers.get('content-type')]).toEqual([what, expect.stringMatching(/^application\/problem\+json/)]);
          if (res.status === 400 && res.body.errors?.length) {
            const named = res.body.errors.map((e: { field: string }) => e.field);
            // The first field the value lives under (or the field itself) is named.
            expect([what, named.some((n: string) => field.startsWith(n) || n.startsWith(field))]).toEqual([what, true]);
          }
        }
      }
    },
  );

  it('says a required field is required, and a null one is of the wrong type', async () => {
    const missing = await gw.request('POST', `/v1/calls/${callId}/dtmf`, { token, body: {} });
    expect([missing.status, missing.body.errors]).toEqual([400, [{ field: 'digits', message: 'is required' }]]);
    const nested = await gw.request('POST', '/v1/conversations', { token, body: { chat: { sessionId: 's' } } });
    expect(nested.body.errors).toEqual([{ field: 'contact', message: 'is required' }]);
    const nulled = await gw.request('POST', '/v1/conversations', { token, body: { contact: { email: 'a@b.co', phone: null } } });
    expect(nulled.status).toBe(400);
    expect(nulled.body.errors).toContainEqual({ field: 'contact.phone', message: 'must be a string' });
    expect(nulled.body.errors.every((e: { field: string }) => e.field === 'contact.phone')).toBe(true);
  });

  it('answers random query strings and ids on every GET with a 4xx or a 200', async () => {
    const routes = ['/v1/conversations', '/v1/contacts', '/v1/me', '/v1/conversations/', '/v1/contacts/', '/v1/calls/', '/v1/messages/', '/v1/attachments/', '/v1/recordings/', '/v1/admin/tenants/', '/v1/admin/api-keys', '/v1/admin/providers/credentials'];
    await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), fc.string({ maxLength: 300 }), fc.string({ maxLength: 100 }), async (route, id, query) => {
      const path = route.endsWith('/') ? route + encodeURIComponent(id || 'x') : route;
      const res = await gw.request('GET', `${path}?${encodeURI(query).replace(/#/g, '%23')}`, { token });
      expect(res.status).toBeLessThan(500);
    }), { numRuns: RUNS * 2 });
  });

  it('answers DELETE /v1/conversations/:id/agents/:agentId with random ids with a 4xx or a 200, never a 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.constant(agentsId), fc.string({ maxLength: 100 })), fc.string({ maxLength: 300 }), async (id, agentId) => {
      const res = await gw.request('DELETE', `/v1/conversations/${encodeURIComponent(id || 'x')}/agents/${encodeURIComponent(agentId || 'x')}`, { token });
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }), { numRuns: RUNS * 2 });
  });

  it('answers unsigned and badly signed webhooks with 403, and broken signed ones with 4xx', async () => {
    const hooks = ['/webhooks/twilio/sms', '/webhooks/twilio/sms/status', '/webhooks/twilio/voice', '/webhooks/twilio/voice/status',
      '/webhooks/jambonz/sms', '/webhooks/jambonz/sms/status', '/webhooks/jambonz/call', '/webhooks/jambonz/call/status', '/webhooks/twilio/voice/participant',
      '/webhooks/twilio/voice/incoming', '/webhooks/twilio/voice/hold', '/webhooks/jambonz/call/incoming', '/webhooks/twilio/recording/status',
      '/webhooks/jambonz/conference/join', '/webhooks/jambonz/conference/status', '/webhooks/jambonz/participant/status',
      '/webhooks/twilio/voice/voicemail-done', '/webhooks/jambonz/call/voicemail', '/webhooks/twilio/voice/queue-choice',
      '/webhooks/jambonz/call/queue-choice', '/webhooks/jambonz/call/queue-choice/digits', '/webhooks/jambonz/call/callback-confirm'];
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
      const status = await twilio.post(gw.url, PUBLIC, new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url('/webhooks/twilio/voice/status', { cid: 'x' }).slice(PUBLIC.length), params);
      expect(status.status).toBeLessThan(500);
      const leg = await twilio.post(gw.url, PUBLIC, new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url('/webhooks/twilio/voice/participant', { cid: partyCallId, pid: 'x' }).slice(PUBLIC.length), params);
      expect(leg.status).toBeLessThan(500);
      const incoming = await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/voice/incoming', params);
      expect(incoming.status).toBeLessThan(500);
      const choice = await twilio.post(gw.url, PUBLIC, new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url('/webhooks/twilio/voice/queue-choice', { cid: callId }).slice(PUBLIC.length), { ...params, Digits: params.Body ?? '2' });
      expect(choice.status).toBeLessThan(500);
    }), { numRuns: RUNS });
    // Correctly signed jambonz conference hooks (URL and body) with random fields: never a 5xx.
    const jambonzHooks = fc.constantFrom('/webhooks/jambonz/conference/join', '/webhooks/jambonz/conference/status', '/webhooks/jambonz/participant/status',
      '/webhooks/jambonz/call/queue-choice/digits');
    const jambonzBody = fc.dictionary(fc.constantFrom('call_sid', 'call_status', 'event', 'parent_call_sid', 'sip_status', 'digits'), fc.oneof(fc.string({ maxLength: 60 }), fc.integer(), fc.constant(null)));
    await fc.assert(fc.asyncProperty(jambonzHooks, jambonzBody, fc.constantFrom('x', partyCallId), fc.constantFrom('customer', 'agent', 'p 1'), fc.constantFrom('talk', 'whisper', 'loud'), async (path, body, cid, pid, mode) => {
      const raw = JSON.stringify(body);
      const url = new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url(path, { cid, pid, mode }).slice(PUBLIC.length);
      const res = await gw.request('POST', url, { token: null, rawBody: raw, headers: { 'content-type': 'application/json', 'jambonz-signature': signJambonz(raw, JAMBONZ_SECRET) } });
      expect(res.status).toBeLessThan(500);
    }), { numRuns: RUNS });
  });

  it('answers signed Twilio recording callbacks with random fields without a 5xx, and fetches nothing they name', async () => {
    const fields = fc.constantFrom('RecordingSid', 'RecordingUrl', 'RecordingStatus', 'RecordingDuration', 'CallSid', 'AccountSid');
    await fc.assert(fc.asyncProperty(fc.dictionary(fields, fc.string({ maxLength: 60 })), fc.constantFrom('x', callId), async (params, rid) => {
      const res = await twilio.post(gw.url, PUBLIC, new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url('/webhooks/twilio/recording/status', { rid }).slice(PUBLIC.length), params);
      expect(res.status).toBeLessThan(500);
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

/** Every field path of a JSON body, objects descended into: `contact`, `contact.phone`, … */
function fieldPaths(body: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(body).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? [path, ...fieldPaths(value as Record<string, unknown>, path)] : [path];
  });
}

/** A copy of `body` with the field at `path` set to `value` (left out for undefined). */
function withField(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const keys = path.split('.');
  let target = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  if (value === undefined) delete target[keys.at(-1)!];
  else target[keys.at(-1)!] = value;
  return copy;
}
