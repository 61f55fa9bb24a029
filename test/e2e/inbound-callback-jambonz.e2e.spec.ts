import { randomUUID } from 'node:crypto';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { FakeJambonz, JAMBONZ_ACCOUNT } from '../support/fake-jambonz';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';
const ACME = '+14155550100';
const QUESTION = 'Press 1 & leave a message, or 2.';
const CONFIRM = 'We will call you & soon.';

/**
 * Queue timeout → callback over jambonz: the waiting caller's leg is redirected to the gateway's
 * signed question hook (a `gather` of one key), whose signed actionHook gets the key: 2 a
 * callback (say + hangup, a task for the available agent, dialed through jambonz), 1 voicemail.
 */
describe('inbound calls over jambonz: queue timeout → callback', () => {
  const jambonz = new FakeJambonz();
  const clients: EventClient[] = [];
  let gw: TestGateway;
  let urls: CallbackUrls;
  const token = (agentId: string, role: 'agent' | 'supervisor' | 'admin' = 'agent') => gw.token({ tenantId: 'acme', agentId, roles: [role] });

  beforeAll(async () => {
    await jambonz.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      tenants: [{
        id: 'acme', numbers: [ACME], voiceProvider: 'jambonz', queueTimeoutSeconds: 1, queueTimeoutOffer: 'choice',
        queueChoicePrompt: QUESTION, callbackPrompt: CONFIRM, voicemailPrompt: 'Leave a message.', agents: [{ id: 'alice', endpoint: 'sip:alice@pbx.example' }],
      }],
      providers: jambonz.providers(),
      routing: { ringNoAnswerSweepMs: 100 },
    });
    jambonz.target = { gatewayUrl: gw.url, publicBase: PUBLIC };
    urls = new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
    await jambonz.stop();
  });

  async function waitingCaller(from: string): Promise<{ sid: string; callId: string; hook: string }> {
    const sid = randomUUID();
    jambonz.calls.push({ sid, body: { direction: 'inbound' } });
    const incoming = await jambonz.post(gw.url, '/webhooks/jambonz/call/incoming', {
      call_sid: sid, call_id: `${sid}@sbc`, direction: 'inbound', from, to: ACME, call_status: 'trying', sip_status: 100, account_sid: JAMBONZ_ACCOUNT,
    });
    expect(incoming.status).toBe(200);
    for (let i = 0; i < 200; i++) {
      const found = jambonz.updates.find((u) => u.sid === sid && u.body.call_hook);
      if (found) {
        const hook = (found.body.call_hook as { url: string }).url;
        return { sid, hook, callId: new URL(hook).searchParams.get('cid')! };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no redirect');
  }

  it('key 2: the gather, then say + hangup; a callback task assigned to the available agent and dialed through jambonz; forged hooks 403', async () => {
    const alice = await EventClient.connect(gw.url, await token('alice'));
    clients.push(alice);
    alice.send({ op: 'subscribe', topics: ['agent:alice'], since: '0' });
    await alice.next((f) => f.op === 'subscribed');

    const { sid, hook, callId } = await waitingCaller('+14155557501');
    expect(hook).toBe(urls.url('/webhooks/jambonz/call/queue-choice', { cid: callId, prompt: QUESTION }));
    const asked = await jambonz.post(gw.url, hook.slice(PUBLIC.length), { call_sid: sid, direction: 'inbound', call_status: 'in-progress' });
    const digitsHook = urls.url('/webhooks/jambonz/call/queue-choice/digits', { cid: callId });
    expect(JSON.parse(asked.text)).toEqual([{
      verb: 'gather', input: ['digits'], numDigits: 1, timeout: 8, actionHook: { url: digitsHook, method: 'POST' }, say: { text: QUESTION },
    }]);

    const path = digitsHook.slice(PUBLIC.length);
    const body = { call_sid: sid, digits: '2', reason: 'dtmfDetected' };
    expect((await jambonz.post(gw.url, `/webhooks/jambonz/call/queue-choice/digits?cid=${callId}`, body)).status).toBe(403);
    expect((await jambonz.post(gw.url, path, body, { signature: 't=1,v1=00' })).status).toBe(403);
    expect((await jambonz.post(gw.url, path, body, { secret: 'not-the-secret' })).status).toBe(403);
    expect((await jambonz.post(gw.url, path, { ...body, digits: 2 })).status).toBe(400);
    expect((await jambonz.post(gw.url, path, { ...body, call_sid: null })).status).toBe(400);
    expect((await jambonz.post(gw.url, '/webhooks/jambonz/call/queue-choice/digits', body)).status).toBe(400);

    const chosen = await jambonz.post(gw.url, path, body);
    expect(chosen.status).toBe(200);
    expect(JSON.parse(chosen.text)).toEqual([{ verb: 'say', text: CONFIRM }, { verb: 'hangup' }]);
    await jambonz.post(gw.url, urls.url('/webhooks/jambonz/call/status', { cid: callId }).slice(PUBLIC.length), { call_sid: sid, call_status: 'completed', sip_status: 200 });

    const assigned = await alice.next((f) => f.event?.type === 'callback.assigned', 10_000);
    const callbackId = assigned.event.data.callbackId as string;
    const tasks = (await gw.request('GET', '/v1/callbacks?state=assigned', { token: await token('alice') })).body.items;
    expect(tasks).toEqual([expect.objectContaining({ id: callbackId, callId, number: '+14155557501', agentId: 'alice' })]);

    const before = jambonz.calls.length;
    const dials = await Promise.all(Array.from({ length: 10 }, async () => gw.request('POST', `/v1/callbacks/${callbackId}/dial`, { token: await token('alice') })));
    expect(dials.map((d) => d.status).sort()).toEqual([200, ...Array(9).fill(409)]);
    const created = jambonz.calls.slice(before);
    expect(created).toHaveLength(1);
    expect(created[0]!.body.to).toEqual({ type: 'phone', number: '+14155557501' });
    expect(dials.find((d) => d.status === 200)!.body.call).toMatchObject({ conversationId: assigned.event.conversationId, to: '+14155557501', agentEndpoint: 'sip:alice@pbx.example' });
  });

  it('key 1 or none: the voicemail verbs as before, no callback task', async () => {
    for (const digits of [{ digits: '1', reason: 'dtmfDetected' }, { reason: 'timeout' }]) {
      const { sid, callId } = await waitingCaller(`+1415555${7600 + Object.keys(digits).length}`);
      const answer = await jambonz.post(gw.url, urls.url('/webhooks/jambonz/call/queue-choice/digits', { cid: callId }).slice(PUBLIC.length), { call_sid: sid, ...digits });
      expect(answer.status).toBe(200);
      const verbs = JSON.parse(answer.text) as Array<{ verb: string; text?: string }>;
      expect(verbs.map((v) => v.verb)).toEqual(['say', 'listen', 'hangup']);
      expect(verbs[0]!.text).toBe('Leave a message.');
      const tasks = (await gw.request('GET', '/v1/callbacks', { token: await token('sue', 'supervisor') })).body.items as Array<{ callId: string }>;
      expect(tasks.some((t) => t.callId === callId)).toBe(false);
    }
  });

  it('policy callback: the caller’s leg goes to the confirmation hook at once', async () => {
    const admin = await token('root', 'admin');
    expect((await gw.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { queueTimeoutOffer: 'callback' } } })).status).toBe(200);
    const { sid, hook, callId } = await waitingCaller('+14155557701');
    expect(hook).toBe(urls.url('/webhooks/jambonz/call/callback-confirm', { cid: callId, prompt: CONFIRM }));
    const verbs = await jambonz.post(gw.url, hook.slice(PUBLIC.length), { call_sid: sid, call_status: 'in-progress' });
    expect(JSON.parse(verbs.text)).toEqual([{ verb: 'say', text: CONFIRM }, { verb: 'hangup' }]);
    const tasks = (await gw.request('GET', '/v1/callbacks?state=pending', { token: await token('sue', 'supervisor') })).body.items as Array<{ callId: string }>;
    const all = (await gw.request('GET', '/v1/callbacks', { token: await token('sue', 'supervisor') })).body.items as Array<{ callId: string }>;
    expect([...tasks, ...all].some((t) => t.callId === callId)).toBe(true);
  });
});
