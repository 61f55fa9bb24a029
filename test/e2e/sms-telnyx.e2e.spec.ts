import { randomUUID } from 'node:crypto';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { DATABASE } from '../../src/storage/storage.module';
import type { DatabaseHandle } from '../../src/storage/database';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { FakeTelnyx, TELNYX_PROFILE, telnyxKeyPair, type SentMessage } from '../support/fake-telnyx';
import { startTestGateway, type TestGateway } from '../support/gateway';

const PUBLIC = 'https://gateway.example.com';
const ACME_NUMBER = '+14155550100';
const CUSTOMER = '+14155552671';

/** The smallest real provider: Telnyx messaging, one folder plus one registry line. */
describe('SMS and MMS over Telnyx', () => {
  const telnyx = new FakeTelnyx();
  let gw: TestGateway;
  let acme: string;

  beforeAll(async () => {
    await telnyx.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: [ACME_NUMBER], defaultRegion: 'US', smsProvider: 'telnyx' }],
      providers: telnyx.providers(),
    });
    acme = await gw.token({ tenantId: 'acme' });
  });
  afterAll(async () => {
    await gw.close();
    await telnyx.stop();
  });

  const log = () => new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter('acme', 0, 100_000);
  const typesOf = async (interactionId: string) => (await log()).filter((e) => e.interactionId === interactionId).map((e) => e.type);
  const inbound = (event: unknown, options?: Parameters<FakeTelnyx['post']>[3]) => telnyx.post(gw.url, '/webhooks/telnyx/sms', event, options);
  /** Sends through the REST API; returns the gateway's answer and what the fake was asked. */
  const send = async (phone: string, body = 'Your summary') => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: acme, body: { contact: { phone } } });
    const sent = await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token: acme, body: { body } });
    expect(sent.status).toBe(202);
    return { sent: sent.body as { id: string; state: string; providerRef: string }, created: telnyx.messages.at(-1)! };
  };
  const statusPath = (created: SentMessage) => created.body.webhook_url.slice(PUBLIC.length);

  it('sends through POST /v2/messages and follows signed status events forward only', async () => {
    const { sent, created } = await send('+14155552680');
    expect(sent).toMatchObject({ provider: 'telnyx', state: 'queued', providerRef: created.id, from: ACME_NUMBER, to: '+14155552680' });
    expect(created.body).toEqual({
      from: ACME_NUMBER, to: '+14155552680', text: 'Your summary', use_profile_webhooks: false, messaging_profile_id: TELNYX_PROFILE,
      webhook_url: new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url('/webhooks/telnyx/sms', { mid: sent.id }),
    });
    const status = (s: string, errors?: Array<{ code: string; title: string }>) => telnyx.post(gw.url, statusPath(created), telnyx.statusEvent(created, s, errors));
    expect(await status('sent')).toEqual({ status: 204, text: '' });
    expect((await status('delivered')).status).toBe(204);
    expect((await status('sent')).status).toBe(204); // late and out of order: changes nothing
    expect(await typesOf(sent.id)).toEqual(['sms.queued', 'sms.sent', 'sms.delivered']);
    expect((await gw.request('GET', `/v1/messages/${sent.id}`, { token: acme })).body.state).toBe('delivered');
  });

  it('records a finalized delivery failure with its Telnyx error', async () => {
    const { sent, created } = await send('+14155552681');
    const res = await telnyx.post(gw.url, statusPath(created), telnyx.statusEvent(created, 'delivery_failed', [{ code: '40008', title: 'Undeliverable' }]));
    expect(res.status).toBe(204);
    const events = (await log()).filter((e) => e.interactionId === sent.id);
    expect(events.map((e) => e.type)).toEqual(['sms.queued', 'sms.undelivered']);
    expect(events[1]!.data).toMatchObject({ providerRef: created.id, errorCode: '40008', error: 'Undeliverable' });
  });

  it('records a message Telnyx refuses as failed, with its error code', async () => {
    telnyx.refuseNext = { status: 422, code: '40305', title: 'Invalid from address', detail: 'The from address is not a number of the messaging profile.' };
    const { sent } = await send('+14155552682', 'hi');
    expect(sent).toMatchObject({ provider: 'telnyx', state: 'failed', error: { code: '40305' } });
    expect(await typesOf(sent.id)).toEqual(['sms.queued', 'sms.failed']);
  });

  it('takes a signed inbound MMS into a conversation once, and streams its media without the API key', async () => {
    const jpeg = Buffer.from('\xff\xd8\xff\xe0 fake jpeg bytes', 'latin1');
    const event = telnyx.inboundEvent(CUSTOMER, ACME_NUMBER, 'Photos of the damage', [{ url: telnyx.addMedia('image/jpeg', jpeg), content_type: 'image/jpeg', size: jpeg.length }]);
    const before = (await log()).length;
    expect(await inbound(event)).toEqual({ status: 204, text: '' });
    // Telnyx retries an event it thinks failed: the same message id is taken once.
    expect((await inbound(event)).status).toBe(204);
    const events = (await log()).slice(before);
    expect(events.map((e) => e.type)).toEqual(['conversation.created', 'sms.received']);
    expect(events[1]!.data).toMatchObject({ from: CUSTOMER, to: ACME_NUMBER, body: 'Photos of the damage', attachments: [{ contentType: 'image/jpeg' }] });
    const [attachment] = events[1]!.data.attachments as Array<{ href: string }>;
    const picture = await fetch(gw.url + attachment!.href, { headers: { authorization: `Bearer ${acme}` } });
    expect(picture.status).toBe(200);
    expect(Buffer.from(await picture.arrayBuffer())).toEqual(jpeg);
    const message = await gw.request('GET', `/v1/messages/${events[1]!.interactionId}`, { token: acme });
    expect(message.body).toMatchObject({ direction: 'inbound', state: 'received', provider: 'telnyx', attachments: [{ size: jpeg.length }] });
  });

  it('joins the open conversation of the contact for the next message', async () => {
    await inbound(telnyx.inboundEvent('+14155552672', ACME_NUMBER, 'first'));
    const before = (await log()).length;
    expect((await inbound(telnyx.inboundEvent('+14155552672', ACME_NUMBER, 'second'))).status).toBe(204);
    const events = (await log()).slice(before);
    expect(events.map((e) => e.type)).toEqual(['sms.received']);
    const conv = await gw.request('GET', `/v1/conversations/${events[0]!.conversationId}`, { token: acme });
    expect(conv.body.interactions.map((i: { direction: string }) => i.direction)).toEqual(['inbound', 'inbound']);
  });

  // Timestamps are offsets from the clock when the test runs, not when the table is read.
  it.each<[string, () => Parameters<FakeTelnyx['post']>[3]]>([
    ['no signature', () => ({ headers: {} })],
    ['a signature without its timestamp', () => ({ headers: { 'telnyx-signature-ed25519': Buffer.alloc(64).toString('base64') } })],
    ['another key', () => ({ privateKey: telnyxKeyPair().privateKey })],
    ['a stale timestamp', () => ({ timestamp: Math.floor(Date.now() / 1000) - 310 })],
    ['a timestamp from the future', () => ({ timestamp: Math.floor(Date.now() / 1000) + 310 })],
  ])('refuses an inbound event with %s with 403 and stores nothing', async (_name, options) => {
    const before = (await log()).length;
    const res = await inbound(telnyx.inboundEvent('+14155552673', ACME_NUMBER, 'forged'), options());
    expect(res.status).toBe(403);
    expect((await log()).length).toBe(before);
  });

  it('refuses a signed body changed on the way with 403', async () => {
    const event = telnyx.inboundEvent('+14155552673', ACME_NUMBER, 'original');
    const headers = (await import('../../src/providers/telnyx/telnyx-signature')).signTelnyx(JSON.stringify(event), telnyx.keys.privateKey);
    const before = (await log()).length;
    const changed = telnyx.inboundEvent('+14155552673', ACME_NUMBER, 'changed');
    expect((await inbound(changed, { headers })).status).toBe(403);
    expect((await log()).length).toBe(before);
  });

  it("refuses a signed status re-targeted at another message's mid, and B's own status still lands", async () => {
    const a = await send('+14155552683');
    const b = await send('+14155552684');
    const delivered = telnyx.statusEvent(a.created, 'delivered');
    const aSig = new URL(a.created.body.webhook_url).searchParams.get('sig')!;
    expect((await telnyx.post(gw.url, `/webhooks/telnyx/sms?mid=${b.sent.id}`, delivered)).status).toBe(403);
    expect((await telnyx.post(gw.url, `/webhooks/telnyx/sms?mid=${b.sent.id}&sig=${aSig}`, delivered)).status).toBe(403);
    // A's signed event on B's own signed URL names a message B is not: nothing changes.
    expect((await telnyx.post(gw.url, statusPath(b.created), delivered)).status).toBe(204);
    expect(await typesOf(b.sent.id)).toEqual(['sms.queued']);
    expect(await typesOf(a.sent.id)).toEqual(['sms.queued']);
    expect((await telnyx.post(gw.url, statusPath(b.created), telnyx.statusEvent(b.created, 'delivered'))).status).toBe(204);
    expect(await typesOf(b.sent.id)).toEqual(['sms.queued', 'sms.delivered']);
  });

  it('answers a signed but malformed event with 400 naming the field, and acknowledges other event types', async () => {
    const event = telnyx.inboundEvent(CUSTOMER, ACME_NUMBER, 'x') as { data: { payload: Record<string, unknown> } };
    delete event.data.payload.from;
    const res = await inbound(event);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors[0].field).toBe('data.payload.from');
    const before = (await log()).length;
    const other = { data: { record_type: 'event', id: randomUUID(), event_type: 'number_order.complete', payload: { id: randomUUID() } } };
    expect((await inbound(other)).status).toBe(204);
    expect((await log()).length).toBe(before);
  });
});
