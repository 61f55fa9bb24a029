import { FakeTwilio, hex, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';
const ACME_NUMBER = '+14155550100';
const CUSTOMER = '+14155552671';
const JPEG = Buffer.from('\xff\xd8\xff\xe0 fake jpeg bytes of the dented bumper', 'latin1');
/** GSM-7, 200 characters: two segments. */
const LONG_REPLY = `Thanks for your patience. We have opened claim 42 for the damage and a tow truck is on the way. ${'Please keep this message. '.repeat(5)}`.slice(0, 200);

type Item = { id: string; type: string; at: string; interactionId: string | null; data: Record<string, any> };

/**
 * Issue 12, done-when 1: the whole story of a conversation — chat, click-to-call with hold, mute
 * and DTMF, an SMS out over 160 characters, an MMS in, chat end, wrap-up — read back from
 * `GET /v1/conversations/:id/timeline` in order, masked for an agent and clear for a pii supervisor.
 */
describe('the conversation timeline', () => {
  const twilio = new FakeTwilio();
  let gw: TestGateway;
  let agent: string;
  let supervisor: string;
  let other: string;
  const clients: EventClient[] = [];
  let conversationId: string;
  let contactId: string;
  let callId: string;
  let sentId: string;
  let receivedId: string;

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [
        { id: 'acme', numbers: [ACME_NUMBER], defaultRegion: 'US', maskSensitiveData: true, smsProvider: 'twilio', voiceProvider: 'simulator' },
        { id: 'globex', numbers: ['+14155550199'], defaultRegion: 'US' },
      ],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: twilio.url } },
    });
    agent = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    supervisor = await gw.token({ tenantId: 'acme', agentId: 'sam', roles: ['supervisor'], pii: true });
    other = await gw.token({ tenantId: 'globex', agentId: 'bob', roles: ['supervisor'], pii: true });

    // The story, played over REST, the socket and Twilio's webhook.
    const conv = await gw.request('POST', '/v1/conversations', {
      token: agent, body: { contact: { phone: CUSTOMER, name: 'Dana' }, chat: { sessionId: 'timeline-1', origin: 'web' } },
    });
    expect(conv.status).toBe(201);
    conversationId = conv.body.id;
    contactId = conv.body.contact.id;
    const feed = await EventClient.connect(gw.url, agent);
    clients.push(feed);
    feed.send({ op: 'subscribe', topics: [`conversation:${conversationId}`] });
    await feed.next((f) => f.op === 'subscribed');

    const placed = await gw.request('POST', `/v1/conversations/${conversationId}/calls`, {
      token: agent, body: { agentEndpoint: 'sip:1001@pbx.example', consent: { via: 'chat' } },
    });
    expect(placed.status).toBe(202);
    callId = placed.body.id;
    await feed.next((f) => f.event?.type === 'call.answered');
    const control = async (what: string, body?: object) => {
      const res = await gw.request('POST', `/v1/calls/${callId}/${what}`, { token: agent, body });
      expect(res.status).toBe(200);
      return res.body;
    };
    await control('hold');
    await control('resume');
    await control('mute');
    await control('dtmf', { digits: '4111w1111#' });
    await control('unmute');
    await control('transfer', { to: 'sip:claims@pbx.example' });
    await control('hangup');

    const sent = await gw.request('POST', `/v1/conversations/${conversationId}/messages`, { token: agent, body: { body: LONG_REPLY } });
    expect(sent.status).toBe(202);
    sentId = sent.body.id;

    const sid = `MM${hex()}`;
    const inbound = await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/sms', {
      MessageSid: sid, SmsSid: sid, AccountSid: TWILIO_SID, From: CUSTOMER, To: ACME_NUMBER, Body: 'Here is the bumper', NumMedia: '1',
      MediaUrl0: twilio.addMedia('image/jpeg', JPEG), MediaContentType0: 'image/jpeg', ApiVersion: '2010-04-01',
    });
    expect(inbound.status).toBe(200);
    const received = await feed.next((f) => f.event?.type === 'sms.received');
    receivedId = received.event.interactionId;

    expect((await gw.request('POST', `/v1/conversations/${conversationId}/chat/end`, { token: agent })).body.status).toBe('wrap-up');
    const wrapped = await gw.request('POST', `/v1/conversations/${conversationId}/wrap-up`, {
      token: agent, body: { disposition: 'claim-opened', notes: 'Tow arranged; customer sent a photo.' },
    });
    expect(wrapped.body.status).toBe('closed');
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
    await twilio.stop();
  });

  /** Every item of the timeline, read page by page with a small limit. */
  const readAll = async (token: string, limit = 2): Promise<{ items: Item[]; pages: number }> => {
    const items: Item[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=${limit}&cursor=${cursor}` : `?limit=${limit}`;
      const res = await gw.request('GET', `/v1/conversations/${conversationId}/timeline${query}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    return { items, pages };
  };

  it('reads the whole story back in order, paging through it, with bodies, pictures, call times and steps', async () => {
    const { items, pages } = await readAll(supervisor);
    expect(items.map((i) => i.type)).toEqual(['chat_linked', 'call', 'message', 'message', 'chat_ended', 'wrapped_up']);
    expect(pages).toBe(3);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    const times = items.map((i) => i.at);
    expect([...times].sort()).toEqual(times);

    const [linked, call, out, mms, ended, wrapUp] = items as [Item, Item, Item, Item, Item, Item];
    expect(linked.data).toEqual({ sessionId: 'timeline-1', origin: 'web' });

    expect(call.id).toBe(callId);
    expect(call.data).toMatchObject({
      direction: 'outbound', provider: 'simulator', to: CUSTOMER, from: ACME_NUMBER, state: 'ended', endReason: 'completed',
      consent: { via: 'chat' }, muted: false,
    });
    for (const field of ['startedAt', 'answeredAt', 'endedAt']) expect(typeof call.data[field]).toBe('string');
    expect(call.data.startedAt <= call.data.answeredAt && call.data.answeredAt <= call.data.endedAt).toBe(true);
    const { durationSeconds, holdSeconds, talkSeconds } = call.data;
    expect([durationSeconds, holdSeconds, talkSeconds].every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
    expect(talkSeconds + holdSeconds).toBe(durationSeconds);
    expect(call.data.steps.map((s: { kind: string }) => s.kind)).toEqual(['held', 'resumed', 'muted', 'dtmf_sent', 'unmuted', 'transferred']);
    expect(call.data.steps[3]).toMatchObject({ kind: 'dtmf_sent', digitCount: 9, agentId: 'alice' });
    expect(call.data.steps[5]).toMatchObject({ kind: 'transferred', to: 'sip:claims@pbx.example' });
    // The keys pressed are nowhere: a customer keys card numbers through DTMF.
    expect(JSON.stringify(items)).not.toContain('4111');

    expect(out).toMatchObject({ id: sentId, interactionId: sentId });
    expect(out.data).toMatchObject({
      direction: 'outbound', provider: 'twilio', body: LONG_REPLY, segments: 2, encoding: 'GSM-7', to: CUSTOMER, error: null, attachments: [],
    });
    expect(mms.id).toBe(receivedId);
    expect(mms.data).toMatchObject({ direction: 'inbound', state: 'received', body: 'Here is the bumper', segments: 1, from: CUSTOMER });
    const [attachment] = mms.data.attachments;
    expect(mms.data.attachments).toEqual([{ id: expect.any(String), contentType: 'image/jpeg', size: attachment.size, href: `/v1/attachments/${attachment.id}` }]);
    // The size is learnt from the provider after the webhook was answered, or when the picture is first opened.
    expect([null, JPEG.length]).toContain(attachment.size);
    const picture = await fetch(gw.url + attachment.href, { headers: { authorization: `Bearer ${agent}` } });
    expect(picture.status).toBe(200);
    expect(Buffer.from(await picture.arrayBuffer())).toEqual(JPEG);
    const again = (await readAll(supervisor, 100)).items.find((i) => i.id === receivedId)!;
    expect(again.data.attachments[0].size).toBe(JPEG.length);

    expect(ended).toMatchObject({ interactionId: linked.id, data: { sessionId: 'timeline-1', endReason: 'completed' } });
    expect(wrapUp).toMatchObject({ interactionId: null, data: { disposition: 'claim-opened', notes: 'Tow arranged; customer sent a photo.', agentId: 'alice' } });
  });

  it('is masked for an agent of a masking tenant: no clear phone number anywhere, the same items otherwise', async () => {
    const clear = (await readAll(supervisor, 100)).items;
    const masked = (await readAll(agent, 4)).items;
    const json = JSON.stringify(masked);
    for (const number of [CUSTOMER, CUSTOMER.slice(2), ACME_NUMBER, ACME_NUMBER.slice(2)]) expect(json).not.toContain(number);
    expect(masked.map((i) => [i.id, i.type, i.at])).toEqual(clear.map((i) => [i.id, i.type, i.at]));
    const call = masked[1]!.data;
    expect(call).toMatchObject({ to: '********2671', from: '********0100', durationSeconds: clear[1]!.data.durationSeconds });
    expect(masked[2]!.data).toMatchObject({ body: LONG_REPLY, to: '********2671' });
    expect(masked[3]!.data.attachments[0].href).toBe(clear[3]!.data.attachments[0].href);
  });

  it('gives call and conversation views the answer time, durations and steps', async () => {
    const call = (await gw.request('GET', `/v1/calls/${callId}`, { token: supervisor })).body;
    expect(call).toMatchObject({ answeredAt: expect.any(String), durationSeconds: expect.any(Number), holdSeconds: expect.any(Number), talkSeconds: expect.any(Number) });
    expect(call.steps).toHaveLength(6);
    const conv = (await gw.request('GET', `/v1/conversations/${conversationId}`, { token: supervisor })).body;
    const byId = new Map(conv.interactions.map((i: { id: string }) => [i.id, i]));
    expect(byId.get(callId)).toMatchObject({ answeredAt: call.answeredAt, durationSeconds: call.durationSeconds, holdSeconds: call.holdSeconds });
    expect(byId.get(sentId)).toMatchObject({ segments: 2, encoding: 'GSM-7', attachmentCount: 0 });
    expect(byId.get(receivedId)).toMatchObject({ segments: 1, attachmentCount: 1 });
  });

  it('lists the conversation in the contact\'s activities with its channels, outcome, last message and timeline link', async () => {
    const res = await gw.request('GET', `/v1/contacts/${contactId}/activities`, { token: agent });
    expect(res.status).toBe(200);
    const activity = res.body.items[0];
    expect(activity).toMatchObject({
      id: conversationId, status: 'closed', disposition: 'claim-opened', notes: 'Tow arranged; customer sent a photo.',
      channels: ['chat', 'voice', 'sms'], closedAt: expect.any(String), createdAt: expect.any(String),
      lastMessage: { interactionId: receivedId, direction: 'inbound', preview: 'Here is the bumper', attachmentCount: 1 },
      timelineHref: `/v1/conversations/${conversationId}/timeline`,
    });
    expect(JSON.stringify(res.body)).not.toContain(CUSTOMER.slice(2));
    const timeline = await gw.request('GET', activity.timelineHref, { token: agent });
    expect(timeline.body.items[0].type).toBe('chat_linked');
  });

  it('answers 404 for an unknown conversation or one of another tenant, 400 for a cursor it did not give', async () => {
    expect((await gw.request('GET', `/v1/conversations/${conversationId}/timeline`, { token: other })).status).toBe(404);
    expect((await gw.request('GET', '/v1/conversations/01HZZZZZZZZZZZZZZZZZZZZZZZ/timeline', { token: agent })).status).toBe(404);
    expect((await gw.request('GET', `/v1/conversations/${conversationId}/timeline?cursor=nonsense`, { token: agent })).status).toBe(400);
    const foreign = Buffer.from('v1:01HZZZZZZZZZZZZZZZZZZZZZZZ').toString('base64url');
    const res = await gw.request('GET', `/v1/conversations/${conversationId}/timeline?cursor=${foreign}`, { token: agent });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('cursor');
    expect((await gw.request('GET', `/v1/conversations/${conversationId}/timeline?limit=0`, { token: agent })).status).toBe(400);
  });
});
