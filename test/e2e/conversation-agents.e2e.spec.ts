import { startTestGateway, type TestGateway } from '../support/gateway';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { EventClient } from '../support/ws-client';

/**
 * A second (third…) agent in a conversation: added beside its own agent they receive its events on
 * their `agent:` topic, find it in their inbox and reach its calls; removed, they receive no more.
 */
describe('agents added to a conversation (SQLite)', () => conversationAgentsSuite(async () => ({})));

describeWithPostgres('agents added to a conversation (PostgreSQL)', () => conversationAgentsSuite(createTestDatabase));

function conversationAgentsSuite(database: () => Promise<Partial<TestDatabase>>): void {
  let db: Partial<TestDatabase>;
  let gw: TestGateway;
  let alice: string;
  let bob: string;
  let carl: string;
  let sue: string;
  let otherTenant: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    db = await database();
    gw = await startTestGateway({
      ...(db.url ? { database: { url: db.url } } : {}),
      tenants: [
        { id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US', smsProvider: 'simulator', voiceProvider: 'simulator' },
        { id: 'globex', numbers: ['+14155550199'], smsProvider: 'simulator' },
      ],
    });
    alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    bob = await gw.token({ tenantId: 'acme', agentId: 'bob' });
    carl = await gw.token({ tenantId: 'acme', agentId: 'carl' });
    sue = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
    otherTenant = await gw.token({ tenantId: 'globex', agentId: 'gil', roles: ['supervisor'] });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw?.close();
    await db?.drop?.();
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
    token: alice, body: { contact: { phone: `+1415555${3100 + ++n}` }, agentId: 'alice' },
  })).body as { id: string };
  const add = (id: string, agentId: unknown, token = alice) => gw.request('POST', `/v1/conversations/${id}/agents`, { token, body: { agentId } });
  const remove = (id: string, agentId: string, token = alice) => gw.request('DELETE', `/v1/conversations/${id}/agents/${encodeURIComponent(agentId)}`, { token });
  const send = (id: string, body: string) => gw.request('POST', `/v1/conversations/${id}/messages`, { token: alice, body: { body } });

  it('both agents’ sockets get the conversation’s messages; after the removal only its own agent does', async () => {
    const conv = await conversation();
    const aliceFeed = await listen(alice, 'agent:alice');
    const bobFeed = await listen(bob, 'agent:bob');

    const added = await add(conv.id, 'bob');
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ id: conv.id, agentId: 'alice', agents: ['alice', 'bob'] });
    // Bob hears of his own adding on his topic, as does Alice.
    expect((await bobFeed.next((f) => f.event?.type === 'conversation.agent.added')).event).toMatchObject({ conversationId: conv.id, data: { agentId: 'bob', by: 'alice' } });
    expect((await aliceFeed.next((f) => f.event?.type === 'conversation.agent.added')).topic).toBe('agent:alice');

    expect((await send(conv.id, 'first')).status).toBe(202);
    const toBob = await bobFeed.next((f) => f.event?.type === 'sms.queued');
    expect([toBob.topic, toBob.event.conversationId]).toEqual(['agent:bob', conv.id]);
    await aliceFeed.next((f) => f.event?.type === 'sms.queued');

    const removed = await remove(conv.id, 'bob');
    expect([removed.status, removed.body.agents]).toEqual([200, ['alice']]);
    // Bob is told he was removed, and then nothing more of the conversation reaches him.
    expect((await bobFeed.next((f) => f.event?.type === 'conversation.agent.removed')).event.data).toEqual({ agentId: 'bob', by: 'alice', reason: 'removed' });
    await aliceFeed.next((f) => f.event?.type === 'conversation.agent.removed');
    const afterRemoval = aliceFeed.frames.length;
    expect((await send(conv.id, 'second')).status).toBe(202);
    // Alice, its own agent, still hears the conversation's messages.
    expect((await aliceFeed.next((f) => f.event?.type === 'sms.queued', 5000, afterRemoval)).event.conversationId).toBe(conv.id);
    // A later event of another conversation of Bob's proves his socket kept up: the second message never came.
    const own = (await gw.request('POST', '/v1/conversations', { token: bob, body: { contact: { phone: '+14155553199' }, agentId: 'bob' } })).body.id as string;
    await bobFeed.next((f) => f.event?.type === 'conversation.created' && f.event.conversationId === own);
    // (The first message's delivery report may come before or after the removal.)
    const bobSaw = bobFeed.events().filter((f) => f.event.conversationId === conv.id).map((f) => f.event.type);
    expect(bobSaw[0]).toBe('conversation.agent.added');
    expect(bobSaw.at(-1)).toBe('conversation.agent.removed');
    expect(bobSaw.filter((t) => t === 'sms.queued')).toHaveLength(1);

    const timeline = await gw.request('GET', `/v1/conversations/${conv.id}/timeline`, { token: alice });
    const entries = timeline.body.items.filter((i: { type: string }) => i.type === 'agent_added' || i.type === 'agent_removed');
    expect(entries.map((i: { type: string; data: unknown }) => [i.type, i.data])).toEqual([
      ['agent_added', { agentId: 'bob', by: 'alice' }], ['agent_removed', { agentId: 'bob', by: 'alice', reason: 'removed' }],
    ]);
  });

  it('a socket subscribing after the adding follows the conversation too; the added agent may leave by themselves', async () => {
    const conv = await conversation();
    expect((await add(conv.id, 'carl')).status).toBe(200);
    const carlFeed = await listen(carl, 'agent:carl');
    expect((await send(conv.id, 'later')).status).toBe(202);
    expect((await carlFeed.next((f) => f.event?.type === 'sms.queued')).event.conversationId).toBe(conv.id);
    // Reconnecting with the cursor of his adding, Carl gets what he missed of the conversation again.
    const addedAt = carlFeed.frames.find((f) => f.event?.type === 'sms.queued')!.cursor as string;
    const again = await EventClient.connect(gw.url, carl);
    clients.push(again);
    again.send({ op: 'subscribe', topics: ['agent:carl'], since: String(Number(addedAt) - 1) });
    expect((await again.next((f) => f.event?.type === 'sms.queued')).event.conversationId).toBe(conv.id);
    expect((await remove(conv.id, 'carl', carl)).status).toBe(200); // Carl leaves by himself.
    expect((await carlFeed.next((f) => f.event?.type === 'conversation.agent.removed')).event.data).toEqual({ agentId: 'carl', by: 'carl', reason: 'removed' });
  });

  it('puts the conversation in the added agent’s inbox and lets them reach its calls; the removal takes both away', async () => {
    const conv = await conversation();
    const inbox = async (token: string) => ((await gw.request('GET', '/v1/conversations?assigned=me&limit=100', { token })).body.items as Array<{ id: string }>).map((c) => c.id);
    expect(await inbox(bob)).not.toContain(conv.id);
    const aliceFeed = await listen(alice, `conversation:${conv.id}`);
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token: alice, body: { agentEndpoint: 'user:alice' } });
    const callId = placed.body.id as string;
    await aliceFeed.next((f) => f.event?.type === 'call.answered' && f.event.interactionId === callId, 5000);
    const recordings = () => gw.request('GET', `/v1/calls/${callId}/recordings`, { token: bob });
    expect((await recordings()).status).toBe(403);

    const bobFeed = await listen(bob, 'agent:bob');
    expect((await add(conv.id, 'bob', sue)).status).toBe(200);
    expect(await inbox(bob)).toContain(conv.id);
    expect(await inbox(alice)).toContain(conv.id);
    expect((await gw.request('GET', `/v1/conversations?agentId=bob&limit=100`, { token: sue })).body.items.map((c: { id: string }) => c.id)).toContain(conv.id);
    expect((await recordings()).status).toBe(200);

    // The live call's events reach the added agent.
    expect((await gw.request('POST', `/v1/calls/${callId}/hold`, { token: alice })).status).toBe(200);
    const held = await bobFeed.next((f) => f.event?.interactionId === callId && f.event.type === 'call.held', 5000);
    expect(held.topic).toBe('agent:bob');
    await gw.request('POST', `/v1/calls/${callId}/hangup`, { token: alice });
    await bobFeed.next((f) => f.event?.interactionId === callId && f.event.type === 'call.ended', 5000);

    expect((await remove(conv.id, 'bob', sue)).status).toBe(200);
    expect(await inbox(bob)).not.toContain(conv.id);
    expect((await recordings()).status).toBe(403);
  });

  it('refuses precisely: who may add or remove, the conversation’s own agent, twice, bad ids, other tenants', async () => {
    const conv = await conversation();
    expect((await add(conv.id, 'bob', carl)).status).toBe(403);
    expect((await add(conv.id, 'alice')).status).toBe(409);
    expect((await add(conv.id, 'bob')).status).toBe(200);
    const twice = await add(conv.id, 'bob');
    expect([twice.status, twice.body.detail]).toEqual([409, 'bob is already an agent of the conversation']);
    expect((await add(conv.id, 'carl', bob)).status).toBe(403); // an added agent brings in no third
    // Ten at once adding the same agent: one adds, the others are told it is done.
    const racing = await Promise.all(Array.from({ length: 10 }, () => add(conv.id, 'erin', sue)));
    expect(racing.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(409)]);
    expect((await remove(conv.id, 'erin', sue)).body.agents).toEqual(['alice', 'bob']);
    for (const agentId of [null, '', 'a b', '__proto__', 7, 'x'.repeat(201)]) {
      const res = await add(conv.id, agentId);
      expect([agentId, res.status, res.body.errors?.[0]?.field]).toEqual([agentId, 400, 'agentId']);
    }
    expect((await gw.request('POST', `/v1/conversations/${conv.id}/agents`, { token: alice, body: { agentId: 'dan', extra: 1 } })).status).toBe(400);

    const own = await remove(conv.id, 'alice', sue);
    expect([own.status, own.body.detail]).toEqual([409, "alice is the conversation's own agent and cannot be removed: transfer the conversation instead"]);
    expect((await remove(conv.id, 'carl')).status).toBe(404);
    expect((await remove(conv.id, 'bob', carl)).status).toBe(403);
    expect((await remove(conv.id, 'a b')).status).toBe(400);

    // Another tenant's conversation is not found, whoever asks.
    expect((await add(conv.id, 'gil', otherTenant)).status).toBe(404);
    expect((await remove(conv.id, 'bob', otherTenant)).status).toBe(404);
    expect((await add('no-such-conversation', 'bob')).status).toBe(404);

    // Handed over to the added agent, Bob is its own agent, no longer an added one.
    const handed = await gw.request('POST', `/v1/conversations/${conv.id}/transfer`, { token: alice, body: { agentId: 'bob' } });
    expect([handed.status, handed.body.agentId, handed.body.agents]).toEqual([200, 'bob', ['bob']]);
    const log = await gw.request('GET', `/v1/conversations/${conv.id}/timeline`, { token: bob });
    expect(log.body.items.filter((i: { type: string }) => i.type === 'agent_removed').map((i: { data: unknown }) => i.data))
      .toEqual([{ agentId: 'erin', by: 'sue', reason: 'removed' }, { agentId: 'bob', by: 'alice', reason: 'transferred' }]);

    // A closed conversation takes no new agent.
    expect((await gw.request('POST', `/v1/conversations/${conv.id}/wrap-up`, { token: bob, body: { disposition: 'resolved' } })).status).toBe(200);
    expect((await add(conv.id, 'carl', sue)).status).toBe(409);
  });
}
