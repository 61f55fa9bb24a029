import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { hex, TWILIO_SID } from '../support/fake-twilio';
import { FakeTwilioMedia } from '../support/fake-twilio-media';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';
const ACME = '+14155550100';
const CONFIRM = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>We will call you &amp; soon.</Say><Hangup/></Response>';

/**
 * Queue timeout → callback over Twilio: the waiting caller's leg is redirected to `<Gather>` of one
 * key whose action is signed for the call; 2 is a callback (confirmation TwiML, a task for the
 * available agent, dialed through Twilio to the caller's number), 1 the voicemail as before.
 */
describe('inbound calls over Twilio: queue timeout → callback', () => {
  const twilio = new FakeTwilioMedia();
  const clients: EventClient[] = [];
  let gw: TestGateway;
  let urls: CallbackUrls;
  const token = (agentId: string, role: 'agent' | 'supervisor' = 'agent') => gw.token({ tenantId: 'acme', agentId, roles: [role] });

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{
        id: 'acme', numbers: [ACME], voiceProvider: 'twilio', queueTimeoutSeconds: 1, queueTimeoutOffer: 'choice',
        queueChoicePrompt: 'Press 1 & leave a message, or 2.', callbackPrompt: 'We will call you & soon.', voicemailPrompt: 'Leave a message.',
        agents: [{ id: 'alice', endpoint: 'sip:alice@pbx.example' }],
      }],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: 'fake-twilio-auth-token-0123456789', apiBaseUrl: twilio.url } },
      routing: { ringNoAnswerSweepMs: 100 },
    });
    twilio.target = { gatewayUrl: gw.url, publicBase: PUBLIC };
    urls = new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
    await twilio.stop();
  });

  async function incoming(from: string): Promise<{ callSid: string; twiml: string }> {
    const callSid = `CA${hex()}`;
    const answer = await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/voice/incoming', {
      CallSid: callSid, AccountSid: TWILIO_SID, From: from, To: ACME, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01',
    });
    expect(answer.status).toBe(200);
    let twiml = '';
    for (let i = 0; i < 200 && !twiml; i++) {
      twiml = twilio.voice.find((r) => r.path.endsWith(`/Calls/${callSid}.json`) && r.params.has('Twiml'))?.params.get('Twiml') ?? '';
      if (!twiml) await new Promise((r) => setTimeout(r, 50));
    }
    return { callSid, twiml };
  }

  const callIdOf = async (callSid: string): Promise<string> => {
    const all = (await gw.request('GET', '/v1/conversations', { token: await token('sue', 'supervisor') })).body.items as Array<{ interactions: Array<{ id: string; providerRef: string | null }> }>;
    for (const c of all) for (const i of c.interactions ?? []) if (i.providerRef === callSid) return i.id;
    throw new Error(`no call ${callSid}`);
  };

  it('key 2: confirmation TwiML, a callback task assigned to the available agent, dialed through Twilio to the caller’s number; forged hooks 403', async () => {
    const alice = await EventClient.connect(gw.url, await token('alice'));
    clients.push(alice);
    alice.send({ op: 'subscribe', topics: ['agent:alice'], since: '0' });
    await alice.next((f) => f.op === 'subscribed');

    const { callSid, twiml } = await incoming('+14155557201');
    const callId = await callIdOf(callSid);
    const action = urls.url('/webhooks/twilio/voice/queue-choice', { cid: callId });
    const escaped = action.replace(/&/g, '&amp;');
    expect(twiml).toBe(`<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1" timeout="8" action="${escaped}" method="POST">` +
      `<Say>Press 1 &amp; leave a message, or 2.</Say></Gather><Redirect method="POST">${escaped}</Redirect></Response>`);

    const path = action.slice(PUBLIC.length);
    const params = { CallSid: callSid, AccountSid: TWILIO_SID, Digits: '2' };
    // Unsigned by us (another call's id, no sig), or not signed by Twilio: refused before anything happens.
    expect((await twilio.post(gw.url, PUBLIC, `/webhooks/twilio/voice/queue-choice?cid=${callId}`, params)).status).toBe(403);
    expect((await twilio.post(gw.url, PUBLIC, path, params, 'forged')).status).toBe(403);
    expect((await twilio.post(gw.url, PUBLIC, path.replace(callId, 'x'), params)).status).toBe(403);
    expect((await twilio.post(gw.url, PUBLIC, path, { ...params, Digits: 'nine' })).status).toBe(400);

    const chosen = await twilio.post(gw.url, PUBLIC, path, params);
    expect(chosen).toMatchObject({ status: 200, text: CONFIRM });
    // Twilio retrying the action gets the same answer and no second task.
    expect((await twilio.post(gw.url, PUBLIC, path, params)).text).toBe(CONFIRM);
    expect((await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/voice/status', { CallSid: callSid, CallStatus: 'completed', AccountSid: TWILIO_SID })).status).toBe(204);

    const assigned = await alice.next((f) => f.event?.type === 'callback.assigned', 10_000);
    const callbackId = assigned.event.data.callbackId as string;
    const listed = (await gw.request('GET', '/v1/callbacks', { token: await token('sue', 'supervisor') })).body.items;
    expect(listed).toEqual([expect.objectContaining({ id: callbackId, callId, number: '+14155557201', state: 'assigned', agentId: 'alice' })]);
    const timeline = (await gw.request('GET', `/v1/conversations/${assigned.event.conversationId}/timeline`, { token: await token('sue', 'supervisor') })).body.items as Array<{ type: string }>;
    expect(timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['callback_requested', 'callback_assigned']));
    expect(timeline.map((e) => e.type)).not.toContain('voicemail');

    const before = twilio.voice.filter((r) => r.path.endsWith('/Calls.json')).length;
    const dials = await Promise.all(Array.from({ length: 10 }, async () => gw.request('POST', `/v1/callbacks/${callbackId}/dial`, { token: await token('alice') })));
    expect(dials.map((d) => d.status).sort()).toEqual([200, ...Array(9).fill(409)]);
    const created = twilio.voice.filter((r) => r.path.endsWith('/Calls.json')).slice(before);
    expect(created).toHaveLength(1);
    expect(created[0]!.params.get('To')).toBe('+14155557201');
    const won = dials.find((d) => d.status === 200)!.body;
    expect(won.call).toMatchObject({ conversationId: assigned.event.conversationId, to: '+14155557201', agentEndpoint: 'sip:alice@pbx.example', provider: 'twilio' });
  });

  it('key 1: the voicemail TwiML as before; no key (the Redirect) too', async () => {
    for (const digits of [{ Digits: '1' }, {}] as Array<Record<string, string>>) {
      const { callSid } = await incoming(`+1415555${7300 + Object.keys(digits).length}`);
      const callId = await callIdOf(callSid);
      const answer = await twilio.post(gw.url, PUBLIC, urls.url('/webhooks/twilio/voice/queue-choice', { cid: callId }).slice(PUBLIC.length), { CallSid: callSid, AccountSid: TWILIO_SID, ...digits });
      expect(answer.status).toBe(200);
      expect(answer.text).toContain('<Say>Leave a message.</Say><Record ');
      const recordings = (await gw.request('GET', `/v1/calls/${callId}/recordings`, { token: await token('sue', 'supervisor') })).body.items;
      expect(recordings).toEqual([expect.objectContaining({ state: 'recording' })]);
      const tasks = (await gw.request('GET', '/v1/callbacks', { token: await token('sue', 'supervisor') })).body.items as Array<{ callId: string }>;
      expect(tasks.some((t) => t.callId === callId)).toBe(false);
      await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/voice/status', { CallSid: callSid, CallStatus: 'completed', AccountSid: TWILIO_SID });
    }
  });

  it('policy callback: no question, the caller’s leg gets the confirmation at once', async () => {
    const admin = await gw.token({ tenantId: 'acme', agentId: 'root', roles: ['admin'] });
    expect((await gw.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { queueTimeoutOffer: 'callback' } } })).status).toBe(200);
    const { callSid, twiml } = await incoming('+14155557401');
    expect(twiml).toBe(CONFIRM);
    const callId = await callIdOf(callSid);
    const tasks = (await gw.request('GET', '/v1/callbacks', { token: await token('sue', 'supervisor') })).body.items as Array<{ callId: string }>;
    expect(tasks.some((t) => t.callId === callId)).toBe(true);
    await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/voice/status', { CallSid: callSid, CallStatus: 'completed', AccountSid: TWILIO_SID });
  });
});
