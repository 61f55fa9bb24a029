import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { randomUUID } from 'node:crypto';
import { DATABASE } from '../../src/storage/storage.module';
import type { DatabaseHandle } from '../../src/storage/database';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { FakeJambonz, JAMBONZ_ACCOUNT } from '../support/fake-jambonz';
import { startTestGateway, type TestGateway } from '../support/gateway';

const PUBLIC = 'https://gateway.example.com';

describe('SMS over jambonz', () => {
  const jambonz = new FakeJambonz();
  let gw: TestGateway;
  let token: string;

  beforeAll(async () => {
    await jambonz.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US', smsProvider: 'jambonz' }],
      providers: jambonz.providers(),
    });
    token = await gw.token({ tenantId: 'acme' });
  });
  afterAll(async () => {
    await gw.close();
    await jambonz.stop();
  });

  const log = () => new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter('acme', 0, 100_000);
  const hook = (messageSid: string, text: string, media?: unknown) => ({
    carrier: 'peerless', messageSid, accountSid: JAMBONZ_ACCOUNT, applicationSid: randomUUID(),
    from: '+14155552671', to: '+14155550100', cc: [], text, ...(media ? { media } : {}),
  });

  it('takes a signed inbound message once, with its media', async () => {
    const sid = randomUUID();
    const before = (await log()).length;
    const media = [{ url: `${jambonz.url}/media/1.jpg`, content_type: 'image/jpeg' }];
    const res = await jambonz.post(gw.url, '/webhooks/jambonz/sms', hook(sid, 'photo attached', media));
    expect(res).toEqual({ status: 200, text: '[]' });
    expect((await jambonz.post(gw.url, '/webhooks/jambonz/sms', hook(sid, 'photo attached', media))).status).toBe(200);
    const events = (await log()).slice(before);
    expect(events.map((e) => e.type)).toEqual(['conversation.created', 'sms.received']);
    expect(events[1]!.data).toMatchObject({ body: 'photo attached', attachments: [{ contentType: 'image/jpeg' }] });
  });

  // Timestamps are offsets from the clock when the test runs, not when the table is read.
  it.each<[string, { skewSeconds?: number; secret?: string; signature?: string }]>([
    ['a stale timestamp', { skewSeconds: -310 }],
    ['a timestamp from the future', { skewSeconds: 310 }],
    ['another secret', { secret: 'not-the-secret' }],
    ['no signature', { signature: '' }],
    ['a malformed header', { signature: 'v1=abc' }],
  ])('refuses %s with 403 and stores nothing', async (_name, { skewSeconds, ...options }) => {
    const before = (await log()).length;
    const timestamp = skewSeconds === undefined ? undefined : Math.floor(Date.now() / 1000) + skewSeconds;
    const res = await jambonz.post(gw.url, '/webhooks/jambonz/sms', hook(randomUUID(), 'forged'), { ...options, timestamp });
    expect(res.status).toBe(403);
    expect((await log()).length).toBe(before);
  });

  it('sends through POST /v1/Accounts/{sid}/Messages and follows the status hook', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552680' } } });
    const sent = await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token, body: { body: 'Your summary' } });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ provider: 'jambonz', state: 'sending' });
    const created = jambonz.messages.at(-1)!;
    expect(created.body).toEqual({
      from: '+14155550100', to: '+14155552680', text: 'Your summary',
      message_status_hook: { url: new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url('/webhooks/jambonz/sms/status', { mid: sent.body.id }), method: 'POST' },
    });
    const hook = (created.body.message_status_hook as { url: string }).url.slice(PUBLIC.length);
    const status = (s: string) => jambonz.post(gw.url, hook, { message_sid: created.sid, message_status: s });
    expect((await status('delivered')).status).toBe(204);
    expect((await status('sent')).status).toBe(204);
    const types = (await log()).filter((e) => e.interactionId === sent.body.id).map((e) => e.type);
    expect(types).toEqual(['sms.queued', 'sms.delivered']);
  });
});

describe('SMS on the simulator', () => {
  let gw: TestGateway;
  let token: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    token = await gw.token();
  });
  afterAll(() => gw.close());

  const log = () => new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter('default', 0, 100_000);
  const typesOf = async (interactionId: string) => (await log()).filter((e) => e.interactionId === interactionId).map((e) => e.type);
  const until = async (probe: () => Promise<boolean>) => {
    for (let n = 0; n < 60 && !(await probe()); n++) await new Promise((r) => setTimeout(r, 25));
  };

  it.each([
    ['+14155552671', 'delivered'],
    ['+14155550001', 'undelivered'],
    ['+14155550002', 'failed'],
  ])('delivers to %s through the status path, ending %s', async (phone, outcome) => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone } } });
    const sent = await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token, body: { body: 'hello from the simulator' } });
    expect(sent.body).toMatchObject({ provider: 'simulator', from: '+15550100000', to: phone });
    await until(async () => (await typesOf(sent.body.id)).length === 3);
    expect(await typesOf(sent.body.id)).toEqual(['sms.queued', 'sms.sent', `sms.${outcome}`]);
  });

  it('plays a customer texting in, only into the caller’s tenant', async () => {
    // Playing a customer is for supervisors and admins (roles.e2e.spec.ts).
    const trainer = await gw.token({ agentId: 'trainer', roles: ['supervisor'] });
    const res = await gw.request('POST', '/v1/simulator/inbound-sms', { token: trainer, body: { from: '+14155552690', to: '+14155550100', body: 'can we talk?' } });
    expect(res.status).toBe(202);
    const conv = await gw.request('GET', `/v1/conversations/${res.body.conversationId}`, { token });
    expect(conv.body.interactions[0]).toMatchObject({ channel: 'sms', direction: 'inbound', provider: 'simulator' });
    expect((await gw.request('POST', '/v1/simulator/inbound-sms', { token: trainer, body: { from: 'x' } })).status).toBe(400);
  });
});
