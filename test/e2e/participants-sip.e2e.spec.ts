import { mediaTargets } from '../../src/providers/sip/sip.mapper';
import { FakeDrachtio, sdp, ua, type SipRecord } from '../support/fake-drachtio';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const TRUNK = 'sip:trunk.example.com:5060';
const AGENT = 'sip:1001@pbx.example.com';
const BOB = 'sip:bob@pbx.example.com';
const BOB_SDP = sdp('10.0.0.30', 60000, 'bob');

/**
 * Warm transfer over SIP through the REST API and the event socket, against a fake drachtio-server:
 * consult, complete and cancel move media with re-INVITEs; a colleague who is busy leaves the
 * customer on hold; merge, added parties and supervision are 422 (they need an audio mixer).
 */
describe('participants over SIP (drachtio): consult, complete, cancel by re-INVITEs', () => {
  let fake: FakeDrachtio;
  let gw: TestGateway;
  let alice: string;
  let sue: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    fake = await FakeDrachtio.start({
      secret: 'cymru',
      script: (invite) => (invite.uri === BOB ? ua.ringsThenAnswers(BOB_SDP)
        : invite.uri === 'sip:busy@pbx.example.com' ? ua.ringsThenFails(486)
          : invite.uri?.includes('@trunk.example.com') ? ua.ringsThenAnswers() : ua.answers()),
    });
    gw = await startTestGateway({
      tenants: [{ id: 'acme', numbers: ['+14155550100'], voiceProvider: 'sip' }],
      providers: { drachtio: { host: '127.0.0.1', port: fake.port, secret: 'cymru' }, sipTrunkUri: TRUNK },
    });
    alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    sue = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
    const deadline = Date.now() + 5000;
    while ((await gw.request('GET', '/health/ready', { token: null })).body.checks?.['voice:sip']?.status !== 'up') {
      if (Date.now() > deadline) throw new Error('the SIP provider did not connect to the fake drachtio-server');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
    await fake.close();
  });

  let n = 0;
  const answeredCall = async () => {
    const phone = `+1415555${String(2700 + ++n)}`;
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: alice, body: { contact: { phone } } });
    const feed = await EventClient.connect(gw.url, alice);
    clients.push(feed);
    feed.send({ op: 'subscribe', topics: [`conversation:${conv.id}`] });
    await feed.next((f) => f.op === 'subscribed');
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token: alice, body: { agentEndpoint: AGENT } });
    expect(placed.status).toBe(202);
    await feed.next((f) => f.event?.type === 'call.answered');
    const customerCallId = fake.requests('INVITE').find((m) => m.uri === `sip:${phone}@trunk.example.com:5060`)!.callId;
    const agentCallId = fake.requests('INVITE').filter((m) => m.uri === AGENT).at(-1)!.callId;
    return { id: placed.body.id as string, feed, customerCallId, agentCallId };
  };
  const post = (id: string, path: string, body?: object, token = alice) => gw.request('POST', `/v1/calls/${id}/${path}`, { token, body });
  const joined = (feed: EventClient, role: string) => feed.next((f) => f.event?.type === 'call.participant.joined' && f.event.data.role === role, 3000);
  const parties = (view: { participants: Array<{ role: string; state: string; mode: string; reason: string | null }> }) =>
    view.participants.map((p) => [p.role, p.state, p.mode, p.reason]);
  const reinvites = (callId: string): SipRecord[] => fake.requests('INVITE', callId).slice(1);
  const bobCallId = (): string => fake.requests('INVITE').filter((m) => m.uri === BOB).at(-1)!.callId;

  it('consult then complete: the customer is handed over to the colleague by re-INVITEs, the agent BYEd; the colleague hanging up ends the call', async () => {
    const { id, feed, customerCallId, agentCallId } = await answeredCall();
    const consulted = await post(id, 'consult', { to: BOB });
    expect(consulted.status).toBe(200);
    expect(consulted.body.state).toBe('held');
    expect(reinvites(customerCallId)[0].body).toContain('a=inactive'); // the call's hold, before the colleague rings
    expect(mediaTargets(fake.requests('INVITE').filter((m) => m.uri === BOB).at(-1)!.body)).toEqual(['10.0.0.10 40000']); // the agent's media
    await joined(feed, 'consultee');
    expect(mediaTargets(reinvites(agentCallId).at(-1)!.body)).toEqual(['10.0.0.30 60000']);

    const done = await post(id, 'consult/complete');
    expect(done.status).toBe(200);
    expect(done.body.state).toBe('answered');
    expect(parties(done.body)).toEqual([['customer', 'connected', 'talk', null], ['agent', 'left', 'talk', 'removed'], ['agent', 'connected', 'talk', null]]);
    const [, handOver, resumed] = reinvites(customerCallId);
    expect(mediaTargets(handOver.body)).toEqual(['10.0.0.30 60000']);
    expect(handOver.body).toContain('a=inactive');
    expect(mediaTargets(resumed.body)).toEqual(['10.0.0.30 60000']);
    expect(resumed.body).toContain('a=sendrecv');
    expect(mediaTargets(reinvites(bobCallId()).at(-1)!.body)).toEqual(['10.0.0.20 50000']);
    expect(fake.requests('BYE', agentCallId)).toHaveLength(1);
    await feed.next((f) => f.event?.type === 'call.resumed');

    // Bob is the call's agent now: his BYE ends it.
    await fake.byeFrom(bobCallId());
    await feed.next((f) => f.event?.type === 'call.ended');
    expect((await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body).toMatchObject({ state: 'ended', endReason: 'completed' });
  });

  it('consult then cancel: the colleague is BYEd and the agent re-INVITEd back onto the customer\'s media', async () => {
    const { id, feed, customerCallId, agentCallId } = await answeredCall();
    await post(id, 'consult', { to: BOB });
    await joined(feed, 'consultee');
    const canceled = await post(id, 'consult/cancel');
    expect(canceled.status).toBe(200);
    expect(canceled.body.state).toBe('answered');
    expect(parties(canceled.body)).toEqual([['customer', 'connected', 'talk', null], ['agent', 'connected', 'talk', null], ['consultee', 'left', 'private', 'removed']]);
    expect(fake.requests('BYE', bobCallId())).toHaveLength(1);
    expect(mediaTargets(reinvites(agentCallId).at(-1)!.body)).toEqual(['10.0.0.20 50000']);
    expect(reinvites(customerCallId).at(-1)!.body).toContain('a=sendrecv'); // the call's resume
    await post(id, 'hangup');
  });

  it('a busy colleague leaves, told why; the customer stays on hold with the agent', async () => {
    const { id, feed, agentCallId } = await answeredCall();
    const before = reinvites(agentCallId).length;
    await post(id, 'consult', { to: 'sip:busy@pbx.example.com' });
    const gone = await feed.next((f) => f.event?.type === 'call.participant.left', 3000);
    expect(gone.event.data).toMatchObject({ role: 'consultee', state: 'left', reason: 'busy' });
    const view = (await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body;
    expect(view.state).toBe('held');
    expect(parties(view)).toEqual([['customer', 'held', 'talk', null], ['agent', 'connected', 'talk', null], ['consultee', 'left', 'private', 'busy']]);
    expect(reinvites(agentCallId)).toHaveLength(before);
    expect((await post(id, 'resume')).body.state).toBe('answered');
    await post(id, 'hangup');
  });

  it('merge, added parties and supervision are 422 over SIP, naming the reason; nothing is dialled', async () => {
    const { id, feed } = await answeredCall();
    const invites = fake.requests('INVITE').length;
    const added = await post(id, 'participants', { to: BOB, role: 'consultee' });
    expect(added.status).toBe(422);
    expect(added.body.detail).toMatch(/^sip cannot add: SIP through drachtio has no audio mixer/);
    const supervised = await post(id, 'supervise', { endpoint: 'sip:sue@pbx.example.com', mode: 'monitor' }, sue);
    expect(supervised.status).toBe(422);
    expect(supervised.body.detail).toMatch(/^sip cannot supervise: .*audio mixer/);
    expect(fake.requests('INVITE')).toHaveLength(invites);
    await post(id, 'consult', { to: BOB });
    await joined(feed, 'consultee');
    const merged = await post(id, 'consult/merge');
    expect(merged.status).toBe(422);
    expect(merged.body.detail).toMatch(/^sip cannot merge: .*audio mixer.*consult, complete and cancel work/);
    expect((await post(id, 'consult', { to: 'sip:carol@pbx.example.com' })).status).toBe(409); // one consultation at a time
    expect((await post(id, 'consult', { to: 'user:carol' })).status).toBe(422); // no SIP address
    await post(id, 'consult/cancel');
    await post(id, 'hangup');
  });
});
