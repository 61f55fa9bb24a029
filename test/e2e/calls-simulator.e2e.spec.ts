import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

describe('click-to-call on the simulator', () => {
  let gw: TestGateway;
  let alice: string;
  let strict: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [
        { id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US' },
        { id: 'careful', numbers: ['+14155550200'], requireConsent: true, doNotCall: ['+14155552699'] },
      ],
    });
    alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    strict = await gw.token({ tenantId: 'careful', agentId: 'carl' });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  let session = 0;
  const conversation = async (phone: string, token = alice) =>
    (await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone }, chat: { sessionId: `call-${++session}`, origin: 'mobile' } } })).body;
  const follow = async (conversationId: string) => {
    const client = await EventClient.connect(gw.url, alice);
    clients.push(client);
    client.send({ op: 'subscribe', topics: [`conversation:${conversationId}`] });
    await client.next((f) => f.op === 'subscribed');
    return client;
  };
  const call = (conversationId: string, body: object, token = alice, headers: Record<string, string> = {}) =>
    gw.request('POST', `/v1/conversations/${conversationId}/calls`, { token, body, headers });
  const control = (id: string, what: string, body?: object) => gw.request('POST', `/v1/calls/${id}/${what}`, { token: alice, body });

  it('rings and answers the customer while the chat goes on, then takes every control and hangs up', async () => {
    const conv = await conversation('+14155552671');
    const feed = await follow(conv.id);
    const placed = await call(conv.id, { agentEndpoint: 'sip:1001@pbx.example', consent: { via: 'chat' } });
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({
      channel: 'voice', direction: 'outbound', state: 'initiating', provider: 'simulator', to: '+14155552671',
      from: '+14155550100', agentEndpoint: 'sip:1001@pbx.example', consent: { via: 'chat' },
    });
    await feed.next((f) => f.event?.type === 'call.answered');
    expect(feed.events().map((f) => f.event.type)).toEqual(['call.initiated', 'call.ringing', 'call.answered']);
    const during = await gw.request('GET', `/v1/conversations/${conv.id}`, { token: alice });
    expect(during.body.status).toBe('active');
    expect(during.body.interactions.map((i: { channel: string; state: string }) => [i.channel, i.state])).toEqual([['chat', 'active'], ['voice', 'answered']]);

    const id = placed.body.id as string;
    expect((await control(id, 'resume')).status).toBe(409);
    expect((await control(id, 'hold')).body.state).toBe('held');
    expect((await control(id, 'dtmf', { digits: '1' })).status).toBe(409);
    expect((await control(id, 'resume')).body.state).toBe('answered');
    expect((await control(id, 'mute')).body.muted).toBe(true);
    expect((await control(id, 'mute')).status).toBe(409);
    expect((await control(id, 'unmute')).body.muted).toBe(false);
    expect((await control(id, 'dtmf', { digits: '12#w*' })).status).toBe(200);
    expect((await control(id, 'dtmf', { digits: 'x' })).status).toBe(400);
    expect((await control(id, 'transfer', { to: 'sip:queue-claims@pbx.example' })).status).toBe(200);
    const hung = await control(id, 'hangup');
    expect(hung.body).toMatchObject({ state: 'ended', endReason: 'completed' });
    expect((await control(id, 'hangup')).status).toBe(409);
    await feed.next((f) => f.event?.type === 'call.ended');
    expect(feed.events().map((f) => f.event.type)).toEqual([
      'call.initiated', 'call.ringing', 'call.answered', 'call.held', 'call.resumed', 'call.muted', 'call.unmuted', 'call.ended',
    ]);
    // The chat was live all along: the conversation stays active.
    expect((await gw.request('GET', `/v1/conversations/${conv.id}`, { token: alice })).body.status).toBe('active');
    // The chat ends too: now nothing is live and the conversation waits for its wrap-up.
    expect((await gw.request('POST', `/v1/conversations/${conv.id}/chat/end`, { token: alice })).body.status).toBe('wrap-up');
  });

  it('refuses a second live call in the conversation with 409, and places one call for a double click', async () => {
    const conv = await conversation('+14155552672');
    const headers = { 'idempotency-key': `click-${conv.id}` };
    const first = await call(conv.id, { agentEndpoint: 'user:alice' }, alice, headers);
    const again = await call(conv.id, { agentEndpoint: 'user:alice' }, alice, headers);
    expect([first.status, again.status, again.body.id]).toEqual([202, 202, first.body.id]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // Two clicks at once without a key: one call, one 409.
    const other = await conversation('+14155552682');
    const pair = await Promise.all([call(other.id, { agentEndpoint: 'user:alice' }), call(other.id, { agentEndpoint: 'user:alice' })]);
    expect(pair.map((r) => r.status).sort()).toEqual([202, 409]);
    const second = await call(conv.id, { agentEndpoint: 'user:alice' });
    expect(second.status).toBe(409);
    expect(second.body.detail).toBe('the conversation already has a live call');
  });

  it.each([
    ['+14155550486', 'busy'],
    ['+14155550480', 'no-answer'],
  ])('reports a customer at %s as ended %s', async (phone, reason) => {
    const conv = await conversation(phone);
    const feed = await follow(conv.id);
    const placed = await call(conv.id, { agentEndpoint: '+15551234567' });
    await feed.next((f) => f.event?.type === 'call.ended', 3000);
    expect((await gw.request('GET', `/v1/calls/${placed.body.id}`, { token: alice })).body).toMatchObject({ state: 'ended', endReason: reason, failure: null });
    expect((await call(conv.id, { agentEndpoint: '+15551234567' })).status).toBe(202);
  });

  it('marks a call the provider cannot connect as failed', async () => {
    const conv = await conversation('+14155550500');
    const feed = await follow(conv.id);
    const placed = await call(conv.id, { agentEndpoint: 'user:alice' });
    await feed.next((f) => f.event?.type === 'call.failed', 3000);
    expect((await gw.request('GET', `/v1/calls/${placed.body.id}`, { token: alice })).body).toMatchObject({ state: 'failed', endReason: 'failed',
      failure: { provider: 'simulator', code: '503', message: expect.stringContaining('simulated network failure') } });
  });

  it('requires consent where the tenant says so, and keeps it on the call; refuses do-not-call numbers', async () => {
    const conv = await conversation('+14155552673', strict);
    const without = await call(conv.id, { agentEndpoint: 'user:carl' }, strict);
    expect(without.status).toBe(422);
    expect(without.body.errors[0].field).toBe('consent');
    const withConsent = await call(conv.id, { agentEndpoint: 'user:carl', consent: { via: 'verbal', at: '2026-11-25T10:00:00.000Z' } }, strict);
    expect(withConsent.status).toBe(202);
    expect(withConsent.body.consent).toEqual({ via: 'verbal', at: '2026-11-25T10:00:00.000Z' });
    const dnc = await conversation('+14155552699', strict);
    const refused = await call(dnc.id, { agentEndpoint: 'user:carl', consent: { via: 'chat' } }, strict);
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toBe('to is on the do-not-call list');
  });

  it.each<[string, object, number, string]>([
    ['no agentEndpoint, with no device set for the agent', {}, 422, 'agentEndpoint'],
    ['a bad agentEndpoint', { agentEndpoint: 'tel:123' }, 400, 'agentEndpoint'],
    ['an invalid to', { agentEndpoint: 'user:a', to: '12' }, 400, 'to'],
    ['a bad consent', { agentEndpoint: 'user:a', consent: { via: 'telepathy' } }, 400, 'consent.via'],
    ['a provider not configured', { agentEndpoint: 'user:a', provider: 'twilio' }, 422, 'provider'],
  ])('refuses %s', async (_name, body, status, field) => {
    const conv = await conversation('+14155552674');
    const res = await call(conv.id, body);
    expect(res.status).toBe(status);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('wraps up a conversation with a live call by hanging the call up first', async () => {
    const conv = await conversation('+14155552676');
    const feed = await follow(conv.id);
    const placed = await call(conv.id, { agentEndpoint: 'user:alice' });
    await feed.next((f) => f.event?.type === 'call.answered', 3000);
    const closed = await gw.request('POST', `/v1/conversations/${conv.id}/wrap-up`, { token: alice, body: { disposition: 'resolved' } });
    expect(closed.body.status).toBe('closed');
    expect((await gw.request('GET', `/v1/calls/${placed.body.id}`, { token: alice })).body).toMatchObject({ state: 'ended', endReason: 'completed' });
    await feed.next((f) => f.event?.type === 'conversation.closed');
    const types = feed.events().map((f) => f.event.type);
    expect(types.filter((t) => t === 'call.ended')).toHaveLength(1);
    expect(types.slice(-3)).toEqual(['call.ended', 'chat.ended', 'conversation.closed']);
  });

  it("answers 404 for another tenant's call", async () => {
    const conv = await conversation('+14155552675');
    const placed = await call(conv.id, { agentEndpoint: 'user:alice' });
    expect((await gw.request('GET', `/v1/calls/${placed.body.id}`, { token: strict })).status).toBe(404);
    expect((await gw.request('POST', `/v1/calls/${placed.body.id}/hangup`, { token: strict })).status).toBe(404);
    expect((await call(conv.id, { agentEndpoint: 'user:carl' }, strict)).status).toBe(404);
  });
});
