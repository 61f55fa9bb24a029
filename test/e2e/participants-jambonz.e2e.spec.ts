import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { CONFERENCE_JOIN_PATH, CONFERENCE_STATUS_PATH, PARTY_STATUS_PATH } from '../../src/providers/jambonz/jambonz-conference.mapper';
import { FakeJambonz, JAMBONZ_ACCOUNT } from '../support/fake-jambonz';
import { VoiceAdapters } from '../../src/providers/voice-provider.port';
import type { JambonzVoiceProvider } from '../../src/providers/jambonz/jambonz.voice';
import { DATABASE } from '../../src/storage/storage.module';
import type { DatabaseHandle } from '../../src/storage/database';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';

/**
 * Consultation, conference and supervision over jambonz. The first command that needs more than
 * the call's dial moves both legs into a conference named after the call (one live call control
 * request: `call_hook` for the customer's leg, `child_call_hook` for the dial's B leg, the
 * agent's); each party is a call of its own (`POST …/Calls`) whose call_hook answers the
 * `conference` verb. The fake checks every request as jambonz's API server does
 * (validateUpdateCall, createCall), runs the hooks' verbs as its feature server does, and keeps
 * who is in the conference, held, muted or coached; the exact requests are asserted here.
 */
describe('participants over jambonz (conference verb and live call control)', () => {
  const jambonz = new FakeJambonz();
  let gw: TestGateway;
  let alice: string;
  let sue: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    await jambonz.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US', voiceProvider: 'jambonz' }],
      providers: jambonz.providers(),
    });
    jambonz.target = { gatewayUrl: gw.url, publicBase: PUBLIC };
    alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    sue = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await jambonz.conference.settled(); // the conference's last status hooks reach the gateway before it closes
    await gw.close();
    await jambonz.stop();
  });

  const signed = (path: string, params: Record<string, string>) => new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url(path, params);
  const fake = () => jambonz.conference;
  const callStatus = (id: string, body: Record<string, unknown>) => jambonz.post(gw.url, signed('/webhooks/jambonz/call/status', { cid: id }).slice(PUBLIC.length), body);
  let n = 0;

  /** An answered call over jambonz: the customer's leg answered, the agent bridged by the dial. */
  const answeredCall = async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: alice, body: { contact: { phone: `+1415555${3700 + ++n}` } } });
    const feed = await EventClient.connect(gw.url, alice);
    clients.push(feed);
    feed.send({ op: 'subscribe', topics: [`conversation:${conv.id}`] });
    await feed.next((f) => f.op === 'subscribed');
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token: alice, body: { agentEndpoint: 'sip:1001@pbx.example' } });
    const id = placed.body.id as string;
    const sid = placed.body.providerRef as string;
    expect((await callStatus(id, { call_sid: sid, call_status: 'in-progress', sip_status: 200, direction: 'outbound', account_sid: JAMBONZ_ACCOUNT })).status).toBe(204);
    const mark = jambonz.updates.length;
    const created = jambonz.calls.length;
    const agentSid = () => [...fake().legs.values()].find((l) => l.parent === sid)!.sid;
    const partySid = (pid: string) => jambonz.calls.find((c) => (c.body.tag as { participantId?: string } | undefined)?.participantId === pid)!.sid;
    /** The live call control requests since the call was answered: whose leg, and the body. */
    const since = () => jambonz.updates.slice(mark).map((u) => {
      const pid = (jambonz.calls.find((c) => c.sid === u.sid)?.body.tag as { participantId?: string } | undefined)?.participantId;
      return [u.sid === sid ? 'customer' : pid ?? (u.sid === agentSid() ? 'agent' : u.sid), u.body];
    });
    const dialled = () => jambonz.calls.slice(created);
    const member = (tag: string) => fake().member(`call-${id}`, tag);
    return { id, sid, conversationId: conv.id as string, feed, since, dialled, agentSid, partySid, member };
  };
  const post = (id: string, path: string, body?: object, token = alice) => gw.request('POST', `/v1/calls/${id}/${path}`, { token, body });
  const hook = (ref: string, id: string, mode = 'talk') => ({ url: signed(CONFERENCE_JOIN_PATH, { cid: id, pid: ref, mode }), method: 'POST' });
  /** What the gateway asks of jambonz to move the call's two legs into its conference. */
  const move = (id: string) => ['customer', { call_hook: hook('customer', id), child_call_hook: hook('agent', id) }];
  const statusHook = (id: string) => ({ url: signed(CONFERENCE_STATUS_PATH, { cid: id }), method: 'POST' });
  const verbOf = (sid: string) => fake().hooks.filter((h) => h.sid === sid).at(-1)!.verbs;

  it('consult then complete: both legs moved into the conference, the customer held, the colleague dialled in, then the agent leaves', async () => {
    const { id, sid, feed, since, dialled, agentSid, partySid, member } = await answeredCall();
    const consulted = await post(id, 'consult', { to: 'sip:2002@pbx.example' });
    expect(consulted.status).toBe(200);
    expect(consulted.body.state).toBe('held');
    const pid = consulted.body.participants[2].participantId as string;
    // The customer's leg starts the conference and ends it when it leaves; the agent's does not.
    expect(verbOf(sid)).toEqual([{
      verb: 'conference', name: `call-${id}`, beep: false, memberTag: 'customer', startConferenceOnEnter: true, endConferenceOnExit: true,
      statusHook: statusHook(id), statusEvents: ['join', 'leave'],
    }]);
    expect(verbOf(agentSid())).toEqual([{
      verb: 'conference', name: `call-${id}`, beep: false, memberTag: 'agent', startConferenceOnEnter: true, endConferenceOnExit: false,
      statusHook: statusHook(id), statusEvents: ['join', 'leave'],
    }]);
    expect(dialled().map((c) => c.body)).toEqual([{
      from: '+14155550100', to: { type: 'sip', sipUri: 'sip:2002@pbx.example' },
      call_hook: hook(pid, id, 'private'),
      call_status_hook: { url: signed(PARTY_STATUS_PATH, { cid: id, pid }), method: 'POST' },
      tag: { callId: id, participantId: pid },
    }]);
    expect(member('customer')).toMatchObject({ held: true, muted: false });

    expect(await fake().status(partySid(pid), 'ringing')).toBe(204);
    expect(await fake().answer(partySid(pid))).toEqual([{
      verb: 'conference', name: `call-${id}`, beep: false, memberTag: pid, startConferenceOnEnter: true, endConferenceOnExit: false,
      statusHook: statusHook(id), statusEvents: ['join', 'leave'],
    }]);
    await feed.next((f) => f.event?.type === 'call.participant.joined');
    const done = await post(id, 'consult/complete');
    expect(done.status).toBe(200);
    expect(done.body.participants.map((p: { role: string; state: string }) => [p.role, p.state])).toEqual([['customer', 'connected'], ['agent', 'left'], ['agent', 'connected']]);
    expect(since()).toEqual([
      move(id),
      ['customer', { conf_hold_status: 'hold' }],
      ['agent', { call_status: 'completed' }],
      // The colleague's `talk` changes nothing on its leg (never muted); only the customer comes off hold.
      ['customer', { conf_hold_status: 'unhold' }],
    ]);
    await fake().settled();
    expect([...fake().conferences.get(`call-${id}`)!.members.values()].map((m) => [m.tag, m.held])).toEqual([['customer', false], [pid, false]]);
    expect(fake().ignored).toEqual([]);
    // The removed agent's leg reports its end to the call's status hook (a child of the customer's leg): it changes nothing.
    expect((await callStatus(id, { call_sid: agentSid(), parent_call_sid: sid, call_status: 'completed', direction: 'outbound' })).status).toBe(204);
    // The colleague hanging up later ends the call: the gateway hangs up the customer's leg.
    expect(await fake().status(partySid(pid), 'completed')).toBe(204);
    expect((await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body.state).toBe('ended');
    expect(since().at(-1)).toEqual(['customer', { call_status: 'completed' }]);
    await feed.next((f) => f.event?.type === 'conversation.updated');
    expect(feed.events().map((f) => f.event.type)).toEqual([
      'call.initiated', 'call.answered', 'call.held', 'call.participant.updated', 'call.participant.updated', 'call.participant.updated', 'call.participant.joined',
      'call.participant.left', 'call.participant.updated', 'call.participant.updated', 'call.resumed', 'call.participant.left', 'call.ended',
      'conversation.updated',
    ]);
  });

  it('consult then merge, then the agent leaves: the colleague stays with the customer (also after a restart)', async () => {
    const { id, since, dialled, partySid, agentSid, member } = await answeredCall();
    const pid = (await post(id, 'consult', { to: 'user:bob' })).body.participants[2].participantId as string;
    expect(dialled()[0]!.body.to).toEqual({ type: 'user', name: 'bob' });
    await fake().answer(partySid(pid));
    expect((await post(id, 'consult/merge')).body.state).toBe('answered');
    // The join hooks kept the legs' call_sids in the call's refs: a restarted gateway (its memory gone) still finds them.
    const call = await gw.app.get<DatabaseHandle>(DATABASE).db.selectFrom('calls').select('refs').where('interactionId', '=', id).executeTakeFirst();
    expect(JSON.parse(call!.refs)).toEqual({ conference: `call-${id}`, agentLeg: agentSid(), [`leg:${pid}`]: partySid(pid) });
    (gw.app.get(VoiceAdapters).voiceByName('jambonz') as JambonzVoiceProvider).participants.forget(id);
    const left = await gw.request('DELETE', `/v1/calls/${id}/participants/${id}-agent`, { token: alice });
    expect([left.status, left.body.state]).toEqual([200, 'answered']);
    expect(since().slice(2)).toEqual([['customer', { conf_hold_status: 'unhold' }], ['agent', { call_status: 'completed' }]]);
    await fake().settled();
    expect([member('customer')?.held, member('agent'), member(pid)?.muted]).toEqual([false, undefined, false]);
    await post(id, 'hangup');
  });

  it('consult then cancel while the colleague rings: the ringing leg is cancelled and the customer taken off hold', async () => {
    const { id, since, dialled, partySid, member } = await answeredCall();
    const pid = (await post(id, 'consult', { to: '+14155559001' })).body.participants[2].participantId as string;
    expect(dialled()[0]!.body.to).toEqual({ type: 'phone', number: '+14155559001' });
    expect((await post(id, 'consult/cancel')).body.state).toBe('answered');
    // jambonz refuses `completed` for a leg with no dialog yet (422): a ringing leg is cancelled with `no-answer`.
    expect(since().slice(2)).toEqual([
      [pid, { call_status: 'completed' }], [pid, { call_status: 'no-answer' }], ['customer', { conf_hold_status: 'unhold' }],
    ]);
    // jambonz's late report of the cancelled leg changes nothing.
    expect(await fake().status(partySid(pid), 'no-answer')).toBe(204);
    expect((await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body.participants[2]).toMatchObject({ state: 'left', reason: 'removed' });
    await fake().settled();
    expect(member('customer')?.held).toBe(false);
    await post(id, 'hangup');
  });

  it('consult with no answer: the customer stays held, the reason told; forged leg reports are refused', async () => {
    const { id, feed, partySid, member } = await answeredCall();
    const pid = (await post(id, 'consult', { to: 'sip:2002@pbx.example' })).body.participants[2].participantId as string;
    const url = signed(PARTY_STATUS_PATH, { cid: id, pid });
    const body = { call_sid: partySid(pid), call_status: 'no-answer', sip_status: 480, direction: 'outbound' };
    expect((await jambonz.post(gw.url, url.slice(PUBLIC.length), body, { secret: 'not-the-secret' })).status).toBe(403);
    const otherParty = signed(PARTY_STATUS_PATH, { cid: id, pid: `${id}-agent` }).replace(/sig=[^&]+/, `sig=${new URL(url).searchParams.get('sig')}`);
    expect((await jambonz.post(gw.url, otherParty.slice(PUBLIC.length), { ...body, call_status: 'completed' })).status).toBe(403);
    expect(await fake().status(partySid(pid), 'ringing')).toBe(204);
    expect(await fake().status(partySid(pid), 'no-answer')).toBe(204);
    const left = await feed.next((f) => f.event?.type === 'call.participant.left');
    expect(left.event.data).toMatchObject({ participantId: pid, role: 'consultee', reason: 'no-answer' });
    const view = (await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body;
    expect([view.state, view.participants[0].state, view.participants[1].state]).toEqual(['held', 'held', 'connected']);
    expect(member('customer')?.held).toBe(true);
    await post(id, 'hangup');
  });

  it('a supervisor moves monitor → whisper → barge: joined muted, then coaching the agent’s tag and unmuted, then neither', async () => {
    const { id, feed, since, dialled, partySid, member } = await answeredCall();
    const watching = await post(id, 'supervise', { endpoint: 'sip:sue@pbx.example', mode: 'monitor' }, sue);
    expect(watching.status).toBe(200);
    const pid = watching.body.participants[2].participantId as string;
    expect(dialled()[0]!.body.call_hook).toEqual(hook(pid, id, 'monitor'));
    expect(await fake().answer(partySid(pid))).toEqual([expect.objectContaining({ memberTag: pid, joinMuted: true, endConferenceOnExit: false })]);
    expect(member(pid)).toMatchObject({ muted: true, speakOnlyTo: undefined });
    expect((await gw.request('PATCH', `/v1/calls/${id}/supervise`, { token: sue, body: { mode: 'whisper' } })).status).toBe(200);
    expect(member(pid)).toMatchObject({ muted: false, speakOnlyTo: 'agent' });
    expect((await gw.request('PATCH', `/v1/calls/${id}/supervise`, { token: sue, body: { mode: 'barge' } })).status).toBe(200);
    expect(member(pid)).toMatchObject({ muted: false, speakOnlyTo: undefined });
    // The agent's socket hears who is listening, and how, at each step.
    for (const mode of ['monitor', 'whisper', 'barge']) {
      const update = await feed.next((f) => f.event?.type === 'call.participant.updated' && f.event.data.participantId === pid && f.event.data.mode === mode);
      expect(update.event.data).toMatchObject({ role: 'supervisor', mode });
    }
    expect((await gw.request('PATCH', `/v1/calls/${id}/supervise`, { token: sue, body: { mode: 'monitor' } })).status).toBe(200);
    expect(member(pid)).toMatchObject({ muted: true, speakOnlyTo: undefined });
    expect(since()).toEqual([
      move(id),
      [pid, { conferenceParticipantAction: { action: 'coach', tag: 'agent' } }], [pid, { mute_status: 'unmute' }],
      [pid, { conferenceParticipantAction: { action: 'uncoach' } }], [pid, { mute_status: 'unmute' }],
      [pid, { mute_status: 'mute' }], [pid, { conferenceParticipantAction: { action: 'uncoach' } }],
    ]);
    // Whispering straight away: the leg joins speaking only to the agent; jambonz joins it muted, the gateway unmutes it.
    const whisperer = await post(id, 'supervise', { endpoint: 'sip:sam@pbx.example', mode: 'whisper' }, sue);
    const wid = whisperer.body.participants[3].participantId as string;
    expect(dialled()[1]!.body.call_hook).toEqual({ url: signed(CONFERENCE_JOIN_PATH, { cid: id, pid: wid, mode: 'whisper', coach: 'agent' }), method: 'POST' });
    expect(await fake().answer(partySid(wid))).toEqual([expect.objectContaining({ memberTag: wid, speakOnlyTo: 'agent' })]);
    expect(since().at(-1)).toEqual([wid, { mute_status: 'unmute' }]);
    expect(member(wid)).toMatchObject({ muted: false, speakOnlyTo: 'agent' });
    expect(member('customer')).toMatchObject({ muted: false, held: false });
    await post(id, 'hangup');
  });

  it('a conversation handed over during a live call dials the new agent’s device into the conference', async () => {
    const { id, conversationId, feed, since, dialled } = await answeredCall();
    const handed = await gw.request('POST', `/v1/conversations/${conversationId}/transfer`, { token: alice, body: { agentId: 'bob', endpoint: 'sip:2003@pbx.example' } });
    expect([handed.status, handed.body.agentId]).toEqual([200, 'bob']);
    const pid = (await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body.participants[2].participantId as string;
    expect(since()).toEqual([move(id)]);
    expect(dialled().map((c) => [c.body.to, c.body.call_hook])).toEqual([[{ type: 'sip', sipUri: 'sip:2003@pbx.example' }, hook(pid, id, 'talk')]]);
    await feed.next((f) => f.event?.type === 'conversation.transferred');
    await post(id, 'hangup');
  });

  it('the agent hanging up their own phone in the conference is their leg leaving: with no colleague left, the call ends', async () => {
    const { id, sid, feed, since, agentSid } = await answeredCall();
    expect((await post(id, 'hold')).status).toBe(200);
    // jambonz reports the dial's B leg to the call's status hook, as a child of the customer's leg.
    expect((await callStatus(id, { call_sid: agentSid(), parent_call_sid: sid, call_status: 'completed', sip_status: 200, direction: 'outbound' })).status).toBe(204);
    const left = await feed.next((f) => f.event?.type === 'call.participant.left');
    expect(left.event.data).toMatchObject({ participantId: `${id}-agent`, role: 'agent', reason: 'completed' });
    expect((await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body.state).toBe('ended');
    expect(since().at(-1)).toEqual(['customer', { call_status: 'completed' }]);
  });

  it('a provider failure is a 502 naming jambonz, and nothing is recorded', async () => {
    const { id, since, agentSid } = await answeredCall();
    expect((await post(id, 'hold')).status).toBe(200);
    // The agent's leg is gone on jambonz's side already: it refuses both endings (no dialog, not ringing).
    fake().legs.get(agentSid())!.state = 'ended';
    const refused = await gw.request('DELETE', `/v1/calls/${id}/participants/${id}-agent`, { token: alice });
    expect(refused.status).toBe(502);
    expect(refused.body.detail).toMatch(/^the provider did not carry out remove: jambonz could not remove the participant: .*422/);
    expect(since().slice(-2)).toEqual([['agent', { call_status: 'completed' }], ['agent', { call_status: 'no-answer' }]]);
    expect((await gw.request('GET', `/v1/calls/${id}`, { token: alice })).body.participants[1]).toMatchObject({ role: 'agent', state: 'connected' });
    await post(id, 'hangup');
  });

  it('hold and resume of a two-party call go through the conference; a hook of a call that is over hangs up', async () => {
    const { id, since, member } = await answeredCall();
    expect((await post(id, 'hold')).body.state).toBe('held');
    expect((await post(id, 'mute')).body.muted).toBe(true);
    expect((await post(id, 'resume')).body.state).toBe('answered');
    // Once in the conference, the agent's mute is the agent member's.
    expect(since()).toEqual([move(id), ['customer', { conf_hold_status: 'hold' }], ['agent', { mute_status: 'mute' }], ['customer', { conf_hold_status: 'unhold' }]]);
    expect(member('agent')?.muted).toBe(true);
    await post(id, 'hangup');
    const late = await jambonz.post(gw.url, hook('customer', id).url.slice(PUBLIC.length), { call_sid: 'late', call_status: 'in-progress' });
    expect(JSON.parse(late.text)).toEqual([{ verb: 'hangup' }]);
    const forged = await jambonz.post(gw.url, `${CONFERENCE_JOIN_PATH}?cid=${id}&pid=customer&mode=talk`, { call_sid: 'x' });
    expect(forged.status).toBe(403);
  });
});
