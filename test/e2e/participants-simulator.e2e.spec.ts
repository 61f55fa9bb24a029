import { ProviderRegistry } from '../../src/providers/provider.registry';
import type { SimulatorParticipants } from '../../src/providers/simulator/simulator.participants';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

/**
 * Consultation, conference and supervision over REST and the socket, on the simulator: its legs
 * ring and answer on its own clock and report through the same path as a provider's callbacks.
 */
describe('participants on the simulator: consult, conference, supervise', () => {
  let gw: TestGateway;
  let alice: string;
  let sue: string;
  let mallory: string;
  let bridges: SimulatorParticipants['bridges'];
  const clients: EventClient[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [
        { id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US' },
        { id: 'other', numbers: ['+14155550200'], defaultRegion: 'US' },
      ],
    });
    alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    sue = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
    mallory = await gw.token({ tenantId: 'other', agentId: 'mallory', roles: ['supervisor'] });
    bridges = (gw.app.get(ProviderRegistry).voiceByName('simulator')!.participants as SimulatorParticipants).bridges;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  let n = 0;
  /** A conversation with an answered call to the customer, and a socket following it. */
  const answeredCall = async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: alice, body: { contact: { phone: `+1415555${String(2600 + ++n)}` } } });
    const feed = await EventClient.connect(gw.url, alice);
    clients.push(feed);
    feed.send({ op: 'subscribe', topics: [`conversation:${conv.id}`] });
    await feed.next((f) => f.op === 'subscribed');
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token: alice, body: { agentEndpoint: 'sip:alice@pbx.example' } });
    await feed.next((f) => f.event?.type === 'call.answered');
    return { id: placed.body.id as string, conversationId: conv.id as string, feed };
  };
  const post = (id: string, path: string, body?: object, token = alice) => gw.request('POST', `/v1/calls/${id}/${path}`, { token, body });
  const participantEvents = (feed: EventClient) => feed.events().filter((f) => f.event.type.startsWith('call.participant.'))
    .map((f) => [f.event.type.slice('call.participant.'.length), f.event.data.role, f.event.data.state, f.event.data.mode, f.event.data.reason]);
  const joined = (feed: EventClient, role: string) => feed.next((f) => f.event?.type === 'call.participant.joined' && f.event.data.role === role, 3000);
  const parties = (view: { participants: Array<{ role: string; state: string; mode: string; reason: string | null }> }) =>
    view.participants.map((p) => [p.role, p.state, p.mode, p.reason]);

  it('consult then complete: the customer holds while the two agents talk, then the colleague has the customer', async () => {
    const { id, conversationId, feed } = await answeredCall();
    const consulted = await post(id, 'consult', { to: 'sip:bob@pbx.example' });
    expect(consulted.status).toBe(200);
    expect(consulted.body.state).toBe('held');
    expect(parties(consulted.body)).toEqual([
      ['customer', 'held', 'talk', null], ['agent', 'connected', 'talk', null], ['consultee', 'dialing', 'private', null],
    ]);
    const bob = consulted.body.participants[2].participantId as string;
    expect(bridges.get(id)!.get('customer')!.hold).toBe(false); // the call's own hold is the provider's hold, not a leg update
    // Completing before the colleague answers is refused; after, it hands the customer over.
    expect((await post(id, 'consult/complete')).status).toBe(409);
    await joined(feed, 'consultee');
    const done = await post(id, 'consult/complete');
    expect(done.status).toBe(200);
    expect(done.body.state).toBe('answered');
    expect(parties(done.body)).toEqual([['customer', 'connected', 'talk', null], ['agent', 'left', 'talk', 'removed'], ['agent', 'connected', 'talk', null]]);
    expect(done.body.participants[2]).toMatchObject({ participantId: bob, endpoint: 'sip:bob@pbx.example', addedBy: 'alice' });
    expect([...bridges.get(id)!.keys()]).toEqual(['customer', bob]);
    await feed.next((f) => f.event?.type === 'call.resumed');
    expect(feed.events().map((f) => f.event.type)).toEqual([
      'call.initiated', 'call.ringing', 'call.answered', 'call.held',
      'call.participant.updated', 'call.participant.updated', 'call.participant.updated', 'call.participant.joined',
      'call.participant.left', 'call.participant.updated', 'call.participant.updated', 'call.resumed',
    ]);
    expect(participantEvents(feed)).toEqual([
      ['updated', 'customer', 'held', 'talk', null], ['updated', 'consultee', 'dialing', 'private', null],
      ['updated', 'consultee', 'ringing', 'private', null], ['joined', 'consultee', 'connected', 'private', null],
      ['left', 'agent', 'left', 'talk', 'removed'], ['updated', 'agent', 'connected', 'talk', null], ['updated', 'customer', 'connected', 'talk', null],
    ]);
    // The timeline keeps the steps: who joined and left, and a consultative transfer.
    const timeline = await gw.request('GET', `/v1/conversations/${conversationId}/timeline`, { token: alice });
    const call = timeline.body.items.find((i: { type: string }) => i.type === 'call');
    expect(call.data.steps.map((s: { kind: string }) => s.kind)).toEqual([
      'held', 'participant_updated', 'participant_joined', 'participant_left', 'participant_updated', 'participant_updated', 'transferred', 'resumed',
    ]);
    expect(call.data.steps.find((s: { kind: string }) => s.kind === 'transferred')).toMatchObject({ to: 'sip:bob@pbx.example', consultative: true, agentId: 'alice' });
    expect(call.data.participants.map((p: { role: string }) => p.role)).toEqual(['customer', 'agent', 'agent']);
    // The colleague hanging up now leaves nobody with the customer: the call ends.
    await post(id, 'hangup');
  });

  it('consult then merge, then the agent leaves: the colleague stays; the last of them leaving ends the call', async () => {
    const { id, feed } = await answeredCall();
    const consulted = await post(id, 'consult', { to: 'user:bob' });
    const bob = consulted.body.participants[2].participantId as string;
    await joined(feed, 'consultee');
    const merged = await post(id, 'consult/merge');
    expect(merged.status).toBe(200);
    expect(merged.body.state).toBe('answered');
    expect(parties(merged.body)).toEqual([['customer', 'connected', 'talk', null], ['agent', 'connected', 'talk', null], ['consultee', 'connected', 'talk', null]]);
    expect(bridges.get(id)!.get(bob)!.mode).toBe('talk');
    const left = await gw.request('DELETE', `/v1/calls/${id}/participants/${id}-agent`, { token: alice });
    expect(left.status).toBe(200);
    expect(left.body.state).toBe('answered');
    expect(parties(left.body)).toEqual([['customer', 'connected', 'talk', null], ['agent', 'left', 'talk', 'removed'], ['consultee', 'connected', 'talk', null]]);
    expect((await gw.request('DELETE', `/v1/calls/${id}/participants/${id}-agent`, { token: alice })).status).toBe(409);
    const last = await gw.request('DELETE', `/v1/calls/${id}/participants/${bob}`, { token: alice });
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({ state: 'ended', endReason: 'completed' });
    expect(parties(last.body).map(([role, state]) => [role, state])).toEqual([['customer', 'left'], ['agent', 'left'], ['consultee', 'left']]);
    await feed.next((f) => f.event?.type === 'call.ended');
    expect(bridges.has(id)).toBe(false);
  });

  it('consult then cancel: the agent is back with the customer, the colleague gone', async () => {
    const { id, feed } = await answeredCall();
    const consulted = await post(id, 'consult', { to: '+14155559001' });
    const pid = consulted.body.participants[2].participantId as string;
    // Neither a resume nor a blind transfer may cut a consultation short.
    expect((await post(id, 'resume')).body.detail).toBe('a consultation is under way: complete, merge or cancel it first');
    expect((await post(id, 'transfer', { to: 'sip:queue@pbx.example' })).status).toBe(409);
    expect((await post(id, 'consult', { to: '+14155559002' })).body.detail).toBe('a consultation is already under way');
    const canceled = await post(id, 'consult/cancel');
    expect(canceled.status).toBe(200);
    expect(canceled.body.state).toBe('answered');
    expect(parties(canceled.body)).toEqual([['customer', 'connected', 'talk', null], ['agent', 'connected', 'talk', null], ['consultee', 'left', 'private', 'removed']]);
    await feed.next((f) => f.event?.type === 'call.resumed');
    expect((await post(id, 'consult/cancel')).status).toBe(409);
    // The canceled leg is gone from the bridge, its ring and answer with it.
    expect(bridges.get(id)!.has(pid)).toBe(false);
    expect([...bridges.get(id)!.keys()]).toEqual(['customer', 'agent']);
  });

  it('consult with no answer: the customer stays on hold with the agent, told why', async () => {
    const { id, feed } = await answeredCall();
    await post(id, 'consult', { to: 'sip:no-answer@pbx.example' });
    const gone = await feed.next((f) => f.event?.type === 'call.participant.left', 3000);
    expect(gone.event.data).toMatchObject({ role: 'consultee', state: 'left', reason: 'no-answer' });
    const view = (await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body;
    expect(view.state).toBe('held');
    expect(parties(view)).toEqual([['customer', 'held', 'talk', null], ['agent', 'connected', 'talk', null], ['consultee', 'left', 'private', 'no-answer']]);
    expect((await post(id, 'consult/complete')).body.detail).toBe('no consultation is under way');
    expect((await post(id, 'resume')).body.state).toBe('answered');
    // A busy colleague likewise.
    await post(id, 'consult', { to: 'user:busy' });
    await feed.next((f) => f.event?.type === 'call.participant.left' && f.event.data.reason === 'busy', 3000);
    await post(id, 'hangup');
  });

  it('a supervisor moves monitor → whisper → barge; agents may not supervise', async () => {
    const { id, feed } = await answeredCall();
    const denied = await post(id, 'supervise', { endpoint: 'sip:sue@pbx.example', mode: 'monitor' });
    expect(denied.status).toBe(403);
    const watching = await post(id, 'supervise', { endpoint: 'sip:sue@pbx.example', mode: 'monitor' }, sue);
    expect(watching.status).toBe(200);
    const pid = watching.body.participants[2].participantId as string;
    expect(watching.body.participants[2]).toMatchObject({ role: 'supervisor', mode: 'monitor', state: 'dialing', addedBy: 'sue' });
    await joined(feed, 'supervisor');
    expect(bridges.get(id)!.get(pid)).toEqual({ role: 'supervisor', mode: 'monitor', hold: false, coach: null });
    const patch = (body: object, path = 'supervise', token = sue) => gw.request('PATCH', `/v1/calls/${id}/${path}`, { token, body });
    expect((await patch({ mode: 'monitor' })).status).toBe(409);
    expect((await patch({ mode: 'whisper' })).body.participants[2].mode).toBe('whisper');
    expect(bridges.get(id)!.get(pid)).toMatchObject({ mode: 'whisper', coach: 'agent' });
    expect((await patch({ mode: 'barge' }, `supervise/${pid}`)).body.participants[2].mode).toBe('barge');
    expect(bridges.get(id)!.get(pid)).toMatchObject({ mode: 'barge', coach: null });
    expect((await patch({ mode: 'monitor' }, 'supervise', alice)).status).toBe(403);
    expect((await patch({ mode: 'monitor' }, `supervise/${id}-agent`)).body.detail).toBe('only a supervisor’s mode can change');
    await feed.next((f) => f.event?.type === 'call.participant.updated' && f.event.data.mode === 'barge');
    expect(participantEvents(feed)).toEqual([
      ['updated', 'supervisor', 'dialing', 'monitor', null], ['updated', 'supervisor', 'ringing', 'monitor', null], ['joined', 'supervisor', 'connected', 'monitor', null],
      ['updated', 'supervisor', 'connected', 'whisper', null], ['updated', 'supervisor', 'connected', 'barge', null],
    ]);
    // The agent leaving with only a supervisor on the line ends the call.
    const ended = await gw.request('DELETE', `/v1/calls/${id}/participants/${id}-agent`, { token: alice });
    expect(ended.body).toMatchObject({ state: 'ended' });
    // The supervisor is told the call is over: they leave with it.
    await feed.next((f) => f.event?.type === 'conversation.updated');
    expect(participantEvents(feed).slice(-2)).toEqual([['left', 'agent', 'left', 'talk', 'removed'], ['left', 'supervisor', 'left', 'barge', 'call-ended']]);
    expect(feed.events().map((f) => f.event.type).slice(-4)).toEqual(['call.participant.left', 'call.ended', 'call.participant.left', 'conversation.updated']);
  });

  it('adds and removes a party of a live call (conference)', async () => {
    const { id, feed } = await answeredCall();
    const added = await post(id, 'participants', { to: 'sip:interpreter@pbx.example', role: 'consultee' });
    expect(added.status).toBe(200);
    expect(added.body.state).toBe('answered');
    const pid = added.body.participants[2].participantId as string;
    await joined(feed, 'consultee');
    expect(bridges.get(id)!.get(pid)).toMatchObject({ role: 'consultee', mode: 'talk' });
    const removed = await gw.request('DELETE', `/v1/calls/${id}/participants/${pid}`, { token: alice });
    expect(parties(removed.body)[2]).toEqual(['consultee', 'left', 'talk', 'removed']);
    expect(removed.body.state).toBe('answered');
    await post(id, 'hangup');
  });

  it('answers bad input, unknown ids, other tenants and unready calls with a precise 4xx', async () => {
    const { id } = await answeredCall();
    expect((await post(id, 'consult', { to: 'bob' })).status).toBe(400);
    expect((await post(id, 'consult', {})).status).toBe(400);
    expect((await post(id, 'consult', { to: null })).status).toBe(400);
    expect((await post(id, 'consult', { to: 'sip:bob@pbx.example', extra: 1 })).status).toBe(400);
    expect((await post(id, 'participants', { to: 'sip:bob@pbx.example', role: 'supervisor' })).status).toBe(400);
    expect((await post(id, 'participants', { to: 'sip:bob@pbx.example', role: 'customer' })).status).toBe(400);
    expect((await post(id, 'supervise', { endpoint: 'sip:sue@pbx.example', mode: 'spy' }, sue)).status).toBe(400);
    expect((await gw.request('DELETE', `/v1/calls/${id}/participants/nope`, { token: alice })).status).toBe(404);
    expect((await gw.request('DELETE', `/v1/calls/${id}/participants/${id}-customer`, { token: alice })).status).toBe(409);
    expect((await gw.request('PATCH', `/v1/calls/${id}/supervise`, { token: sue, body: { mode: 'barge' } })).status).toBe(404);
    expect((await post('01NOSUCHCALL', 'consult', { to: 'user:bob' })).status).toBe(404);
    expect((await post(id, 'supervise', { endpoint: 'sip:m@pbx.example', mode: 'monitor' }, mallory)).status).toBe(404);
    await post(id, 'hangup');
    expect((await post(id, 'consult', { to: 'user:bob' })).body.detail).toBe('only a connected call has participants to change (it is ended)');
  });
});
