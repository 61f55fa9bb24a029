import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { DATABASE } from '../../src/storage/storage.module';
import type { DatabaseHandle } from '../../src/storage/database';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { FakeTwilio, hex, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';
const ACME_NUMBER = '+14155550100';
const GLOBEX_NUMBER = '+14155550199';
const CUSTOMER = '+14155552671';

describe('SMS and MMS over Twilio', () => {
  const twilio = new FakeTwilio();
  let gw: TestGateway;
  let acme: string;
  let globex: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: [ACME_NUMBER], defaultRegion: 'US' }, { id: 'globex', numbers: [GLOBEX_NUMBER], defaultRegion: 'US' }],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: twilio.url } },
    });
    acme = await gw.token({ tenantId: 'acme', agentId: 'alice', roles: ['supervisor'] });
    globex = await gw.token({ tenantId: 'globex', agentId: 'bob' });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
    await twilio.stop();
  });

  const log = () => new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter('acme', 0, 100_000);
  const inbound = (params: Record<string, string>, signature?: string) =>
    twilio.post(gw.url, PUBLIC, '/webhooks/twilio/sms', params, signature);
  const smsParams = (from: string, body: string, extra: Record<string, string> = {}) => ({
    ToCountry: 'US', SmsMessageSid: `SM${hex()}`, NumMedia: '0', SmsSid: `SM${hex()}`, SmsStatus: 'received',
    Body: body, To: ACME_NUMBER, NumSegments: '1', MessageSid: `SM${hex()}`, AccountSid: TWILIO_SID, From: from, ApiVersion: '2010-04-01',
    ...extra,
  });
  const watch = async () => {
    const client = await EventClient.connect(gw.url, acme);
    clients.push(client);
    client.send({ op: 'subscribe', topics: ['tenant'] });
    await client.next((f) => f.op === 'subscribed');
    return client;
  };

  it('takes a signed MMS with two pictures into one new conversation with two attachments, once', async () => {
    const feed = await watch();
    const jpeg = Buffer.from('\xff\xd8\xff\xe0 fake jpeg bytes', 'latin1');
    const png = Buffer.from('\x89PNG fake png bytes, a bit longer', 'latin1');
    const params = smsParams(CUSTOMER, 'Here are the photos of the accident', {
      NumMedia: '2',
      MediaUrl0: twilio.addMedia('image/jpeg', jpeg), MediaContentType0: 'image/jpeg',
      MediaUrl1: twilio.addMedia('image/png', png), MediaContentType1: 'image/png',
    });
    const before = (await log()).length;
    const res = await inbound(params);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/xml/);
    expect(res.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');

    const events = (await log()).slice(before);
    expect(events.map((e) => e.type)).toEqual(['conversation.created', 'sms.received']);
    const received = events[1]!;
    expect(received.data).toMatchObject({ from: CUSTOMER, to: ACME_NUMBER, body: 'Here are the photos of the accident' });
    const attachments = received.data.attachments as Array<{ id: string; contentType: string; href: string }>;
    expect(attachments.map((a) => a.contentType)).toEqual(['image/jpeg', 'image/png']);
    const live = await feed.eventCount(2);
    expect(live.map((f) => f.event.type)).toEqual(['conversation.created', 'sms.received']);

    // The same webhook again (Twilio retries): nothing new.
    expect((await inbound(params)).status).toBe(200);
    expect((await log()).length).toBe(before + 2);

    // The pictures stream to an agent of the tenant, byte for byte; their sizes are learnt.
    const picture = await fetch(gw.url + attachments[0]!.href, { headers: { authorization: `Bearer ${acme}` } });
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await picture.arrayBuffer())).toEqual(jpeg);
    // Sizes are learnt from the provider after the webhook was answered.
    let message = await gw.request('GET', `/v1/messages/${received.interactionId}`, { token: acme });
    for (let n = 0; n < 40 && message.body.attachments.some((a: { size: number | null }) => a.size === null); n++) {
      await new Promise((r) => setTimeout(r, 50));
      message = await gw.request('GET', `/v1/messages/${received.interactionId}`, { token: acme });
    }
    expect(message.body).toMatchObject({ direction: 'inbound', state: 'received', body: 'Here are the photos of the accident', encoding: 'GSM-7', segments: 1 });
    expect(message.body.attachments.map((a: { size: number }) => a.size)).toEqual([jpeg.length, png.length]);
    // Another tenant sees none of it.
    expect((await gw.request('GET', attachments[0]!.href, { token: globex })).status).toBe(404);
    expect((await gw.request('GET', `/v1/messages/${received.interactionId}`, { token: globex })).status).toBe(404);

    const conversation = await gw.request('GET', `/v1/conversations/${received.conversationId}`, { token: acme });
    expect(conversation.body).toMatchObject({ status: 'active', contact: { phone: CUSTOMER }, interactions: [{ channel: 'sms', direction: 'inbound', state: 'received', providerRef: params.MessageSid }] });
  });

  it('joins the open conversation of the contact for the next message', async () => {
    const first = await inbound(smsParams('+14155552672', 'first'));
    expect(first.status).toBe(200);
    const before = (await log()).length;
    await inbound(smsParams('+14155552672', 'second'));
    const events = (await log()).slice(before);
    expect(events.map((e) => e.type)).toEqual(['sms.received']);
    const conv = await gw.request('GET', `/v1/conversations/${events[0]!.conversationId}`, { token: acme });
    expect(conv.body.interactions).toHaveLength(2);
  });

  it('accepts a signature over the URL with its default port written out, as Twilio may send it', async () => {
    // The gateway checks the URL as configured first and asks the twilio package for its variants only then.
    const withPort = PUBLIC.replace(/^(https:\/\/[^/]+)/, '$1:443');
    expect(withPort).not.toBe(PUBLIC);
    const res = await twilio.post(gw.url, withPort, '/webhooks/twilio/sms', smsParams('+14155552674', 'with a port'));
    expect(res.status).toBe(200);
  });

  it.each<[string, (p: Record<string, string>) => Promise<{ status: number }>]>([
    ['a forged signature', (p) => inbound(p, 'bm90IHRoZSBzaWduYXR1cmU=')],
    ['no signature', (p) => inbound(p, '')],
    ['a signature for another URL', (p) => twilio.post(gw.url, 'https://evil.example.com', '/webhooks/twilio/sms', p)],
    ['a signature over other parameters', async (p) => inbound({ ...p, Body: 'changed' }, (await import('twilio/lib/webhooks/webhooks')).getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC}/webhooks/twilio/sms`, p))],
  ])('refuses %s with 403 and stores nothing', async (_name, send) => {
    const before = (await log()).length;
    const res = await send(smsParams('+14155552673', 'forged'));
    expect(res.status).toBe(403);
    expect((await log()).length).toBe(before);
  });

  it('answers a signed but malformed webhook with 400 naming the field', async () => {
    const params = smsParams(CUSTOMER, 'x');
    delete (params as Partial<typeof params>).MessageSid;
    const res = await inbound(params);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors[0].field).toBe('MessageSid');
    const tooMany = await inbound(smsParams(CUSTOMER, 'x', { NumMedia: '99' }));
    expect(tooMany.status).toBe(400);
  });

  it('sends an SMS, follows signed status callbacks forward only, and ignores a late sent', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: acme, body: { contact: { phone: '+14155552674' }, chat: { sessionId: 'sms-send-1' } } });
    const feed = await EventClient.connect(gw.url, acme);
    clients.push(feed);
    feed.send({ op: 'subscribe', topics: [`conversation:${conv.id}`] });
    await feed.next((f) => f.op === 'subscribed');

    const body = 'Your claim 4711 is open. We will call you back within 2 hours. '.repeat(3);
    const sent = await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token: acme, body: { body } });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ channel: 'sms', direction: 'outbound', state: 'queued', segments: 2, encoding: 'GSM-7', from: ACME_NUMBER, to: '+14155552674', provider: 'twilio' });
    const created = twilio.messages.at(-1)!;
    expect(created.params.get('To')).toBe('+14155552674');
    expect(created.params.get('From')).toBe(ACME_NUMBER);
    expect(created.params.get('Body')).toBe(body);
    expect(created.params.get('StatusCallback')).toBe(new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url('/webhooks/twilio/sms/status', { mid: sent.body.id }));
    expect(sent.body.providerRef).toBe(created.sid);

    const status = (s: string) => twilio.post(gw.url, PUBLIC, created.params.get('StatusCallback')!.slice(PUBLIC.length),
      { MessageSid: created.sid, MessageStatus: s, AccountSid: TWILIO_SID, To: '+14155552674', From: ACME_NUMBER, ApiVersion: '2010-04-01' });
    expect((await status('sent')).status).toBe(204);
    expect((await status('delivered')).status).toBe(204);
    expect((await status('sent')).status).toBe(204);
    expect((await status('delivered')).status).toBe(204);
    const frames = await feed.eventCount(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(feed.events().map((f) => f.event.type)).toEqual(['sms.queued', 'sms.sent', 'sms.delivered']);
    expect(frames[0]!.event.data).toMatchObject({ segments: 2, encoding: 'GSM-7' });
    expect((await gw.request('GET', `/v1/messages/${sent.body.id}`, { token: acme })).body.state).toBe('delivered');
    // The chat stays active throughout.
    expect((await gw.request('GET', `/v1/conversations/${conv.id}`, { token: acme })).body.interactions[0].state).toBe('active');
  });

  it('records a message the provider refuses as failed, with its error', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: acme, body: { contact: { phone: '+14155552675' } } });
    twilio.refuseNext = { code: 21211, status: 400, message: "The 'To' number is not a valid phone number." };
    const res = await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token: acme, body: { body: 'hi' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ state: 'failed', error: { code: '21211' } });
    const events = (await log()).filter((e) => e.interactionId === res.body.id).map((e) => e.type);
    expect(events).toEqual(['sms.queued', 'sms.failed']);
  });

  it('opts a contact out on STOP (then sending is a 422) and back in on START', async () => {
    const phone = '+14155552676';
    await inbound(smsParams(phone, 'hello'));
    const contact = (await gw.request('GET', `/v1/contacts?phone=${encodeURIComponent(phone)}`, { token: acme })).body.items[0];
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: acme, body: { contact: { phone } } });
    const before = (await log()).length;
    await inbound(smsParams(phone, 'Stop'));
    expect((await log()).slice(before).map((e) => e.type)).toEqual(['sms.received', 'contact.opted_out']);
    const refused = await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token: acme, body: { body: 'are you there?' } });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].field).toBe('to');
    await inbound(smsParams(phone, 'STOP'));
    expect((await log()).slice(before).filter((e) => e.type === 'contact.opted_out')).toHaveLength(1);
    await inbound(smsParams(phone, 'start'));
    expect((await gw.request('GET', `/v1/contacts/${contact.id}`, { token: acme })).body.optedOutAt).toBeNull();
    expect((await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token: acme, body: { body: 'welcome back' } })).status).toBe(202);
  });

  it.each<[string, object, number, string]>([
    ['a missing template param', { template: { text: 'Hello <name>, claim <claim>', params: { name: 'Ann' } } }, 422, 'template.params.claim'],
    ['a stray < in a template', { template: { text: 'a < b', params: {} } }, 422, 'template.text'],
    ['no body', {}, 400, 'body'],
    ['an http media URL', { body: 'x', mediaUrls: ['http://example.com/a.jpg'] }, 400, 'mediaUrls.0'],
    ['a body over 1600 characters', { body: 'x'.repeat(1601) }, 400, 'body'],
    ['an invalid to', { body: 'x', to: '12' }, 400, 'to'],
    ['an unknown provider', { body: 'x', provider: 'sinch' }, 400, 'provider'],
    ['a provider not configured', { body: 'x', provider: 'jambonz' }, 422, 'provider'],
  ])('refuses %s', async (_name, body, status, field) => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: acme, body: { contact: { phone: '+14155552677' } } });
    const res = await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token: acme, body });
    expect(res.status).toBe(status);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('fills a template and counts UCS-2 segments', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: acme, body: { contact: { phone: '+14155552678' } } });
    const res = await gw.request('POST', `/v1/conversations/${conv.id}/messages`, {
      token: acme, body: { template: { text: 'Bonjour <name>, dossier <claim> 🚗', params: { name: 'Zoë', claim: '4711' } } },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ body: 'Bonjour Zoë, dossier 4711 🚗', encoding: 'UCS-2', segments: 1 });
    expect(twilio.messages.at(-1)!.params.get('Body')).toBe('Bonjour Zoë, dossier 4711 🚗');
  });

  it('refuses to send into a closed conversation or another tenant’s', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: acme, body: { contact: { phone: '+14155552679' } } });
    expect((await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token: globex, body: { body: 'x' } })).status).toBe(404);
    await gw.request('POST', `/v1/conversations/${conv.id}/wrap-up`, { token: acme, body: { disposition: 'done' } });
    expect((await gw.request('POST', `/v1/conversations/${conv.id}/messages`, { token: acme, body: { body: 'x' } })).status).toBe(409);
  });

  it('answers 404 to an inbound message for a number no tenant owns', async () => {
    const res = await inbound({ ...smsParams(CUSTOMER, 'hi'), To: '+14155550123' });
    expect(res.status).toBe(404);
  });
});
