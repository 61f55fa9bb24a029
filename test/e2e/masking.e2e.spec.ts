import { FakeTwilio, hex, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient, type Frame } from '../support/ws-client';

/** The same conversation as an agent sees it (masked) and as a supervisor with `pii` (clear). */
describe('sensitive data masking for agents', () => {
  let gw: TestGateway;
  let agent: string;
  let clearSupervisor: string;
  let plainSupervisor: string;
  let conversationId: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ tenants: [{ id: 'acme', numbers: ['+14155550100'], maskSensitiveData: true }] });
    agent = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    clearSupervisor = await gw.token({ tenantId: 'acme', agentId: 'sam', roles: ['supervisor'], pii: true });
    plainSupervisor = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
    const conv = await gw.request('POST', '/v1/conversations', {
      token: clearSupervisor,
      body: { contact: { phone: '+447966197542', email: 'melissa@gmail.com', name: '+44 7966 197542' }, chat: { sessionId: 'mask-1' } },
    });
    conversationId = conv.body.id;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  const watch = async (token: string) => {
    const client = await EventClient.connect(gw.url, token);
    clients.push(client);
    client.send({ op: 'subscribe', topics: [`conversation:${conversationId}`], since: '0' });
    await client.next((f) => f.op === 'subscribed');
    return client;
  };

  it('masks phone numbers, e-mails and a phone-number name over REST for an agent, not for a pii supervisor', async () => {
    const masked = (await gw.request('GET', `/v1/conversations/${conversationId}`, { token: agent })).body;
    expect(masked.contact).toMatchObject({ phone: '*********7542', email: 'm******@gmail.com', name: '*********7542' });
    const clear = (await gw.request('GET', `/v1/conversations/${conversationId}`, { token: clearSupervisor })).body;
    expect(clear.contact).toMatchObject({ phone: '+447966197542', email: 'melissa@gmail.com', name: '+44 7966 197542' });
    const plain = (await gw.request('GET', `/v1/contacts/${clear.contact.id}`, { token: plainSupervisor })).body;
    expect(plain.phone).toBe('*********7542');
    // Lookups still work with the clear number; what comes back is masked.
    const found = await gw.request('GET', '/v1/contacts?phone=%2B447966197542', { token: agent });
    expect(found.body.items[0].phone).toBe('*********7542');
  });

  // Masking rides on @Roles() (and @Idempotent()), not on every route: these are the shapes that could slip.
  it('masks an idempotent answer and its replay, and the answer of a route declaring its roles on the handler', async () => {
    const create = () => gw.request('POST', '/v1/conversations', {
      token: agent, headers: { 'idempotency-key': 'mask-replay-1' },
      body: { contact: { phone: '+447966197543', name: 'Melissa' }, chat: { sessionId: 'mask-replay' } },
    });
    const first = await create();
    const replay = await create();
    expect(first.status).toBe(201);
    expect(first.body.contact.phone).toBe('*********7543');
    expect(replay.status).toBe(first.status);
    expect(replay.body).toEqual(first.body);
    // Assignment routes declare their roles per handler, with none on the controller.
    const released = await gw.request('POST', `/v1/conversations/${first.body.id}/release`, { token: agent });
    expect(released.status).toBe(200);
    expect(JSON.stringify(released.body)).not.toContain('7966197543');
    expect(released.body.contact.phone).toBe('*********7543');
    const claimed = await gw.request('POST', `/v1/conversations/${first.body.id}/claim`, { token: clearSupervisor });
    expect(claimed.body.contact.phone).toBe('+447966197543');
  });

  it('masks card numbers inside message bodies, over REST and over the socket, while the store keeps them', async () => {
    const agentFeed = await watch(agent);
    const clearFeed = await watch(clearSupervisor);
    const sent = await gw.request('POST', '/v1/conversations/' + conversationId + '/messages', {
      token: agent, body: { body: 'Card on file 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32' },
    });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ body: 'Card on file **** **** **** 1111, IBAN GB82 **** **** **** **54 32', to: '*********7542' });
    const stored = await gw.request('GET', `/v1/messages/${sent.body.id}`, { token: clearSupervisor });
    expect(stored.body.body).toBe('Card on file 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32');

    const created = await agentFeed.next((f) => f.event?.type === 'conversation.created');
    expect(created.event.data.conversation.contact).toMatchObject({ phone: '*********7542', email: 'm******@gmail.com' });
    const queued = await agentFeed.next((f) => f.event?.type === 'sms.queued');
    expect(queued.event.data.to).toBe('*********7542');
    const clearCreated = await clearFeed.next((f) => f.event?.type === 'conversation.created');
    expect(clearCreated.event.data.conversation.contact.phone).toBe('+447966197542');
    expect((await clearFeed.next((f) => f.event?.type === 'sms.queued')).event.data.to).toBe('+447966197542');
  });
});

