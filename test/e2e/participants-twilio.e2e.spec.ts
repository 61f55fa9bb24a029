import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { FakeTwilio, TWILIO_SID, TWILIO_TOKEN, type VoiceRequest } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';
const BASE = `/2010-04-01/Accounts/${TWILIO_SID}`;

/**
 * Consultation, conference and supervision over Twilio: every party is a participant of the
 * call's conference. The fake answers Conference Participants as Twilio's REST API does (create
 * by friendly name, update/fetch/delete by label, Hold, Muted, Coaching with CallSidToCoach) and
 * each request is checked here; the parties' legs report through signed status callbacks.
 */
describe('participants over Twilio (conference participants)', () => {
  const twilio = new FakeTwilio();
  let gw: TestGateway;
  let alice: string;
  let sue: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US' }],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: twilio.url } },
    });
    alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    sue = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
    await twilio.stop();
  });

  const callbacks = () => new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret);
  const callStatus = (id: string, callSid: string, s: string) => twilio.post(gw.url, PUBLIC, callbacks().url('/webhooks/twilio/voice/status', { cid: id }).slice(PUBLIC.length), {
    CallSid: callSid, CallStatus: s, AccountSid: TWILIO_SID,
  });
  /** A party's leg progress, as Twilio posts it to the StatusCallback the gateway gave the participant. */
  const legStatus = (statusCallback: string, s: string, signature?: string) => twilio.post(gw.url, PUBLIC, statusCallback.slice(PUBLIC.length), {
    CallSid: 'CA0123456789abcdef0123456789abcdef', CallStatus: s, AccountSid: TWILIO_SID, ApiVersion: '2010-04-01',
  }, signature);
  let n = 0;
  /** An answered call: the customer in the conference by TwiML, the agent added as a participant. */
  const answeredCall = async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: alice, body: { contact: { phone: `+1415555${2700 + ++n}` } } });
    const feed = await EventClient.connect(gw.url, alice);
    clients.push(feed);
    feed.send({ op: 'subscribe', topics: [`conversation:${conv.id}`] });
    await feed.next((f) => f.op === 'subscribed');
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token: alice, body: { agentEndpoint: 'sip:1001@pbx.example' } });
    const id = placed.body.id as string;
    const callSid = placed.body.providerRef as string;
    expect((await callStatus(id, callSid, 'in-progress')).status).toBe(204);
    const answerUrl = callbacks().url('/webhooks/twilio/voice', { cid: id }).slice(PUBLIC.length);
    expect((await twilio.post(gw.url, PUBLIC, answerUrl, { CallSid: callSid, CallStatus: 'in-progress', AccountSid: TWILIO_SID })).status).toBe(200);
    const conference = twilio.conferences.get(`call-${id}`)!;
    const mark = twilio.voice.length;
    /** The voice requests since the call was answered, in short: method, path after the conference, and the named params. */
    const since = (...names: string[]) => twilio.voice.slice(mark).filter((r) => r.method !== 'GET' || r.path.includes('/Participants/'))
      .map((r) => [r.method, r.path.replace(`${BASE}/Conferences/${conference}`, '').replace(`${BASE}/Conferences/call-${id}`, '(name)'),
        ...names.filter((k) => r.params.has(k)).map((k) => `${k}=${r.params.getAll(k).join(',')}`)]);
    return { id, callSid, conference, feed, since, parties: () => twilio.participants.get(conference)! };
  };
  const post = (id: string, path: string, body?: object, token = alice) => gw.request('POST', `/v1/calls/${id}/${path}`, { token, body });
  const created = (label: string): VoiceRequest => twilio.voice.find((r) => r.method === 'POST' && r.path.endsWith('/Participants.json') && r.params.get('Label') === label)!;
  const PARAMS = ['Hold', 'Muted', 'Coaching', 'CallSidToCoach', 'EndConferenceOnExit', 'Label'];

  it('consult then complete: the customer is held, the colleague added privately, then the agent leaves', async () => {
    const { id, feed, since, parties } = await answeredCall();
    const consulted = await post(id, 'consult', { to: 'sip:2002@pbx.example' });
    expect(consulted.status).toBe(200);
    const pid = consulted.body.participants[2].participantId as string;
    const add = created(pid);
    expect(add.path).toBe(`${BASE}/Conferences/${parties().get('agent')!.conference_sid}/Participants.json`);
    expect([add.params.get('To'), add.params.get('From'), add.params.get('Beep'), add.params.get('EndConferenceOnExit'), add.params.get('Muted')])
      .toEqual(['sip:2002@pbx.example', '+14155550100', 'false', 'false', 'false']);
    expect(add.params.get('StatusCallback')).toBe(callbacks().url('/webhooks/twilio/voice/participant', { cid: id, pid }));
    expect(add.params.getAll('StatusCallbackEvent')).toEqual(['initiated', 'ringing', 'answered', 'completed']);
    expect(add.params.has('Coaching')).toBe(false);
    expect(parties().get('customer')!.hold).toBe(true);

    for (const s of ['initiated', 'ringing', 'in-progress', 'in-progress']) expect((await legStatus(add.params.get('StatusCallback')!, s)).status).toBe(204);
    await feed.next((f) => f.event?.type === 'call.participant.joined');
    const done = await post(id, 'consult/complete');
    expect(done.status).toBe(200);
    expect(done.body.participants.map((p: { role: string; state: string }) => [p.role, p.state])).toEqual([['customer', 'connected'], ['agent', 'left'], ['agent', 'connected']]);
    expect(since(...PARAMS)).toEqual([
      ['POST', '/Participants/customer.json', 'Hold=true'],
      ['POST', '/Participants.json', 'Muted=false', 'EndConferenceOnExit=false', `Label=${pid}`],
      // The agent's leg would end the conference as it leaves; it is told not to first.
      ['POST', '/Participants/agent.json', 'EndConferenceOnExit=false'],
      ['DELETE', '/Participants/agent.json'],
      ['POST', `/Participants/${pid}.json`, 'Muted=false', 'Coaching=false'],
      ['POST', '/Participants/customer.json', 'Hold=false'],
    ]);
    expect([...parties().keys()]).toEqual(['customer', pid]);
    // The removed agent's own leg ending reports nothing; the colleague hanging up later ends the call.
    expect((await legStatus(add.params.get('StatusCallback')!, 'completed')).status).toBe(204);
    expect((await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body.state).toBe('ended');
    expect(twilio.voice.at(-1)!.params.get('Status')).toBe('completed');
    await feed.next((f) => f.event?.type === 'conversation.updated');
    expect(feed.events().map((f) => f.event.type)).toEqual([
      'call.initiated', 'call.answered', 'call.held', 'call.participant.updated', 'call.participant.updated', 'call.participant.updated', 'call.participant.joined',
      'call.participant.left', 'call.participant.updated', 'call.participant.updated', 'call.resumed', 'call.participant.left', 'call.ended',
      // Nothing live is left in the conversation: it waits for its wrap-up.
      'conversation.updated',
    ]);
  });

  it('consult then merge, then the agent leaves: the colleague stays with the customer', async () => {
    const { id, since, parties } = await answeredCall();
    const pid = (await post(id, 'consult', { to: 'user:bob' })).body.participants[2].participantId as string;
    expect(created(pid).params.get('To')).toBe('client:bob');
    await legStatus(created(pid).params.get('StatusCallback')!, 'in-progress');
    expect((await post(id, 'consult/merge')).body.state).toBe('answered');
    expect((await gw.request('DELETE', `/v1/calls/${id}/participants/${id}-agent`, { token: alice })).body.state).toBe('answered');
    expect(since(...PARAMS).slice(2)).toEqual([
      ['POST', `/Participants/${pid}.json`, 'Muted=false', 'Coaching=false'],
      ['POST', '/Participants/customer.json', 'Hold=false'],
      ['POST', '/Participants/agent.json', 'EndConferenceOnExit=false'],
      ['DELETE', '/Participants/agent.json'],
    ]);
    expect([...parties().keys()]).toEqual(['customer', pid]);
    await post(id, 'hangup');
  });

  it('consult then cancel: the colleague is removed and the customer taken off hold', async () => {
    const { id, since } = await answeredCall();
    const pid = (await post(id, 'consult', { to: '+14155559001' })).body.participants[2].participantId as string;
    const canceled = await post(id, 'consult/cancel');
    expect(canceled.body.state).toBe('answered');
    expect(since(...PARAMS).slice(2)).toEqual([['DELETE', `/Participants/${pid}.json`], ['POST', '/Participants/customer.json', 'Hold=false']]);
    // Twilio's late report of the canceled leg changes nothing.
    expect((await legStatus(created(pid).params.get('StatusCallback')!, 'completed')).status).toBe(204);
    expect((await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body.participants[2]).toMatchObject({ state: 'left', reason: 'removed' });
    await post(id, 'hangup');
  });

  it('consult with no answer: the customer stays held, the reason told; forged leg reports are refused', async () => {
    const { id, feed, parties } = await answeredCall();
    const pid = (await post(id, 'consult', { to: 'sip:2002@pbx.example' })).body.participants[2].participantId as string;
    const url = created(pid).params.get('StatusCallback')!;
    expect((await legStatus(url, 'no-answer', 'Zm9yZ2Vk')).status).toBe(403);
    const otherCall = callbacks().url('/webhooks/twilio/voice/participant', { cid: id, pid: `${id}-agent` }).replace(/sig=[^&]+/, `sig=${new URL(url).searchParams.get('sig')}`);
    expect((await legStatus(otherCall, 'completed')).status).toBe(403);
    expect((await legStatus(url, 'ringing')).status).toBe(204);
    expect((await legStatus(url, 'no-answer')).status).toBe(204);
    const left = await feed.next((f) => f.event?.type === 'call.participant.left');
    expect(left.event.data).toMatchObject({ participantId: pid, role: 'consultee', reason: 'no-answer' });
    const view = (await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body;
    expect([view.state, view.participants[0].state, view.participants[1].state]).toEqual(['held', 'held', 'connected']);
    expect(parties().get('customer')!.hold).toBe(true);
    await post(id, 'hangup');
  });

  it('a supervisor moves monitor → whisper → barge: Muted, then Coaching the agent’s CallSid, then neither', async () => {
    const { id, since, parties } = await answeredCall();
    const watching = await post(id, 'supervise', { endpoint: 'sip:sue@pbx.example', mode: 'monitor' }, sue);
    expect(watching.status).toBe(200);
    const pid = watching.body.participants[2].participantId as string;
    expect(created(pid).params.get('Muted')).toBe('true');
    await legStatus(created(pid).params.get('StatusCallback')!, 'in-progress');
    const agentSid = parties().get('agent')!.call_sid;
    expect((await gw.request('PATCH', `/v1/calls/${id}/supervise`, { token: sue, body: { mode: 'whisper' } })).status).toBe(200);
    expect(parties().get(pid)).toMatchObject({ muted: false, coaching: true, call_sid_to_coach: agentSid });
    expect((await gw.request('PATCH', `/v1/calls/${id}/supervise`, { token: sue, body: { mode: 'barge' } })).status).toBe(200);
    expect(parties().get(pid)).toMatchObject({ muted: false, coaching: false, call_sid_to_coach: null });
    expect(since(...PARAMS)).toEqual([
      ['POST', '/Participants.json', 'Muted=true', 'EndConferenceOnExit=false', `Label=${pid}`],
      ['GET', '/Participants/agent.json'],
      ['POST', `/Participants/${pid}.json`, 'Muted=false', 'Coaching=true', `CallSidToCoach=${agentSid}`],
      ['POST', `/Participants/${pid}.json`, 'Muted=false', 'Coaching=false'],
    ]);
    // Whispering straight away coaches the agent from the start.
    const whisperer = await post(id, 'supervise', { endpoint: 'sip:sam@pbx.example', mode: 'whisper' }, sue);
    const wid = whisperer.body.participants[3].participantId as string;
    expect([created(wid).params.get('Coaching'), created(wid).params.get('CallSidToCoach')]).toEqual(['true', agentSid]);
    await post(id, 'hangup');
  });

  it('a conversation handed over during a live call dials the new agent’s device into the conference', async () => {
    const { id, since } = await answeredCall();
    const { conversationId } = (await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body;
    const handed = await gw.request('POST', `/v1/conversations/${conversationId}/transfer`, { token: alice, body: { agentId: 'bob', endpoint: 'sip:2003@pbx.example' } });
    expect([handed.status, handed.body.agentId]).toEqual([200, 'bob']);
    const pid = (await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body.participants[2].participantId as string;
    expect(since('To', ...PARAMS)).toEqual([['POST', '/Participants.json', 'To=sip:2003@pbx.example', 'Muted=false', 'EndConferenceOnExit=false', `Label=${pid}`]]);
    await post(id, 'hangup');
  });

  it('a provider failure is a 502 naming Twilio, and nothing is recorded', async () => {
    const { id } = await answeredCall();
    twilio.participants.get(twilio.conferences.get(`call-${id}`)!)!.delete('agent');
    const refused = await gw.request('DELETE', `/v1/calls/${id}/participants/${id}-agent`, { token: alice });
    expect(refused.status).toBe(502);
    expect(refused.body.detail).toMatch(/^the provider did not carry out remove: twilio could not let the agent leave: .*\(20404\)$/);
    expect((await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body.participants[1]).toMatchObject({ role: 'agent', state: 'connected' });
    await post(id, 'hangup');
  });
});
