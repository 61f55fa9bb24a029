import type { DatabaseHandle } from '../../src/storage/database';
import { DATABASE } from '../../src/storage/storage.module';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient, type Frame } from '../support/ws-client';

const ACME = '+14155550100';
const ALICE_PHONE = 'sip:alice@pbx.example';
const BOB_PHONE = 'sip:bob@pbx.example';

/** The whole gateway, one tenant with seeded devices, fast RONA; on SQLite unless a database URL is given. */
async function inboundGateway(databaseUrl?: string): Promise<TestGateway> {
  return startTestGateway({
    ...(databaseUrl ? { database: { url: databaseUrl } } : {}),
    tenants: [{
      id: 'acme', numbers: [ACME], ringNoAnswerSeconds: 1, inboundGreeting: 'Welcome to ACME.', holdMusicUrl: 'https://media.example/hold.mp3',
      agents: [{ id: 'alice', endpoint: ALICE_PHONE }, { id: 'bob', endpoint: BOB_PHONE }],
    }],
    routing: { ringNoAnswerSweepMs: 100 },
  });
}

/** Helpers over one gateway: tokens, sockets, the simulated caller, the event log. */
function harness(gw: () => TestGateway) {
  const clients: EventClient[] = [];
  const tokens = new Map<string, Promise<string>>();
  const token = (agentId: string, role: 'agent' | 'supervisor' | 'admin' = 'agent') => {
    const key = `${agentId}/${role}`;
    if (!tokens.has(key)) tokens.set(key, gw().token({ tenantId: 'acme', agentId, roles: [role] }));
    return tokens.get(key)!;
  };
  return {
    clients,
    token,
    async online(agentId: string, topics: string[] = [`agent:${agentId}`, 'queue']): Promise<EventClient> {
      const client = await EventClient.connect(gw().url, await token(agentId));
      clients.push(client);
      client.send({ op: 'subscribe', topics });
      await client.next((f) => f.op === 'subscribed');
      // Presence is stored after the socket opens: wait until the supervisors' list shows the agent.
      for (let i = 0; i < 100; i++) {
        const list = await gw().request('GET', '/v1/agents', { token: await token('sam', 'supervisor') });
        if ((list.body.items as Array<{ agentId: string }>).some((a) => a.agentId === agentId)) return client;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${agentId} never came online`);
    },
    async call(from: string, to = ACME) {
      return gw().request('POST', '/v1/simulator/inbound-call', { token: await token('sam', 'supervisor'), body: { from, to } });
    },
    async answer(callId: string, agentId: string) {
      return gw().request('POST', `/v1/calls/${callId}/answer`, { token: await token(agentId) });
    },
    async log(conversationId: string) {
      return (await new EventLogRepository(gw().app.get<DatabaseHandle>(DATABASE).db).readAfter('acme', 0, 100_000))
        .filter((e) => e.conversationId === conversationId);
    },
    close() { for (const c of clients) c.close(); },
  };
}

type Harness = ReturnType<typeof harness>;

/** Twenty agents click answer on one queued call at once: exactly one wins, every other gets 409. */
async function twentyClickAtOnce(gw: TestGateway, h: Harness): Promise<void> {
  const agents = Array.from({ length: 20 }, (_, i) => `racer${i}`);
  for (const agent of agents) {
    const set = await gw.request('PUT', `/v1/agents/${agent}/device`, { token: await h.token('root', 'admin'), body: { endpoint: `sip:${agent}@pbx.example` } });
    expect(set.status).toBe(200);
  }
  const placed = await h.call('+14155559999');
  expect(placed.status).toBe(202);
  const { callId, conversationId } = placed.body as { callId: string; conversationId: string };
  const tokens = await Promise.all(agents.map((a) => h.token(a)));
  const answers = await Promise.all(tokens.map((t) => gw.request('POST', `/v1/calls/${callId}/answer`, { token: t })));
  const statuses = answers.map((a) => a.status).sort();
  expect(statuses).toEqual([200, ...Array(19).fill(409)]);
  const winner = agents[answers.findIndex((a) => a.status === 200)]!;
  // A loser is told who won, or (arriving after the connection) that the call is answered already.
  for (const lost of answers.filter((a) => a.status === 409)) {
    expect([`the call was answered by ${winner}`, 'the call is answered, not waiting for an agent']).toContain(lost.body.detail);
  }
  const view = answers.find((a) => a.status === 200)!.body;
  expect(view).toMatchObject({ id: callId, direction: 'inbound', state: 'answered', agentEndpoint: `sip:${winner}@pbx.example` });
  const conversation = await gw.request('GET', `/v1/conversations/${conversationId}`, { token: await h.token('sam', 'supervisor') });
  expect(conversation.body.agentId).toBe(winner);
  const log = await h.log(conversationId);
  expect(log.filter((e) => e.type === 'call.accepted')).toHaveLength(1);
  expect(log.filter((e) => e.type === 'conversation.assigned')).toHaveLength(1);
  expect(log.filter((e) => e.type === 'call.answered')).toHaveLength(1);
}

/** The whole suite, on the store `database` gives (SQLite when it gives no URL). */
function inboundCallsSuite(database: () => Promise<Partial<TestDatabase>>): void {
  let gw: TestGateway;
  let db: Partial<TestDatabase>;
  const h = harness(() => gw);

  beforeAll(async () => {
    db = await database();
    gw = await inboundGateway(db.url);
  });
  afterAll(async () => {
    h.close();
    await gw?.close();
    await db?.drop?.();
  });

  it('agents have devices: seeded, set by an admin (only), used by click-to-call when no endpoint is named', async () => {
    expect((await gw.request('GET', '/v1/agents/me/profile', { token: await h.token('alice') })).body)
      .toEqual({ agentId: 'alice', endpoint: ALICE_PHONE, endpointSource: 'seed', status: 'available', awaySince: null });
    expect((await gw.request('PUT', '/v1/agents/carol/device', { token: await h.token('alice'), body: { endpoint: 'sip:c@pbx.example' } })).status).toBe(403);
    expect((await gw.request('PUT', '/v1/agents/carol/device', { token: await h.token('root', 'admin'), body: { endpoint: 'tel:123' } })).status).toBe(400);
    expect((await gw.request('PUT', '/v1/agents/carol/device', { token: await h.token('root', 'admin'), body: { endpoint: null } })).status).toBe(400);
    expect((await gw.request('PUT', '/v1/agents/bad%20id/device', { token: await h.token('root', 'admin'), body: { endpoint: 'user:carol' } })).status).toBe(400);
    const set = await gw.request('PUT', '/v1/agents/carol/device', { token: await h.token('root', 'admin'), body: { endpoint: 'user:carol' } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ agentId: 'carol', endpoint: 'user:carol', endpointSource: 'api' });

    // Click-to-call with no agentEndpoint rings the calling agent's own device.
    const conv = await gw.request('POST', '/v1/conversations', { token: await h.token('carol'), body: { contact: { phone: '+14155552000' } } });
    const placed = await gw.request('POST', `/v1/conversations/${conv.body.id}/calls`, { token: await h.token('carol'), body: {} });
    expect(placed.status).toBe(202);
    expect(placed.body.agentEndpoint).toBe('user:carol');
    await gw.request('POST', `/v1/calls/${placed.body.id}/hangup`, { token: await h.token('carol') });

    // No device anywhere: 422, and nothing placed.
    const other = await gw.request('POST', '/v1/conversations', { token: await h.token('dave'), body: { contact: { phone: '+14155552001' } } });
    const refused = await gw.request('POST', `/v1/conversations/${other.body.id}/calls`, { token: await h.token('dave'), body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.errors?.[0]?.field ?? refused.body.detail).toContain('agentEndpoint');

    expect((await gw.request('DELETE', '/v1/agents/carol/device', { token: await h.token('root', 'admin') })).status).toBe(204);
    expect((await gw.request('GET', '/v1/agents/carol/device', { token: await h.token('root', 'admin') })).body.endpoint).toBeNull();
  });

  it("a known customer calls while their chat is open: the call joins that conversation and rings on their agent's console; only that agent may answer", async () => {
    const alice = await h.online('alice');
    await h.online('bob');
    const conv = await gw.request('POST', '/v1/conversations', { token: await h.token('alice'), body: { contact: { phone: '+14155553001' }, chat: { sessionId: 'chat-3001' } } });
    expect(conv.status).toBe(201);
    const from = alice.frames.length;
    const placed = await h.call('+14155553001');
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({ conversationId: conv.body.id, greeting: 'Welcome to ACME.', holdMusicUrl: 'https://media.example/hold.mp3' });
    const { callId } = placed.body as { callId: string };
    const ring = await alice.next((f: Frame) => f.event?.type === 'call.incoming', 5000, from);
    expect(ring.event).toMatchObject({
      conversationId: conv.body.id, interactionId: callId,
      data: { from: '+14155553001', to: ACME, provider: 'simulator', direction: 'inbound', offeredTo: 'alice', ringNoAnswerSeconds: 1 },
    });
    const ringing = await gw.request('GET', `/v1/calls/${callId}`, { token: await h.token('alice') });
    expect(ringing.body).toMatchObject({ direction: 'inbound', state: 'ringing', from: '+14155553001', to: ACME });

    expect((await h.answer(callId, 'bob')).status).toBe(409);
    const answered = await h.answer(callId, 'alice');
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ state: 'answered', agentEndpoint: ALICE_PHONE, direction: 'inbound' });
    expect((await h.answer(callId, 'alice')).status).toBe(409);

    // Controls of outbound calls work on it; the chat stays linked in the same conversation.
    expect((await gw.request('POST', `/v1/calls/${callId}/hold`, { token: await h.token('alice') })).body.state).toBe('held');
    expect((await gw.request('POST', `/v1/calls/${callId}/resume`, { token: await h.token('alice') })).body.state).toBe('answered');
    expect((await gw.request('POST', `/v1/calls/${callId}/mute`, { token: await h.token('alice') })).body.muted).toBe(true);
    expect((await gw.request('POST', `/v1/calls/${callId}/unmute`, { token: await h.token('alice') })).body.muted).toBe(false);
    expect((await gw.request('POST', `/v1/calls/${callId}/dtmf`, { token: await h.token('alice'), body: { digits: '12#' } })).status).toBe(200);
    expect((await gw.request('POST', `/v1/calls/${callId}/transfer`, { token: await h.token('alice'), body: { to: 'sip:claims@pbx.example' } })).status).toBe(200);
    const hungUp = await gw.request('POST', `/v1/calls/${callId}/hangup`, { token: await h.token('alice') });
    expect(hungUp.body).toMatchObject({ state: 'ended', endReason: 'completed' });
    expect((hungUp.body.steps as Array<{ kind: string }>).map((s) => s.kind)).toEqual(['held', 'resumed', 'muted', 'unmuted', 'dtmf_sent', 'transferred']);
    const log = await h.log(conv.body.id);
    const ofCall = log.filter((e) => e.interactionId === callId);
    expect(ofCall.map((e) => e.type)).toEqual(['call.incoming', 'call.accepted', 'call.answered', 'call.held', 'call.resumed', 'call.muted', 'call.unmuted', 'call.ended']);
    for (const e of ofCall.filter((x) => ['call.answered', 'call.held', 'call.ended'].includes(x.type))) expect(e.data.direction).toBe('inbound');
    const timeline = await gw.request('GET', `/v1/conversations/${conv.body.id}/timeline`, { token: await h.token('alice') });
    expect(timeline.status).toBe(200);
    expect(JSON.stringify(timeline.body)).toContain(callId);
    expect(JSON.stringify(timeline.body)).toContain('chat-3001');
  });

  it('an unknown caller opens a new conversation in the queue, answered by a claim; the conversation becomes the answering agent’s', async () => {
    const bob = await h.online('bob');
    const from = bob.frames.length;
    const placed = await h.call('+14155554001');
    expect(placed.status).toBe(202);
    const { callId, conversationId } = placed.body as { callId: string; conversationId: string };
    const ring = await bob.next((f: Frame) => f.event?.type === 'call.incoming' && f.event.interactionId === callId, 5000, from);
    expect(ring.topic).toBe('queue');
    expect(ring.event!.data).toMatchObject({ offeredTo: null });
    const created = (await h.log(conversationId)).find((e) => e.type === 'conversation.created')!;
    expect(created.data).toMatchObject({ channel: 'voice', assignment: { agentId: null, via: 'queue' } });
    const answered = await h.answer(callId, 'bob');
    expect(answered.status).toBe(200);
    expect(answered.body.agentEndpoint).toBe(BOB_PHONE);
    const conversation = await gw.request('GET', `/v1/conversations/${conversationId}`, { token: await h.token('bob') });
    expect(conversation.body.agentId).toBe('bob');
    await gw.request('POST', `/v1/calls/${callId}/hangup`, { token: await h.token('bob') });
  });

  it('no answer: the call rings out on the agent (RONA), goes back to the queue, the agent is marked away, and the next agent answers', async () => {
    const carolDevice = await gw.request('PUT', '/v1/agents/erin/device', { token: await h.token('root', 'admin'), body: { endpoint: 'sip:erin@pbx.example' } });
    expect(carolDevice.status).toBe(200);
    const erin = await h.online('erin');
    const bob = await h.online('bob');
    const conv = await gw.request('POST', '/v1/conversations', { token: await h.token('erin'), body: { contact: { phone: '+14155555001' } } });
    const bobFrom = bob.frames.length;
    const placed = await h.call('+14155555001');
    const { callId } = placed.body as { callId: string };
    await erin.next((f: Frame) => f.event?.type === 'call.incoming' && f.event.data.offeredTo === 'erin');
    // bob may not take it while it rings on erin …
    expect((await h.answer(callId, 'bob')).status).toBe(409);
    // … until erin's second has passed: back to the queue, and erin away.
    const requeued = await bob.next((f: Frame) => f.event?.type === 'call.requeued' && f.event.interactionId === callId, 10_000, bobFrom);
    expect(requeued.event!.data).toEqual({ agentId: 'erin', ringNoAnswerSeconds: 1 });
    await erin.next((f: Frame) => f.event?.type === 'agent.status' && f.event.data.status === 'away');
    expect((await gw.request('GET', '/v1/agents/me/profile', { token: await h.token('erin') })).body).toMatchObject({ status: 'away', awaySince: expect.any(String) });
    expect((await gw.request('GET', `/v1/conversations/${conv.body.id}`, { token: await h.token('bob') })).body.agentId).toBeNull();
    const answered = await h.answer(callId, 'bob');
    expect(answered.status).toBe(200);
    const types = (await h.log(conv.body.id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['call.incoming', 'conversation.released', 'call.requeued', 'call.accepted', 'conversation.assigned', 'call.answered']));
    await gw.request('POST', `/v1/calls/${callId}/hangup`, { token: await h.token('bob') });

    // Away: erin's customer calling again waits in the queue instead of ringing on erin.
    await gw.request('POST', `/v1/conversations/${conv.body.id}/release`, { token: await h.token('bob') });
    await gw.request('POST', `/v1/conversations/${conv.body.id}/claim`, { token: await h.token('erin') });
    const again = await h.call('+14155555001');
    const ring = (await h.log(conv.body.id)).filter((e) => e.type === 'call.incoming').at(-1)!;
    expect(ring.interactionId).toBe(again.body.callId);
    expect(ring.data.offeredTo).toBeNull();
    // Available again: the next call rings on her.
    expect((await gw.request('PUT', '/v1/agents/me/status', { token: await h.token('erin'), body: { status: 'available' } })).body.status).toBe('available');
    await h.answer(again.body.callId, 'erin');
    await gw.request('POST', `/v1/calls/${again.body.callId}/hangup`, { token: await h.token('erin') });
    const third = await h.call('+14155555001');
    expect((await h.log(conv.body.id)).filter((e) => e.type === 'call.incoming').at(-1)!.data.offeredTo).toBe('erin');
    await gw.request('POST', `/v1/calls/${third.body.callId}/hangup`, { token: await h.token('erin') });
  });

  it('a caller whose conversation is on a call already is refused busy (409 in the simulator); other numbers are not this tenant’s (404); bad input is 400', async () => {
    const first = await h.call('+14155556001');
    expect(first.status).toBe(202);
    expect((await h.call('+14155556001')).status).toBe(409);
    expect((await h.call('+14155556002', '+14155550999')).status).toBe(404);
    expect((await h.call('not a number')).status).toBe(400);
    expect((await gw.request('POST', '/v1/simulator/inbound-call', { token: await h.token('sam', 'supervisor'), body: { from: null, to: ACME } })).status).toBe(400);
    expect((await gw.request('POST', '/v1/simulator/inbound-call', { token: await h.token('alice'), body: { from: '+14155556003', to: ACME } })).status).toBe(403);
    expect((await h.answer('no-such-call', 'alice')).status).toBe(404);
    await gw.request('POST', `/v1/calls/${first.body.callId}/hangup`, { token: await h.token('sam', 'supervisor') });
    // A call that is over cannot be answered.
    expect((await h.answer(first.body.callId, 'alice')).status).toBe(409);
  });

  it('twenty agents clicking answer at once give one winner', async () => {
    await twentyClickAtOnce(gw, h);
  });
}

describe('inbound calls (simulator, SQLite)', () => inboundCallsSuite(async () => ({})));

describeWithPostgres('inbound calls (simulator, PostgreSQL)', () => inboundCallsSuite(createTestDatabase));
