import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

/** Handing a whole conversation — chat, messages, a live call — to another agent or back to the queue. */
describe('handing a conversation over', () => {
  let gw: TestGateway;
  let alice: string;
  let bob: string;
  let carl: string;
  let sue: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ tenants: [{ id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US' }] });
    alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    bob = await gw.token({ tenantId: 'acme', agentId: 'bob' });
    carl = await gw.token({ tenantId: 'acme', agentId: 'carl' });
    sue = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  const listen = async (token: string, topic: string) => {
    const client = await EventClient.connect(gw.url, token);
    clients.push(client);
    client.send({ op: 'subscribe', topics: [topic] });
    await client.next((f) => f.op === 'subscribed');
    return client;
  };
  let n = 0;
  const conversation = async () => (await gw.request('POST', '/v1/conversations', {
    token: alice, body: { contact: { phone: `+1415555${2800 + ++n}` }, chat: { sessionId: `handover-${n}` }, agentId: 'alice' },
  })).body;
  const transfer = (id: string, body: object, token = alice) => gw.request('POST', `/v1/conversations/${id}/transfer`, { token, body });

  it('hands a conversation with a live call to a colleague: their device joins the call, its events follow them', async () => {
    const conv = await conversation();
    const aliceFeed = await listen(alice, 'agent:alice');
    const bobFeed = await listen(bob, 'agent:bob');
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token: alice, body: { agentEndpoint: 'user:alice' } });
    const callId = placed.body.id as string;
    await aliceFeed.next((f) => f.event?.type === 'call.answered' && f.event.interactionId === callId);

    const without = await transfer(conv.id, { agentId: 'bob' });
    expect([without.status, without.body.errors]).toEqual([422, [{ field: 'endpoint', message: "is required: the conversation has a live call, which goes to the new agent's device" }]]);
    expect((await transfer(conv.id, { queue: true })).body.detail).toBe('a conversation with a live call cannot go back to the queue: hand it to an agent');

    const handed = await transfer(conv.id, { agentId: 'bob', endpoint: 'user:bob' });
    expect(handed.status).toBe(200);
    expect(handed.body.agentId).toBe('bob');
    expect((await aliceFeed.next((f) => f.event?.type === 'conversation.released')).event.data).toEqual({ agentId: 'alice', by: 'alice' });
    expect((await bobFeed.next((f) => f.event?.type === 'conversation.transferred')).event.data).toEqual({ fromAgentId: 'alice', toAgentId: 'bob', by: 'alice', callId });
    // Bob's device answers and joins the call; the call's events now reach Bob.
    const joined = await bobFeed.next((f) => f.event?.type === 'call.participant.joined', 3000);
    expect(joined.event.data).toMatchObject({ role: 'agent', endpoint: 'user:bob', addedBy: 'alice' });
    // (Bob's device was dialled before the conversation became his: its ring may reach either agent.)
    expect(bobFeed.events().map((f) => f.event.type).filter((t) => t !== 'call.participant.updated'))
      .toEqual(['conversation.assigned', 'conversation.transferred', 'call.participant.joined']);
    // Alice leaves the call when she is done; Bob stays with the customer.
    const left = await gw.request('DELETE', `/v1/calls/${callId}/participants/${callId}-agent`, { token: alice });
    expect(left.body.state).toBe('answered');
    expect(left.body.participants.map((p: { role: string; endpoint: string; state: string }) => [p.role, p.endpoint, p.state]).slice(1))
      .toEqual([['agent', 'user:alice', 'left'], ['agent', 'user:bob', 'connected']]);
    await bobFeed.next((f) => f.event?.type === 'call.participant.left');

    const timeline = await gw.request('GET', `/v1/conversations/${conv.id}/timeline`, { token: bob });
    expect(timeline.body.items.find((i: { type: string }) => i.type === 'conversation_transferred').data).toEqual({ fromAgentId: 'alice', toAgentId: 'bob', by: 'alice', callId });
    await gw.request('POST', `/v1/calls/${callId}/hangup`, { token: bob });
  });

  it('hands a conversation without a call back to the queue, or a supervisor hands anyone’s on; refuses the rest precisely', async () => {
    const conv = await conversation();
    const queue = await listen(carl, 'queue');
    expect((await transfer(conv.id, { agentId: 'bob' }, carl)).status).toBe(403);
    expect((await transfer(conv.id, { agentId: 'alice' })).body.detail).toBe("the conversation is already alice's");
    expect((await transfer(conv.id, { agentId: 'bob', endpoint: 'user:bob' })).body.errors).toEqual([{ field: 'endpoint', message: 'is only for a conversation with a live call' }]);
    for (const body of [{}, { agentId: 'bob', queue: true }, { queue: false }, { agentId: null }, { agentId: 'a b' }, { agentId: 'bob', extra: 1 }]) {
      expect([body, (await transfer(conv.id, body)).status]).toEqual([body, 400]);
    }
    expect((await transfer('01NOSUCHCONVERSATION', { queue: true })).status).toBe(404);

    const queued = await transfer(conv.id, { queue: true });
    expect([queued.status, queued.body.agentId]).toEqual([200, null]);
    expect((await queue.next((f) => f.event?.type === 'conversation.transferred')).event.data).toEqual({ fromAgentId: 'alice', toAgentId: null, by: 'alice', callId: null });
    expect((await transfer(conv.id, { queue: true }, sue)).body.detail).toBe('the conversation is already in the queue');
    expect((await transfer(conv.id, { agentId: 'carl' }, sue)).body.agentId).toBe('carl');
    await gw.request('POST', `/v1/conversations/${conv.id}/wrap-up`, { token: carl, body: { disposition: 'resolved' } });
    expect((await transfer(conv.id, { agentId: 'bob' }, carl)).body.detail).toBe('the conversation is closed');
  });
});
