import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { DATABASE } from '../../src/storage/storage.module';
import type { DatabaseHandle } from '../../src/storage/database';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { FakeTwilio, hex, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';
const AGENT_SIP = 'sip:1001@pbx.example';

describe('click-to-call over Twilio (conference bridge)', () => {
  const twilio = new FakeTwilio();
  let gw: TestGateway;
  let token: string;

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{ id: 'acme', numbers: ['+14155550100'], defaultRegion: 'US' }],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: twilio.url } },
    });
    token = await gw.token({ tenantId: 'acme', agentId: 'alice' });
  });
  afterAll(async () => {
    await gw.close();
    await twilio.stop();
  });

  const types = async (callId: string) =>
    (await new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter('acme', 0, 100_000))
      .filter((e) => e.interactionId === callId).map((e) => e.type);
  const signed = (path: string, callId: string) => new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url(path, { cid: callId });
  const status = (callId: string, callSid: string, callStatus: string, signature?: string) =>
    twilio.post(gw.url, PUBLIC, signed('/webhooks/twilio/voice/status', callId).slice(PUBLIC.length), {
      CallSid: callSid, CallStatus: callStatus, AccountSid: TWILIO_SID, To: '+14155552671', From: '+14155550100', Direction: 'outbound-api', ApiVersion: '2010-04-01',
    }, signature);
  const lastVoice = (pathEnd: string) => [...twilio.voice].reverse().find((r) => r.path.endsWith(pathEnd))!;

  it('places the customer leg with all four status events, bridges on answer, and controls through the API', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552671' }, chat: { sessionId: 'tw-1' } } });
    const feed = await EventClient.connect(gw.url, token);
    feed.send({ op: 'subscribe', topics: [`conversation:${conv.id}`] });
    await feed.next((f) => f.op === 'subscribed');
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: AGENT_SIP } });
    expect(placed.status).toBe(202);
    const id = placed.body.id as string;
    const create = lastVoice('/Calls.json');
    expect(create.params.get('To')).toBe('+14155552671');
    expect(create.params.get('From')).toBe('+14155550100');
    expect(create.params.get('Url')).toBe(signed('/webhooks/twilio/voice', id));
    expect(create.params.get('StatusCallback')).toBe(signed('/webhooks/twilio/voice/status', id));
    expect(create.params.getAll('StatusCallbackEvent')).toEqual(['initiated', 'ringing', 'answered', 'completed']);
    expect(create.params.get('Timeout')).toBe('45'); // no ringTimeoutSeconds anywhere: the default
    const callSid = (await gw.request('GET', `/v1/calls/${id}`, { token })).body.providerRef as string;
    expect(callSid).toMatch(/^CA[0-9a-f]{32}$/);

    // Twilio's callbacks, with a duplicate and a late one among them.
    for (const s of ['initiated', 'ringing', 'ringing', 'in-progress']) expect((await status(id, callSid, s)).status).toBe(204);
    // The answered leg fetches its TwiML: it joins the conference and the agent is added to it.
    const twiml = await twilio.post(gw.url, PUBLIC, create.params.get('Url')!.slice(PUBLIC.length), { CallSid: callSid, CallStatus: 'in-progress', AccountSid: TWILIO_SID });
    expect(twiml.status).toBe(200);
    expect(twiml.type).toMatch(/^text\/xml/);
    expect(twiml.text).toContain(`<Conference participantLabel="customer" startConferenceOnEnter="true" endConferenceOnExit="true" beep="false" waitUrl="">call-${id}</Conference>`);
    const agent = lastVoice('/Participants.json');
    expect(agent.path).toBe(`/2010-04-01/Accounts/${TWILIO_SID}/Conferences/call-${id}/Participants.json`);
    expect([agent.params.get('To'), agent.params.get('From'), agent.params.get('Label')]).toEqual([AGENT_SIP, '+14155550100', 'agent']);
    expect((await status(id, callSid, 'ringing')).status).toBe(204);

    const conference = twilio.conferences.get(`call-${id}`)!;
    expect((await gw.request('POST', `/v1/calls/${id}/hold`, { token })).body.state).toBe('held');
    expect(lastVoice('/Participants/customer.json').params.get('Hold')).toBe('true');
    expect(lastVoice('/Participants/customer.json').path).toContain(`/Conferences/${conference}/`);
    await gw.request('POST', `/v1/calls/${id}/resume`, { token });
    expect(lastVoice('/Participants/customer.json').params.get('Hold')).toBe('false');
    await gw.request('POST', `/v1/calls/${id}/mute`, { token });
    expect(lastVoice('/Participants/agent.json').params.get('Muted')).toBe('true');
    await gw.request('POST', `/v1/calls/${id}/dtmf`, { token, body: { digits: '1w2#' } });
    expect(lastVoice(`/Calls/${callSid}.json`).params.get('Twiml')).toContain('<Play digits="1w2#"/>');
    // Leaving the conference for the digits must not end it (the agent would be dropped): the flag goes first, the rejoin sets it again.
    const digitSteps = twilio.voice.slice(-2).map((r) => [r.path.split('/').slice(-1)[0], r.params.get('EndConferenceOnExit')]);
    expect(digitSteps).toEqual([['customer.json', 'false'], [`${callSid}.json`, null]]);
    expect(lastVoice(`/Calls/${callSid}.json`).params.get('Twiml')).toContain('endConferenceOnExit="true"');
    await gw.request('POST', `/v1/calls/${id}/transfer`, { token, body: { to: 'sip:claims@pbx.example' } });
    expect(lastVoice(`/Calls/${callSid}.json`).params.get('Twiml')).toContain('<Dial><Sip>sip:claims@pbx.example</Sip></Dial>');
    const hung = await gw.request('POST', `/v1/calls/${id}/hangup`, { token });
    expect(hung.body).toMatchObject({ state: 'ended', endReason: 'completed' });
    expect(lastVoice(`/Calls/${callSid}.json`).params.get('Status')).toBe('completed');
    // Twilio's own completed callback afterwards, twice: nothing more happens.
    expect((await status(id, callSid, 'completed')).status).toBe(204);
    expect((await status(id, callSid, 'completed')).status).toBe(204);

    const expected = ['call.initiated', 'call.ringing', 'call.answered', 'call.held', 'call.resumed', 'call.muted', 'call.ended'];
    expect(await types(id)).toEqual(expected);
    await feed.eventCount(expected.length);
    expect(feed.events().map((f) => f.event.type)).toEqual(expected);
    feed.close();
    expect((await gw.request('GET', `/v1/conversations/${conv.id}`, { token })).body.interactions[0]).toMatchObject({ channel: 'chat', state: 'active' });
  });

  it('rings the customer as long as the request asks (ringTimeoutSeconds), within Twilio\'s 5 to 600 s', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552672' }, chat: { sessionId: 'tw-ring' } } });
    for (const bad of [4, 601, 12.5, '20', null]) {
      const refused = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: AGENT_SIP, ringTimeoutSeconds: bad } });
      expect([bad, refused.status, refused.body.errors?.[0]?.field]).toEqual([bad, 400, 'ringTimeoutSeconds']);
    }
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: AGENT_SIP, ringTimeoutSeconds: 20 } });
    expect(placed.status).toBe(202);
    expect(lastVoice('/Calls.json').params.get('Timeout')).toBe('20');
    expect((await gw.request('POST', `/v1/calls/${placed.body.id}/hangup`, { token })).status).toBe(200);
  });

  it('dials the agent once however often the signed answer webhook is replayed', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552673' } } });
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: AGENT_SIP } });
    const id = placed.body.id as string;
    const answerUrl = lastVoice('/Calls.json').params.get('Url')!.slice(PUBLIC.length);
    const answered = { CallSid: placed.body.providerRef as string, CallStatus: 'in-progress', AccountSid: TWILIO_SID };
    const dials = () => twilio.voice.filter((r) => r.path.endsWith(`/Conferences/call-${id}/Participants.json`)).length;
    const replies = await Promise.all([1, 2, 3].map(() => twilio.post(gw.url, PUBLIC, answerUrl, answered)));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const reply of replies) expect(reply.text).toContain(`>call-${id}</Conference>`);
    expect((await twilio.post(gw.url, PUBLIC, answerUrl, answered)).status).toBe(200);
    expect(dials()).toBe(1);
  });

  it('records busy from the status callback, and refuses forged callbacks with 403', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155552672' } } });
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: 'user:alice' } });
    const callSid = (await gw.request('GET', `/v1/calls/${placed.body.id}`, { token })).body.providerRef as string;
    expect((await status(placed.body.id, callSid, 'completed', 'Zm9yZ2Vk')).status).toBe(403);
    expect((await status(placed.body.id, `CA${hex()}`, 'completed')).status).toBe(204); // another call's sid: ignored
    expect((await gw.request('GET', `/v1/calls/${placed.body.id}`, { token })).body.state).toBe('initiating');
    expect((await status(placed.body.id, callSid, 'busy')).status).toBe(204);
    expect((await gw.request('GET', `/v1/calls/${placed.body.id}`, { token })).body).toMatchObject({ state: 'ended', endReason: 'busy' });
    expect((await status(placed.body.id, callSid, 'in-progress')).status).toBe(204);
    expect(await types(placed.body.id)).toEqual(['call.initiated', 'call.ended']);
  });
});
