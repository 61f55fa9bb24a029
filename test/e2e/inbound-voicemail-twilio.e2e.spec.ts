import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { BASE_RATE, rms } from '../../src/media/domain/pcm';
import { channelOf, parseWav } from '../../src/media/domain/wav';
import { hex, TWILIO_SID } from '../support/fake-twilio';
import { FakeTwilioMedia } from '../support/fake-twilio-media';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';
const ACME = '+14155550100';

/**
 * Queue timeout → voicemail over Twilio: the waiting caller's leg is redirected (Calls update with
 * TwiML) to the prompt and `<Record>`, whose signed recording status callback brings the message.
 */
describe('inbound calls over Twilio: queue timeout → voicemail', () => {
  const twilio = new FakeTwilioMedia();
  const clients: EventClient[] = [];
  let gw: TestGateway;
  let supervisor: string;

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      media: { recordingsDir: mkdtempSync(join(tmpdir(), 'voicemail-twilio-')) },
      tenants: [{ id: 'acme', numbers: [ACME], voiceProvider: 'twilio', queueTimeoutSeconds: 1, voicemailPrompt: 'Sorry & goodbye: leave a message.' }],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: 'fake-twilio-auth-token-0123456789', apiBaseUrl: twilio.url } },
      routing: { ringNoAnswerSweepMs: 100 },
    });
    twilio.target = { gatewayUrl: gw.url, publicBase: PUBLIC };
    supervisor = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
    await twilio.stop();
  });

  it('redirects the caller to the prompt and <Record>; the reported message becomes a recording in the timeline; Twilio hangs up after it', async () => {
    const feed = await EventClient.connect(gw.url, supervisor);
    clients.push(feed);
    feed.send({ op: 'subscribe', topics: ['queue'] });
    await feed.next((f) => f.op === 'subscribed');

    const callSid = `CA${hex()}`;
    const answer = await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/voice/incoming', {
      CallSid: callSid, AccountSid: TWILIO_SID, From: '+14155557101', To: ACME, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01',
    });
    expect(answer.status).toBe(200);
    const voicemail = await feed.next((f) => f.event?.type === 'call.voicemail', 10_000);
    const callId = voicemail.event.interactionId as string;
    const conversationId = voicemail.event.conversationId as string;
    const recordingId = voicemail.event.data.recordingId as string;

    // The caller's leg got the prompt and <Record>, bound to our recording by signed URLs.
    let twiml = '';
    for (let i = 0; i < 100 && !twiml; i++) {
      twiml = twilio.voice.find((r) => r.path.endsWith(`/Calls/${callSid}.json`) && r.params.has('Twiml'))?.params.get('Twiml') ?? '';
      if (!twiml) await new Promise((r) => setTimeout(r, 50));
    }
    const urls = new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret);
    const status = urls.url('/webhooks/twilio/recording/status', { rid: recordingId }).replace(/&/g, '&amp;');
    const done = urls.url('/webhooks/twilio/voice/voicemail-done', { rid: recordingId }).replace(/&/g, '&amp;');
    expect(twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say>Sorry &amp; goodbye: leave a message.</Say>' +
      `<Record action="${done}" method="POST" maxLength="120" playBeep="true" trim="trim-silence" ` +
      `recordingStatusCallback="${status}" recordingStatusCallbackMethod="POST" recordingStatusCallbackEvent="completed absent"/></Response>`);

    // The caller speaks for two seconds and hangs up: Twilio reports the recording, then asks the action, which hangs up.
    const left = await twilio.leaveVoicemail(callSid, 2);
    expect(twilio.callbackAnswers).toEqual([204]);
    expect(left.action).toMatchObject({ status: 200, text: '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>' });
    expect((await twilio.post(gw.url, PUBLIC, '/webhooks/twilio/voice/status', { CallSid: callSid, CallStatus: 'completed', AccountSid: TWILIO_SID })).status).toBe(204);

    const available = await feed.next((f) => f.event?.type === 'recording.available', 10_000);
    expect(available.event).toMatchObject({ interactionId: callId, data: { recordingId, channels: 1, contentType: 'audio/wav' } });
    const timeline = (await gw.request('GET', `/v1/conversations/${conversationId}/timeline`, { token: supervisor })).body.items as Array<{ type: string; data: Record<string, unknown> }>;
    expect(timeline.find((e) => e.type === 'voicemail')?.data).toEqual({ recordingId, queueTimeoutSeconds: 1 });
    expect(timeline.find((e) => e.type === 'recording_available')?.data).toMatchObject({ recordingId });
    const recordings = (await gw.request('GET', `/v1/calls/${callId}/recordings`, { token: supervisor })).body.items;
    expect(recordings).toEqual([expect.objectContaining({ id: recordingId, state: 'available' })]);
    const res = await fetch(`${gw.url}/v1/recordings/${recordingId}`, { headers: { authorization: `Bearer ${supervisor}` } });
    const wav = parseWav(Buffer.from(await res.arrayBuffer()));
    expect(wav).toMatchObject({ channels: 1, sampleRate: BASE_RATE });
    expect(Math.round(wav.durationSeconds)).toBe(2);
    expect(rms(channelOf(wav, 0))).toBeGreaterThan(1000);

    // A report of the same recording under another RecordingSid is not ours: it changes nothing.
    const again = await twilio.post(gw.url, PUBLIC, urls.url('/webhooks/twilio/recording/status', { rid: recordingId }).slice(PUBLIC.length), {
      AccountSid: TWILIO_SID, CallSid: callSid, RecordingSid: `RE${hex()}`, RecordingUrl: `${twilio.url}/2010-04-01/Accounts/${TWILIO_SID}/Recordings/RE${hex()}`,
      RecordingStatus: 'completed', RecordingDuration: '2', RecordingChannels: '1', RecordingSource: 'RecordVerb', ErrorCode: '0',
    });
    expect(again.status).toBe(204);
    const call = await gw.request('GET', `/v1/calls/${callId}`, { token: supervisor });
    expect(call.body).toMatchObject({ state: 'ended' });
  });
});