/**
 * Every string a masked agent receives goes through the detectors, whatever its field: the
 * screen-pop context (keys and values), a provider's refusal, the disposition and notes, numbers
 * and e-mails typed in bodies, and a contact made from a sender no phone parser understands.
 */
describe('masking covers every string an agent receives', () => {
  const PUBLIC = 'https://gateway.example.com';
  const ACME_NUMBER = '+14155550100';
  const twilio = new FakeTwilio();
  let gw: TestGateway;
  let agent: string;
  let clear: string;
  let watcher: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: [ACME_NUMBER], defaultRegion: 'US', maskSensitiveData: true }],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: twilio.url } },
    });
    agent = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    clear = await gw.token({ tenantId: 'acme', agentId: 'sam', roles: ['supervisor'], pii: true });
    watcher = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
    await twilio.stop();
  });

  const watch = async (token: string, topic: string) => {
    const client = await EventClient.connect(gw.url, token);
    clients.push(client);
    client.send({ op: 'subscribe', topics: [topic], since: '0' });
    await client.next((f) => f.op === 'subscribed');
    return client;
  };
  const event = (feed: EventClient, type: string, match: (f: Frame) => boolean = () => true) =>
    feed.next((f) => f.event?.type === type && match(f));
  /** Nothing a masked viewer got may hold these, in any field or key. */
  const CLEAR = /7966 ?197542|melissa@|4111[ .\u00A0]?1111|415\) 555|9991234567/;

  const context = {
    '+447966197542': 'customer callback',
    'melissa@gmail.com': { card: '4111.1111.1111.1111', note: 'call 07966 197542' },
    card: '4111\u00A01111\u00A01111\u00A01111',
    gps: { lat: 48.856613, lon: 2.352222 },
  };
  const maskedContext = {
    '*********7542': 'customer callback',
    'm******@gmail.com': { card: '****.****.****.1111', note: 'call *******7542' },
    card: '****\u00A0****\u00A0****\u00A01111',
    gps: { lat: 48.856613, lon: 2.352222 },
  };

  it('masks context, provider errors, bodies, disposition and notes over REST and the socket; a pii supervisor sees them clear', async () => {
    const created = await gw.request('POST', '/v1/conversations', {
      token: clear, body: { contact: { phone: '+447966197542', email: 'melissa@gmail.com' }, chat: { sessionId: 'ctx-1' }, context },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const agentFeed = await watch(agent, `conversation:${id}`);
    const clearFeed = await watch(clear, `conversation:${id}`);

    // The screen-pop context, keys and values, over REST and in conversation.created.
    const got = (await gw.request('GET', `/v1/conversations/${id}`, { token: agent })).body;
    expect(got.context).toEqual(maskedContext);
    expect((await event(agentFeed, 'conversation.created')).event.data.conversation.context).toEqual(maskedContext);
    expect((await gw.request('GET', `/v1/conversations/${id}`, { token: clear })).body.context).toEqual(context);
    expect((await event(clearFeed, 'conversation.created')).event.data.conversation.context).toEqual(context);

    // A provider's refusal quoting the number, and a body with a phone number and an e-mail in it.
    twilio.refuseNext = { code: 21211, status: 400, message: "The 'To' number +447966197542 is not a valid phone number." };
    const sent = await gw.request('POST', `/v1/conversations/${id}/messages`, {
      token: agent, body: { body: 'Reach me at +1 (415) 555-2671 or melissa@gmail.com' },
    });
    expect(sent.status).toBe(202);
    const refusal = "twilio refused the message: The 'To' number *********7542 is not a valid phone number.";
    expect(sent.body).toMatchObject({ state: 'failed', body: 'Reach me at ********2671 or m******@gmail.com', error: { code: '21211', message: refusal } });
    const read = (await gw.request('GET', `/v1/messages/${sent.body.id}`, { token: agent })).body;
    expect(read).toMatchObject({ body: 'Reach me at ********2671 or m******@gmail.com', error: { message: refusal } });
    expect((await event(agentFeed, 'sms.queued')).event.data.to).toBe('*********7542');
    expect((await event(agentFeed, 'sms.failed')).event.data).toMatchObject({ errorCode: '21211', error: refusal });
    const stored = (await gw.request('GET', `/v1/messages/${sent.body.id}`, { token: clear })).body;
    expect(stored).toMatchObject({ body: 'Reach me at +1 (415) 555-2671 or melissa@gmail.com', error: { message: expect.stringContaining('+447966197542') } });
    expect((await event(clearFeed, 'sms.failed')).event.data.error).toContain('+447966197542');

    // Wrap-up: the disposition and the notes, in the answer, over REST and in conversation.closed.
    const wrapped = await gw.request('POST', `/v1/conversations/${id}/wrap-up`, {
      token: agent, body: { disposition: 'call back on +44 7966 197542', notes: 'mail melissa@gmail.com, card 4111 1111 1111 1111' },
    });
    expect(wrapped.status).toBe(200);
    const outcome = { disposition: 'call back on *********7542', notes: 'mail m******@gmail.com, card **** **** **** 1111' };
    expect(wrapped.body).toMatchObject(outcome);
    expect((await gw.request('GET', `/v1/conversations/${id}`, { token: agent })).body).toMatchObject(outcome);
    expect((await event(agentFeed, 'conversation.closed')).event.data.disposition).toBe('call back on *********7542');
    expect((await gw.request('GET', `/v1/conversations/${id}`, { token: clear })).body)
      .toMatchObject({ disposition: 'call back on +44 7966 197542', notes: 'mail melissa@gmail.com, card 4111 1111 1111 1111' });
    expect((await event(clearFeed, 'conversation.closed')).event.data.disposition).toBe('call back on +44 7966 197542');

    // Nothing the agent received, in any field, frame or key, holds the clear data.
    const everything = JSON.stringify([got, sent.body, read, wrapped.body, agentFeed.frames]);
    expect(everything).not.toMatch(CLEAR);
    expect(JSON.stringify(clearFeed.frames)).toMatch(CLEAR);
  });

  it('masks a contact made from a sender no phone parser understands, and the body it sent', async () => {
    const feed = await watch(watcher, 'tenant');
    const params = {
      ToCountry: 'US', SmsMessageSid: `SM${hex()}`, NumMedia: '0', SmsSid: `SM${hex()}`, SmsStatus: 'received',
      Body: 'Hi, this is melissa@gmail.com, call +44 7966 197542', To: ACME_NUMBER, NumSegments: '1',
      MessageSid: `SM${hex()}`, AccountSid: TWILIO_SID, From: '+9991234567890', ApiVersion: '2010-04-01',
    };
    expect((await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/sms', params)).status).toBe(200);

    const received = await event(feed, 'sms.received');
    expect(received.event.data).toMatchObject({ from: '**********7890', body: 'Hi, this is m******@gmail.com, call *********7542' });

    const conversationId = received.event.conversationId as string;
    const asAgent = (await gw.request('GET', `/v1/conversations/${conversationId}`, { token: agent })).body;
    expect(asAgent.contact.externalId).toBe('sms:**********7890');
    expect((await gw.request('GET', `/v1/contacts/${asAgent.contact.id}`, { token: agent })).body.externalId).toBe('sms:**********7890');
    const listed = (await gw.request('GET', '/v1/conversations?limit=100', { token: agent })).body;
    expect(JSON.stringify([asAgent, listed, feed.frames])).not.toMatch(CLEAR);

    const asClear = (await gw.request('GET', `/v1/conversations/${conversationId}`, { token: clear })).body;
    expect(asClear.contact.externalId).toBe('sms:+9991234567890');
    const message = (await gw.request('GET', `/v1/messages/${received.event.interactionId}`, { token: clear })).body;
    expect(message.body).toBe('Hi, this is melissa@gmail.com, call +44 7966 197542');
  });
});
