import { randomUUID } from 'node:crypto';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import type { DatabaseHandle } from '../../src/storage/database';
import { DATABASE } from '../../src/storage/storage.module';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { FakeJambonz, JAMBONZ_ACCOUNT } from '../support/fake-jambonz';
import { FakeTwilio, hex, TWILIO_SID } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';
const ACME = '+14155550100';
const HOLD = 'https://media.example/hold.mp3';

/** Waits until the supervisors' list shows the agent online (presence is stored just after the socket opens). */
async function online(gw: TestGateway, agentId: string, clients: EventClient[]): Promise<EventClient> {
  const client = await EventClient.connect(gw.url, await gw.token({ tenantId: 'acme', agentId }));
  clients.push(client);
  client.send({ op: 'subscribe', topics: [`agent:${agentId}`, 'queue'] });
  await client.next((f) => f.op === 'subscribed');
  const supervisor = await gw.token({ tenantId: 'acme', agentId: 'sam', roles: ['supervisor'] });
  for (let i = 0; i < 100; i++) {
    const list = await gw.request('GET', '/v1/agents', { token: supervisor });
    if ((list.body.items as Array<{ agentId: string }>).some((a) => a.agentId === agentId)) return client;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${agentId} never came online`);
}

const eventsOf = async (gw: TestGateway, callId: string) =>
  (await new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter('acme', 0, 100_000)).filter((e) => e.interactionId === callId);

describe('inbound calls over Twilio', () => {
  const twilio = new FakeTwilio();
  const clients: EventClient[] = [];
  let gw: TestGateway;

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: [ACME], voiceProvider: 'twilio', holdMusicUrl: HOLD, inboundGreeting: 'Thanks for calling ACME & Co.', agents: [{ id: 'alice', endpoint: 'sip:alice@pbx.example' }] }],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: 'fake-twilio-auth-token-0123456789', apiBaseUrl: twilio.url } },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
    await twilio.stop();
  });

  const incoming = (callSid: string, from: string, to = ACME, signature?: string) =>
    twilio.post(gw.url, PUBLIC, '/webhooks/twilio/voice/incoming', { CallSid: callSid, AccountSid: TWILIO_SID, From: from, To: to, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' }, signature);

  it('a known customer with an open chat calls: greeting, hold music in the conference, then the agent who answers is added to it', async () => {
    const alice = await online(gw, 'alice', clients);
    const token = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    const conv = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155557001' }, chat: { sessionId: 'tw-in-1' } } });
    const callSid = `CA${hex()}`;
    const twiml = await incoming(callSid, '+14155557001');
    expect(twiml.status).toBe(200);
    expect(twiml.type).toMatch(/^text\/xml/);
    const ring = await alice.next((f) => f.event?.type === 'call.incoming');
    const callId = ring.event!.interactionId as string;
    expect(ring.event).toMatchObject({ conversationId: conv.body.id, data: { offeredTo: 'alice', provider: 'twilio', direction: 'inbound' } });
    const holdUrl = new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url('/webhooks/twilio/voice/hold', { music: HOLD });
    expect(twiml.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thanks for calling ACME &amp; Co.</Say><Dial>' +
      `<Conference participantLabel="customer" startConferenceOnEnter="false" endConferenceOnExit="true" beep="false" waitUrl="${holdUrl.replace(/&/g, '&amp;')}" waitMethod="POST">call-${callId}</Conference></Dial></Response>`);
    // Twilio fetches the wait TwiML (signed by Twilio, the URL signed by us): the music in a loop.
    const hold = await twilio.post(gw.url, PUBLIC, holdUrl.slice(PUBLIC.length), { CallSid: callSid, AccountSid: TWILIO_SID });
    expect(hold.text).toBe(`<?xml version="1.0" encoding="UTF-8"?><Response><Play loop="0">${HOLD}</Play></Response>`);
    const forged = holdUrl.replace(encodeURIComponent(HOLD), encodeURIComponent('https://evil.example/x.mp3'));
    expect((await twilio.post(gw.url, PUBLIC, forged.slice(PUBLIC.length), { CallSid: callSid })).status).toBe(403);

    // The same webhook again (Twilio retries) is the same call.
    await incoming(callSid, '+14155557001');
    expect((await eventsOf(gw, callId)).filter((e) => e.type === 'call.incoming')).toHaveLength(1);

    // The customer leg's own in-progress (the greeting answered it) does not make the call answered.
    expect((await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/voice/status', { CallSid: callSid, CallStatus: 'in-progress', AccountSid: TWILIO_SID })).status).toBe(204);
    expect((await gw.request('GET', `/v1/calls/${callId}`, { token })).body.state).toBe('ringing');

    const answered = await gw.request('POST', `/v1/calls/${callId}/answer`, { token });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ state: 'answered', direction: 'inbound', agentEndpoint: 'sip:alice@pbx.example', providerRef: callSid });
    const agentLeg = [...twilio.voice].reverse().find((r) => r.path.endsWith('/Participants.json'))!;
    expect(agentLeg.path).toBe(`/2010-04-01/Accounts/${TWILIO_SID}/Conferences/call-${callId}/Participants.json`);
    expect([agentLeg.params.get('To'), agentLeg.params.get('From'), agentLeg.params.get('Label')]).toEqual(['sip:alice@pbx.example', ACME, 'agent']);

    // Outbound controls work on it; the caller hanging up ends it through the number's status callback.
    expect((await gw.request('POST', `/v1/calls/${callId}/hold`, { token })).body.state).toBe('held');
    expect([...twilio.voice].reverse().find((r) => r.path.endsWith('/Participants/customer.json'))!.params.get('Hold')).toBe('true');
    await gw.request('POST', `/v1/calls/${callId}/resume`, { token });
    expect((await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/voice/status', { CallSid: callSid, CallStatus: 'completed', AccountSid: TWILIO_SID })).status).toBe(204);
    const ended = await gw.request('GET', `/v1/calls/${callId}`, { token });
    expect(ended.body).toMatchObject({ state: 'ended', endReason: 'completed' });
    expect((await eventsOf(gw, callId)).map((e) => e.type)).toEqual(['call.incoming', 'call.accepted', 'call.answered', 'call.held', 'call.resumed', 'call.ended']);
  });

  it('an unknown caller waits in the queue and is claimed; mute, DTMF, transfer and the hangup go to that caller\'s CallSid and its conference', async () => {
    const alice = await online(gw, 'alice', clients);
    const from = alice.frames.length;
    const token = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    const callSid = `CA${hex()}`;
    expect((await incoming(callSid, '+14155557003')).status).toBe(200);
    const ring = await alice.next((f) => f.event?.type === 'call.incoming', 5000, from);
    expect(ring.topic).toBe('queue');
    expect(ring.event!.data).toMatchObject({ offeredTo: null, provider: 'twilio', direction: 'inbound' });
    const callId = ring.event!.interactionId as string;
    expect((await gw.request('POST', `/v1/calls/${callId}/answer`, { token })).body).toMatchObject({ state: 'answered', providerRef: callSid });
    expect((await gw.request('GET', `/v1/conversations/${ring.event!.conversationId}`, { token })).body.agentId).toBe('alice');
    const conference = twilio.conferences.get(`call-${callId}`)!;
    const last = (pathEnd: string) => [...twilio.voice].reverse().find((r) => r.path.endsWith(pathEnd))!;

    // Mute is the agent's member of the call's conference; DTMF, transfer and hangup update the caller's own leg.
    expect((await gw.request('POST', `/v1/calls/${callId}/mute`, { token })).body.muted).toBe(true);
    expect([last('/Participants/agent.json').path, last('/Participants/agent.json').params.get('Muted')])
      .toEqual([`/2010-04-01/Accounts/${TWILIO_SID}/Conferences/${conference}/Participants/agent.json`, 'true']);
    expect((await gw.request('POST', `/v1/calls/${callId}/unmute`, { token })).body.muted).toBe(false);
    expect(last('/Participants/agent.json').params.get('Muted')).toBe('false');
    expect((await gw.request('POST', `/v1/calls/${callId}/dtmf`, { token, body: { digits: '1w2#' } })).status).toBe(200);
    const digits = last(`/Calls/${callSid}.json`).params.get('Twiml')!;
    expect(digits).toContain('<Play digits="1w2#"/>');
    expect(digits).toContain(`participantLabel="customer"`); // and back into the call's conference
    expect(digits).toContain(`>call-${callId}</Conference>`);
    expect((await gw.request('POST', `/v1/calls/${callId}/transfer`, { token, body: { to: 'sip:claims@pbx.example' } })).status).toBe(200);
    expect(last(`/Calls/${callSid}.json`).params.get('Twiml')).toContain('<Dial><Sip>sip:claims@pbx.example</Sip></Dial>');
    expect((await gw.request('POST', `/v1/calls/${callId}/hangup`, { token })).body).toMatchObject({ state: 'ended', endReason: 'completed' });
    expect(last(`/Calls/${callSid}.json`).params.get('Status')).toBe('completed');
    expect((await eventsOf(gw, callId)).map((e) => e.type)).toEqual(['call.incoming', 'call.accepted', 'call.answered', 'call.muted', 'call.unmuted', 'call.ended']);
  });

  it('rejects a call to a number no tenant owns with <Reject/>, and an unsigned or forged webhook with 403', async () => {
    const rejected = await incoming(`CA${hex()}`, '+14155557002', '+14155550999');
    expect(rejected.status).toBe(200);
    expect(rejected.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Reject reason="rejected"/></Response>');
    expect((await incoming(`CA${hex()}`, '+14155557002', ACME, 'forged')).status).toBe(403);
    const raw = await fetch(`${gw.url}/webhooks/twilio/voice/incoming`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'CallSid=x' });
    expect(raw.status).toBe(403);
    expect((await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/voice/incoming', { CallSid: 'nope', From: '+14155557002', To: ACME })).status).toBe(400);
    expect((await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/voice/incoming', { CallSid: `CA${hex()}`, To: ACME })).status).toBe(400);
  });
});

describe('inbound calls over jambonz', () => {
  const jambonz = new FakeJambonz();
  const clients: EventClient[] = [];
  let gw: TestGateway;

  beforeAll(async () => {
    await jambonz.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: [ACME], voiceProvider: 'jambonz', holdMusicUrl: HOLD, agents: [{ id: 'bob', endpoint: 'sip:bob@pbx.example' }] }],
      providers: jambonz.providers(),
    });
    jambonz.target = { gatewayUrl: gw.url, publicBase: PUBLIC }; // the fake fetches the hooks of a hold's conference moves
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
    await jambonz.stop();
  });

  const hook = (sid: string, from: string, to = ACME, options = {}) =>
    jambonz.post(gw.url, '/webhooks/jambonz/call/incoming', {
      call_sid: sid, call_id: `${sid}@sbc`, direction: 'inbound', from, to, call_status: 'trying', sip_status: 100, account_sid: JAMBONZ_ACCOUNT,
    }, options);

  it('an unknown caller hears the greeting and music, waits in the queue, and is dialled to the agent who answers; mute, DTMF, hold, transfer and the hangup address the caller\'s leg', async () => {
    const bob = await online(gw, 'bob', clients);
    const sid = randomUUID();
    jambonz.calls.push({ sid, body: { direction: 'inbound' } }); // the call jambonz holds (so its REST API knows it)
    const verbs = await hook(sid, '+14155558001');
    expect(verbs.status).toBe(200);
    expect(JSON.parse(verbs.text)).toEqual([
      { verb: 'say', text: 'Thank you for calling. Please hold while we connect you to an agent.' },
      { verb: 'play', url: HOLD, loop: 200 },
    ]);
    const ring = await bob.next((f) => f.event?.type === 'call.incoming');
    expect(ring.topic).toBe('queue');
    const callId = ring.event!.interactionId as string;
    // jambonz reports the caller's leg in progress once the say verb answers it: not an answer by an agent.
    const token = await gw.token({ tenantId: 'acme', agentId: 'bob' });
    const signed = (params: Record<string, string>) => new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url('/webhooks/jambonz/call', params).slice(PUBLIC.length);
    expect((await jambonz.post(gw.url, '/webhooks/jambonz/call/status', { call_sid: sid, call_status: 'in-progress', sip_status: 200, direction: 'inbound' })).status).toBe(204);
    expect((await gw.request('GET', `/v1/calls/${callId}`, { token })).body.state).toBe('ringing');

    const answered = await gw.request('POST', `/v1/calls/${callId}/answer`, { token });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ state: 'answered', agentEndpoint: 'sip:bob@pbx.example' });
    // The caller's leg is redirected to our (signed) call_hook, which dials bob.
    const redirect = jambonz.updates.at(-1)!;
    expect(redirect).toEqual({ sid, body: { call_hook: { url: `${PUBLIC}${signed({ cid: callId })}`, method: 'POST' } } });
    const dial = await jambonz.post(gw.url, signed({ cid: callId }), { call_sid: sid, direction: 'inbound' });
    expect(JSON.parse(dial.text)).toEqual([{ verb: 'dial', callerId: ACME, answerOnBridge: true, target: [{ type: 'sip', sipUri: 'sip:bob@pbx.example' }],
      listen: expect.objectContaining({ url: new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url('/webhooks/jambonz/listen', { cid: callId, sid }).replace(/^https/, 'wss'), mixType: 'stereo' }) }]);
    // The controls address the caller's leg (the dial of the agent hangs off it), as on a placed call.
    expect((await gw.request('POST', `/v1/calls/${callId}/mute`, { token })).body.muted).toBe(true);
    expect(jambonz.updates.at(-1)).toEqual({ sid, body: { mute_status: 'mute' } });
    expect((await gw.request('POST', `/v1/calls/${callId}/unmute`, { token })).body.muted).toBe(false);
    expect(jambonz.updates.at(-1)).toEqual({ sid, body: { mute_status: 'unmute' } });
    expect((await gw.request('POST', `/v1/calls/${callId}/dtmf`, { token, body: { digits: '42' } })).status).toBe(200);
    expect(jambonz.updates.slice(-2)).toEqual(['4', '2'].map((d) => ({
      sid, body: { sip_request: { method: 'INFO', content_type: 'application/dtmf-relay', content: `Signal=${d}\r\nDuration=160` } },
    })));
    // Hold moves the legs into the call's conference, where the caller's member is held (as for a placed call).
    const hold = await gw.request('POST', `/v1/calls/${callId}/hold`, { token });
    expect([hold.status, hold.body.state]).toEqual([200, 'held']);
    expect(jambonz.updates.at(-1)).toEqual({ sid, body: { conf_hold_status: 'hold' } });
    expect((await gw.request('POST', `/v1/calls/${callId}/resume`, { token })).body.state).toBe('answered');
    expect(jambonz.updates.at(-1)).toEqual({ sid, body: { conf_hold_status: 'unhold' } });
    expect((await gw.request('POST', `/v1/calls/${callId}/transfer`, { token, body: { to: 'sip:claims@pbx.example' } })).status).toBe(200);
    const transfer = jambonz.updates.at(-1)!;
    expect(transfer).toEqual({ sid, body: { call_hook: { url: `${PUBLIC}${signed({ cid: callId, transfer: 'sip:claims@pbx.example' })}`, method: 'POST' } } });
    const redial = await jambonz.post(gw.url, signed({ cid: callId, transfer: 'sip:claims@pbx.example' }), { call_sid: sid, direction: 'inbound' });
    expect(JSON.parse(redial.text)[0].target).toEqual([{ type: 'sip', sipUri: 'sip:claims@pbx.example' }]);
    expect((await jambonz.post(gw.url, '/webhooks/jambonz/call/status', { call_sid: sid, call_status: 'completed', sip_status: 200, direction: 'inbound' })).status).toBe(204);
    expect((await eventsOf(gw, callId)).map((e) => e.type)).toEqual(
      ['call.incoming', 'call.accepted', 'call.answered', 'call.muted', 'call.unmuted', 'call.held', 'call.resumed', 'call.ended']);
    // The agent's wrap-up hangup of an inbound call completes the caller's leg.
    const sid2 = randomUUID();
    jambonz.calls.push({ sid: sid2, body: { direction: 'inbound' } });
    expect((await hook(sid2, '+14155558001')).status).toBe(200);
    const again = await bob.next((f) => f.event?.type === 'call.incoming' && f.event.interactionId !== callId);
    const second = again.event!.interactionId as string;
    expect((await gw.request('POST', `/v1/calls/${second}/answer`, { token })).status).toBe(200);
    expect((await gw.request('POST', `/v1/calls/${second}/hangup`, { token })).body).toMatchObject({ state: 'ended', endReason: 'completed' });
    expect(jambonz.updates.at(-1)).toEqual({ sid: sid2, body: { call_status: 'completed' } });
  });

  it('declines a call to an unknown number with sip:decline 404, and refuses an unsigned hook (403)', async () => {
    const declined = await hook(randomUUID(), '+14155558002', '+14155550999');
    expect(JSON.parse(declined.text)).toEqual([{ verb: 'sip:decline', status: 404, reason: 'Not Found' }]);
    expect((await hook(randomUUID(), '+14155558002', ACME, { signature: 't=1,v1=00' })).status).toBe(403);
    expect((await jambonz.post(gw.url, '/webhooks/jambonz/call/incoming', { direction: 'inbound', from: '+14155558002', to: ACME })).status).toBe(400);
  });
});
