import { startTestGateway, type TestGateway } from '../support/gateway';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { EventClient } from '../support/ws-client';

const ACME = '+14155550100';
const LONELY = '+14155550200';
const ALICE_PHONE = 'sip:alice@pbx.example';
const BOB_PHONE = 'sip:bob@pbx.example';

/**
 * Queue timeout → callback, end to end on the simulator (whose caller presses the keys the test
 * names): the task in the timeline, assigned to an available agent (their desktop hears it), and
 * dialed once, from their device, to the caller's number, in the same conversation.
 */
function callbackSuite(database: () => Promise<Partial<TestDatabase>>): void {
  let gw: TestGateway;
  let db: Partial<TestDatabase>;
  const clients: EventClient[] = [];
  const token = (tenantId: string, agentId: string, role: 'agent' | 'supervisor' | 'admin' = 'agent') => gw.token({ tenantId, agentId, roles: [role] });

  beforeAll(async () => {
    db = await database();
    gw = await startTestGateway({
      ...(db.url ? { database: { url: db.url } } : {}),
      tenants: [
        { id: 'acme', numbers: [ACME], queueTimeoutSeconds: 1, queueTimeoutOffer: 'choice', agents: [{ id: 'alice', endpoint: ALICE_PHONE }, { id: 'bob', endpoint: BOB_PHONE }] },
        { id: 'lonely', numbers: [LONELY], queueTimeoutSeconds: 1, queueTimeoutOffer: 'callback', agents: [{ id: 'bob', endpoint: BOB_PHONE }] },
      ],
      routing: { ringNoAnswerSweepMs: 100 },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw?.close();
    await db?.drop?.();
  });

  async function online(tenantId: string, agentId: string): Promise<EventClient> {
    const client = await EventClient.connect(gw.url, await token(tenantId, agentId));
    clients.push(client);
    // From the log's start: a pending callback may go to the agent the moment their socket opens, before the subscription.
    client.send({ op: 'subscribe', topics: [`agent:${agentId}`], since: '0' });
    await client.next((f) => f.op === 'subscribed');
    for (let i = 0; i < 100; i++) {
      const list = await gw.request('GET', '/v1/agents', { token: await token(tenantId, 'sam', 'supervisor') });
      if ((list.body.items as Array<{ agentId: string }>).some((a) => a.agentId === agentId)) return client;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`${agentId} never came online`);
  }

  async function timeline(tenantId: string, conversationId: string): Promise<Array<{ type: string; interactionId: string | null; data: Record<string, unknown> }>> {
    return (await gw.request('GET', `/v1/conversations/${conversationId}/timeline`, { token: await token(tenantId, 'sam', 'supervisor') })).body.items;
  }

  it('choice, key 2: a callback task in the timeline, assigned to the available agent; dial places one call (of 10 requests) to the caller’s number on the agent’s device in that conversation', async () => {
    const alice = await online('acme', 'alice');
    const placed = await gw.request('POST', '/v1/simulator/inbound-call', { token: await token('acme', 'sam', 'supervisor'), body: { from: '+14155550123', to: ACME, digits: '2' } });
    expect(placed.status).toBe(202);
    const { callId, conversationId } = placed.body as { callId: string; conversationId: string };

    const assigned = await alice.next((f) => f.event?.type === 'callback.assigned', 10_000);
    const callbackId = assigned.event.data.callbackId as string;
    expect(assigned.event).toMatchObject({ conversationId, data: { callbackId, agentId: 'alice', number: '+14155550123' } });

    for (let i = 0; i < 100 && (await gw.request('GET', `/v1/calls/${callId}`, { token: await token('acme', 'sam', 'supervisor') })).body.state !== 'ended'; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const call = await gw.request('GET', `/v1/calls/${callId}`, { token: await token('acme', 'sam', 'supervisor') });
    expect(call.body).toMatchObject({ state: 'ended', endReason: 'completed', answeredAt: null });
    expect((await gw.request('GET', `/v1/calls/${callId}/recordings`, { token: await token('acme', 'sam', 'supervisor') })).body.items).toEqual([]);

    const mine = await gw.request('GET', '/v1/callbacks', { token: await token('acme', 'alice') });
    expect(mine.body.items).toEqual([expect.objectContaining({ id: callbackId, callId, conversationId, number: '+14155550123', state: 'assigned', agentId: 'alice', dialedCallId: null })]);
    // Bob sees only his own and the pending ones; he may not dial alice's.
    expect((await gw.request('GET', '/v1/callbacks', { token: await token('acme', 'bob') })).body.items).toEqual([]);
    const stolen = await gw.request('POST', `/v1/callbacks/${callbackId}/dial`, { token: await token('acme', 'bob') });
    expect(stolen.status).toBe(409);
    expect(stolen.body.detail).toBe('the callback is assigned to alice');

    const aliceToken = await token('acme', 'alice');
    const answers = await Promise.all(Array.from({ length: 10 }, () => gw.request('POST', `/v1/callbacks/${callbackId}/dial`, { token: aliceToken })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    const won = answers.find((a) => a.status === 200)!.body;
    expect(won).toMatchObject({ id: callbackId, state: 'dialed', agentId: 'alice', closedBy: 'alice', dialedCallId: won.call.id });
    expect(won.call).toMatchObject({ conversationId, direction: 'outbound', to: '+14155550123', agentEndpoint: ALICE_PHONE });
    expect((await gw.request('GET', `/v1/callbacks/${callbackId}`, { token: aliceToken })).body).toMatchObject({ state: 'dialed', dialedCallId: won.call.id });
    const calls = (await gw.request('GET', `/v1/conversations/${conversationId}`, { token: await token('acme', 'sam', 'supervisor') })).body;
    expect(calls.interactions.filter((i: { channel: string; direction: string }) => i.channel === 'voice' && i.direction === 'outbound')).toHaveLength(1);

    const entries = await timeline('acme', conversationId);
    expect(entries.find((e) => e.type === 'callback_requested')).toMatchObject({ interactionId: callId, data: { callbackId, callId, number: '+14155550123' } });
    expect(entries.find((e) => e.type === 'callback_assigned')?.data).toEqual({ callbackId, agentId: 'alice', number: '+14155550123' });
    expect(entries.find((e) => e.type === 'callback_dialed')).toMatchObject({ interactionId: won.call.id, data: { callbackId, callId: won.call.id, by: 'alice' } });
    const again = await gw.request('POST', `/v1/callbacks/${callbackId}/dial`, { token: aliceToken });
    expect(again.status).toBe(409);
    expect((await gw.request('POST', `/v1/callbacks/${callbackId}/cancel`, { token: aliceToken })).status).toBe(409);
    await gw.request('POST', `/v1/calls/${won.call.id}/hangup`, { token: aliceToken });
  });

  it('choice, key 1 (or none): voicemail as before, no callback task', async () => {
    for (const digits of [{ digits: '1' }, {}]) {
      const placed = await gw.request('POST', '/v1/simulator/inbound-call', { token: await token('acme', 'sam', 'supervisor'), body: { from: '+14155550124', to: ACME, ...digits } });
      expect(placed.status).toBe(202);
      const { callId, conversationId } = placed.body as { callId: string; conversationId: string };
      let entries: Awaited<ReturnType<typeof timeline>> = [];
      for (let i = 0; i < 100; i++) {
        entries = await timeline('acme', conversationId);
        if (entries.some((e) => e.type === 'recording_available' && e.interactionId === callId)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(entries.filter((e) => e.interactionId === callId).map((e) => e.type)).toEqual(expect.arrayContaining(['voicemail', 'recording_available']));
      expect(entries.some((e) => e.type === 'callback_requested' && e.interactionId === callId)).toBe(false);
      const all = (await gw.request('GET', '/v1/callbacks', { token: await token('acme', 'sam', 'supervisor') })).body.items as Array<{ callId: string }>;
      expect(all.some((c) => c.callId === callId)).toBe(false);
      // The call ends just after its recording is available; until then the same caller would hear
      // busy (one live call per conversation), so the next round waits for it.
      let state = '';
      for (let i = 0; i < 100 && state !== 'ended'; i++) {
        state = (await gw.request('GET', `/v1/calls/${callId}`, { token: await token('acme', 'sam', 'supervisor') })).body.state;
        if (state !== 'ended') await new Promise((r) => setTimeout(r, 50));
      }
      expect(state).toBe('ended');
    }
  });

  it('policy callback: no question; with nobody available the task waits pending, and the first agent to come online gets it', async () => {
    const placed = await gw.request('POST', '/v1/simulator/inbound-call', { token: await token('lonely', 'sam', 'supervisor'), body: { from: '+14155550125', to: LONELY, digits: '1' } });
    expect(placed.status).toBe(202);
    const { callId } = placed.body as { callId: string };
    let pending: Array<{ id: string; callId: string; state: string }> = [];
    for (let i = 0; i < 100 && pending.length === 0; i++) {
      pending = (await gw.request('GET', '/v1/callbacks?state=pending', { token: await token('lonely', 'sam', 'supervisor') })).body.items;
      if (pending.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    // The key the caller would press is never asked for: the policy offers the callback alone.
    expect(pending).toEqual([expect.objectContaining({ callId, state: 'pending', agentId: null, number: '+14155550125' })]);
    // An agent sees pending tasks too, and cannot dial one not assigned to them.
    expect((await gw.request('GET', '/v1/callbacks', { token: await token('lonely', 'bob') })).body.items).toHaveLength(1);
    expect((await gw.request('POST', `/v1/callbacks/${pending[0]!.id}/dial`, { token: await token('lonely', 'bob') })).status).toBe(409);
    await new Promise((r) => setTimeout(r, 300)); // sweeps with nobody online change nothing
    expect((await gw.request('GET', `/v1/callbacks/${pending[0]!.id}`, { token: await token('lonely', 'sam', 'supervisor') })).body.state).toBe('pending');

    const bob = await online('lonely', 'bob');
    const assigned = await bob.next((f) => f.event?.type === 'callback.assigned', 10_000);
    expect(assigned.event.data).toEqual({ callbackId: pending[0]!.id, agentId: 'bob', number: '+14155550125' });
    const cancel = await gw.request('POST', `/v1/callbacks/${pending[0]!.id}/cancel`, { token: await token('lonely', 'bob') });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ state: 'canceled', closedBy: 'bob' });
    expect((await gw.request('POST', `/v1/callbacks/${pending[0]!.id}/dial`, { token: await token('lonely', 'bob') })).status).toBe(409);
  });

  it('the policy is taken without restart and validated; bad input gets 4xx, another tenant’s callback 404', async () => {
    const admin = await token('acme', 'root', 'admin');
    for (const bad of [null, 'sometimes', 5, ['callback']]) {
      const res = await gw.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { queueTimeoutOffer: bad } } });
      expect(res.status).toBe(400);
    }
    for (const bad of [null, '', 7, 'a'.repeat(501), 'line\u0007break']) {
      expect((await gw.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { callbackPrompt: bad } } })).status).toBe(400);
      expect((await gw.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { queueChoicePrompt: bad } } })).status).toBe(400);
    }
    const changed = await gw.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { queueTimeoutOffer: 'callback', callbackPrompt: 'Bye for now.' } } });
    expect(changed.status).toBe(200);
    expect(changed.body.policies).toMatchObject({ queueTimeoutOffer: 'callback', callbackPrompt: 'Bye for now.' });
    const placed = await gw.request('POST', '/v1/simulator/inbound-call', { token: await token('acme', 'sam', 'supervisor'), body: { from: '+14155550126', to: ACME, digits: '1' } });
    let task: { id: string } | undefined;
    for (let i = 0; i < 100 && !task; i++) {
      task = ((await gw.request('GET', '/v1/callbacks', { token: await token('acme', 'sam', 'supervisor') })).body.items as Array<{ id: string; callId: string }>).find((c) => c.callId === placed.body.callId);
      if (!task) await new Promise((r) => setTimeout(r, 50));
    }
    expect(task).toBeDefined();
    await gw.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { queueTimeoutOffer: 'choice' } } });

    // With the tenant's masking on, the number an agent sees is masked like every string they receive; a supervisor with pii sees it in clear.
    await gw.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { maskSensitiveData: true } } });
    const asAgent = (await gw.request('GET', `/v1/callbacks/${task!.id}`, { token: await token('acme', 'alice') })).body;
    expect(asAgent.number).not.toContain('5550126');
    expect(asAgent.number).toMatch(/0126$/);
    const clear = await gw.token({ tenantId: 'acme', agentId: 'sam', roles: ['supervisor'], pii: true });
    expect((await gw.request('GET', `/v1/callbacks/${task!.id}`, { token: clear })).body.number).toBe('+14155550126');
    await gw.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { maskSensitiveData: false } } });

    const sam = await token('acme', 'sam', 'supervisor');
    for (const query of ['?state=bogus', '?state=', '?state=pending&state=assigned', '?other=1']) {
      expect((await gw.request('GET', `/v1/callbacks${query}`, { token: sam })).status).toBe(400);
    }
    expect((await gw.request('POST', '/v1/callbacks/nope/dial', { token: sam })).status).toBe(404);
    expect((await gw.request('POST', '/v1/callbacks/nope/cancel', { token: sam })).status).toBe(404);
    expect((await gw.request('GET', '/v1/callbacks/nope', { token: sam })).status).toBe(404);
    const otherTenant = await token('lonely', 'sam', 'supervisor');
    expect((await gw.request('POST', `/v1/callbacks/${task!.id}/dial`, { token: otherTenant })).status).toBe(404);
    expect((await gw.request('GET', `/v1/callbacks/${task!.id}`, { token: otherTenant })).status).toBe(404);
    for (const digits of [null, 2, '', 'x', '1'.repeat(21), ['2']]) {
      const res = await gw.request('POST', '/v1/simulator/inbound-call', { token: sam, body: { from: '+14155550127', to: ACME, digits } });
      expect(res.status).toBe(400);
    }
    expect((await gw.request('GET', '/v1/callbacks')).status).toBe(401);
  });
}

describe('inbound calls: queue timeout → callback (simulator, SQLite)', () => callbackSuite(async () => ({})));

describeWithPostgres('inbound calls: queue timeout → callback (simulator, PostgreSQL)', () => callbackSuite(createTestDatabase));
