import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { BASE_RATE, rms } from '../../src/media/domain/pcm';
import { channelOf, parseWav } from '../../src/media/domain/wav';
import { FakeJambonz, JAMBONZ_ACCOUNT } from '../support/fake-jambonz';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';
const ACME = '+14155550100';
const PROMPT = 'Sorry & goodbye: leave a message.';

/**
 * Queue timeout → voicemail over jambonz: the waiting caller's leg is redirected (live call
 * control, `call_hook`) to the gateway's signed voicemail hook, which answers the prompt, a mono
 * `listen` of the caller to the gateway and a hangup; the listen's audio becomes the recording.
 */
describe('inbound calls over jambonz: queue timeout → voicemail', () => {
  const jambonz = new FakeJambonz();
  const clients: EventClient[] = [];
  let gw: TestGateway;
  let supervisor: string;

  beforeAll(async () => {
    await jambonz.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      media: { recordingsDir: mkdtempSync(join(tmpdir(), 'voicemail-jambonz-')) },
      tenants: [{ id: 'acme', numbers: [ACME], voiceProvider: 'jambonz', queueTimeoutSeconds: 1, voicemailPrompt: PROMPT }],
      providers: jambonz.providers(),
      routing: { ringNoAnswerSweepMs: 100 },
    });
    jambonz.target = { gatewayUrl: gw.url, publicBase: PUBLIC };
    supervisor = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
    await jambonz.stop();
  });

  async function waitingCaller(): Promise<{ sid: string; callId: string; conversationId: string; recordingId: string; feed: EventClient }> {
    const feed = await EventClient.connect(gw.url, supervisor);
    clients.push(feed);
    feed.send({ op: 'subscribe', topics: ['queue'] });
    await feed.next((f) => f.op === 'subscribed');
    const sid = randomUUID();
    jambonz.calls.push({ sid, body: { direction: 'inbound' } }); // the call jambonz holds (so its REST API knows it)
    const incoming = await jambonz.post(gw.url, '/webhooks/jambonz/call/incoming', {
      call_sid: sid, call_id: `${sid}@sbc`, direction: 'inbound', from: '+14155557101', to: ACME, call_status: 'trying', sip_status: 100, account_sid: JAMBONZ_ACCOUNT,
    });
    expect(incoming.status).toBe(200);
    const voicemail = await feed.next((f) => f.event?.type === 'call.voicemail', 10_000);
    return { sid, feed, callId: voicemail.event.interactionId as string, conversationId: voicemail.event.conversationId as string, recordingId: voicemail.event.data.recordingId as string };
  }
  const redirectOf = async (sid: string) => {
    for (let i = 0; i < 100; i++) {
      const found = jambonz.updates.find((u) => u.sid === sid && u.body.call_hook);
      if (found) return found.body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no redirect');
  };

  it('redirects the caller to the prompt and a listen; the message becomes a one-channel recording in the timeline', async () => {
    const { sid, feed, callId, conversationId, recordingId } = await waitingCaller();
    const urls = new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret);
    expect(await redirectOf(sid)).toEqual({
      call_hook: { url: urls.url('/webhooks/jambonz/call/voicemail', { cid: callId, rid: recordingId, prompt: PROMPT, max: '120' }), method: 'POST' },
    });

    // The caller speaks for two seconds and hangs up; jambonz then reports the call completed.
    const left = await jambonz.leaveVoicemail(sid, 2);
    expect(left.verbs).toEqual([
      { verb: 'say', text: PROMPT },
      {
        verb: 'listen', url: urls.url('/webhooks/jambonz/listen', { cid: callId, sid, rid: recordingId }).replace(/^https/, 'wss'),
        mixType: 'mono', sampleRate: 8000, maxLength: 120, playBeep: true, finishOnKey: '#',
        bidirectionalAudio: { enabled: false }, metadata: { callId, recordingId },
      },
      { verb: 'hangup' },
    ]);
    expect(left.listen!.sentFrames).toBe(100);
    expect((await jambonz.post(gw.url, '/webhooks/jambonz/call/status', { call_sid: sid, call_status: 'completed', sip_status: 200, direction: 'inbound' })).status).toBe(204);

    const available = await feed.next((f) => f.event?.type === 'recording.available', 10_000);
    expect(available.event).toMatchObject({ interactionId: callId, data: { recordingId, channels: 1, contentType: 'audio/wav' } });
    const timeline = (await gw.request('GET', `/v1/conversations/${conversationId}/timeline`, { token: supervisor })).body.items as Array<{ type: string; data: Record<string, unknown> }>;
    expect(timeline.find((e) => e.type === 'voicemail')?.data).toEqual({ recordingId, queueTimeoutSeconds: 1 });
    expect(timeline.find((e) => e.type === 'recording_available')?.data).toMatchObject({ recordingId });
    const recordings = (await gw.request('GET', `/v1/calls/${callId}/recordings`, { token: supervisor })).body.items;
    expect(recordings).toEqual([expect.objectContaining({ id: recordingId, state: 'available', durationMs: 2000 })]);
    const res = await fetch(`${gw.url}/v1/recordings/${recordingId}`, { headers: { authorization: `Bearer ${supervisor}` } });
    const wav = parseWav(Buffer.from(await res.arrayBuffer()));
    expect(wav).toMatchObject({ channels: 1, sampleRate: BASE_RATE });
    expect(wav.durationSeconds).toBe(2);
    expect(rms(channelOf(wav, 0))).toBeGreaterThan(1000);
    const call = await gw.request('GET', `/v1/calls/${callId}`, { token: supervisor });
    expect(call.body).toMatchObject({ state: 'ended' });
  });

  it('marks a message the caller never spoke into failed, and refuses a voicemail hook or listen the gateway did not sign', async () => {
    const { sid, callId, recordingId } = await waitingCaller();
    await redirectOf(sid);
    // The caller hangs up at the beep: the listen closes without audio.
    const left = await jambonz.leaveVoicemail(sid, 0);
    expect(left.listen!.sentFrames).toBe(0);
    for (let i = 0; i < 100; i++) {
      const [r] = (await gw.request('GET', `/v1/calls/${callId}/recordings`, { token: supervisor })).body.items;
      if (r?.state === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await gw.request('GET', `/v1/calls/${callId}/recordings`, { token: supervisor })).body.items).toEqual([expect.objectContaining({ id: recordingId, state: 'failed' })]);

    const urls = new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret);
    const hook = urls.url('/webhooks/jambonz/call/voicemail', { cid: callId, rid: recordingId, prompt: PROMPT, max: '120' }).slice(PUBLIC.length);
    // Another prompt in a URL signed for this one: 403; no parameters at all: 400.
    expect((await jambonz.post(gw.url, hook.replace('prompt=', 'prompt=Pay%20us%20'), { call_sid: sid })).status).toBe(403);
    expect((await jambonz.post(gw.url, '/webhooks/jambonz/call/voicemail', { call_sid: sid })).status).toBe(400);
    expect((await jambonz.post(gw.url, hook, {})).status).toBe(400);
  });
});
