import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { channelOf, parseWav } from '../../src/media/domain/wav';
import { rms } from '../../src/media/domain/pcm';
import { AudioClient } from '../support/audio-client';
import { FakeTwilioMedia } from '../support/fake-twilio-media';
import { hex, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';

const PUBLIC = 'https://gateway.example.com';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('recording and live audio over Twilio (Recordings, Media Streams)', () => {
  const twilio = new FakeTwilioMedia();
  let gw: TestGateway;
  let alice: string;
  let sam: string;
  const clients: Array<{ close(): void }> = [];

  beforeAll(async () => {
    await twilio.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      media: { recordingsDir: mkdtempSync(join(tmpdir(), 'recordings-')) },
      tenants: [
        { id: 'acme', numbers: ['+14155550100'], recordCalls: 'on-demand', pauseBehavior: 'silence' },
        { id: 'skipco', numbers: ['+14155550200'], recordCalls: 'on-demand', pauseBehavior: 'skip' },
      ],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: twilio.url } },
    });
    twilio.target = { gatewayUrl: gw.url, publicBase: PUBLIC };
    alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    sam = await gw.token({ tenantId: 'skipco', agentId: 'sam' });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
    await twilio.stop();
  });

  const signed = (path: string, params: Record<string, string>) => new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url(path, params);
  let n = 0;
  /** A call placed through Twilio and answered (Twilio's signed status callback). */
  async function answeredCall(token: string): Promise<{ id: string; callSid: string }> {
    const conv = (await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: `+1415555${String(4000 + ++n)}` } } })).body;
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: 'sip:1001@pbx.example' } });
    const id = placed.body.id as string;
    const callSid = (await gw.request('GET', `/v1/calls/${id}`, { token })).body.providerRef as string;
    const answered = await twilio.post(gw.url, PUBLIC, signed('/webhooks/twilio/voice/status', { cid: id }).slice(PUBLIC.length), {
      CallSid: callSid, CallStatus: 'in-progress', AccountSid: TWILIO_SID, To: '+14155552671', From: '+14155550100', Direction: 'outbound-api', ApiVersion: '2010-04-01',
    });
    expect(answered.status).toBe(204);
    return { id, callSid };
  }
  const record = (id: string, action: string, token = alice) => gw.request('POST', `/v1/calls/${id}/recording`, { token, body: { action } });
  const lastVoice = (pathEnd: string) => [...twilio.voice].reverse().find((r) => r.path.endsWith(pathEnd))!;
  async function availableRecording(id: string, token: string): Promise<{ id: string; href: string; durationMs: number }> {
    for (;;) {
      const [r] = (await gw.request('GET', `/v1/calls/${id}/recordings`, { token })).body.items;
      if (r?.state === 'available') return r;
      await sleep(20);
    }
  }
  const download = async (href: string, token: string) => Buffer.from(await (await fetch(gw.url + href, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer());

  it('starts, pauses, resumes and stops a dual-channel Twilio recording, then fetches and serves its WAV', async () => {
    const call = await answeredCall(alice);
    const started = await record(call.id, 'start');
    expect(started.status).toBe(200);
    const create = lastVoice('/Recordings.json');
    expect(create.path).toBe(`/2010-04-01/Accounts/${TWILIO_SID}/Calls/${call.callSid}/Recordings.json`);
    expect(create.params.get('RecordingChannels')).toBe('dual');
    expect(create.params.getAll('RecordingStatusCallbackEvent')).toEqual(['completed', 'absent']);
    expect(create.params.get('RecordingStatusCallback')).toBe(signed('/webhooks/twilio/recording/status', { rid: started.body.id }));
    const [fake] = [...twilio.recordings.values()].filter((r) => r.callSid === call.callSid);

    await sleep(1000);
    expect((await record(call.id, 'pause')).body.state).toBe('paused');
    const pause = lastVoice(`/Recordings/${fake!.sid}.json`);
    expect([pause.params.get('Status'), pause.params.get('PauseBehavior')]).toEqual(['paused', 'silence']);
    await sleep(1000);
    await record(call.id, 'resume');
    expect(lastVoice(`/Recordings/${fake!.sid}.json`).params.get('Status')).toBe('in-progress');
    await sleep(1000);
    expect((await record(call.id, 'stop')).body.state).toBe('stopped');
    expect(lastVoice(`/Recordings/${fake!.sid}.json`).params.get('Status')).toBe('stopped');

    const done = await availableRecording(call.id, alice);
    expect(twilio.callbackAnswers).toContain(204);
    // The audio was fetched with the account's credentials, from the recording's own resource.
    expect(twilio.requests.filter((r) => r.method === 'GET' && r.path.includes('/Recordings/RE'))).toEqual([
      { method: 'GET', path: `/2010-04-01/Accounts/${TWILIO_SID}/Recordings/${fake!.sid}.wav`, authorized: true },
    ]);
    const wav = parseWav(await download(done.href, alice));
    expect(wav.channels).toBe(2);
    expect(Math.abs(wav.durationSeconds - twilio.recordedSeconds(fake!))).toBeLessThanOrEqual(0.01);
    expect(Math.abs(wav.durationSeconds - 3)).toBeLessThanOrEqual(0.5);
    expect(done.durationMs).toBe(Math.round(wav.durationSeconds * 1000));
    const pausedFrom = (fake!.pauses[0]!.from - fake!.startedAt) / 1000;
    const pausedTo = (fake!.pauses[0]!.to! - fake!.startedAt) / 1000;
    for (const ch of [0, 1]) {
      const samples = channelOf(wav, ch);
      expect(rms(samples.subarray(800, Math.floor(pausedFrom * 8000) - 800))).toBeGreaterThan(3000);
      expect(rms(samples.subarray(Math.floor(pausedFrom * 8000) + 800, Math.floor(pausedTo * 8000) - 800))).toBe(0);
    }

    // The same callback again changes nothing; a callback naming another recording's id is refused or ignored.
    const replay = { AccountSid: TWILIO_SID, CallSid: call.callSid, RecordingSid: fake!.sid, RecordingUrl: `${twilio.url}/2010-04-01/Accounts/${TWILIO_SID}/Recordings/${fake!.sid}`, RecordingStatus: 'completed' };
    expect((await twilio.post(gw.url, PUBLIC, create.params.get('RecordingStatusCallback')!.slice(PUBLIC.length), replay)).status).toBe(204);
    expect((await twilio.post(gw.url, PUBLIC, `/webhooks/twilio/recording/status?rid=${done.id}`, replay)).status).toBe(403);
    expect((await twilio.post(gw.url, PUBLIC, signed('/webhooks/twilio/recording/status', { rid: 'someone-else' }).slice(PUBLIC.length), replay)).status).toBe(204);
    expect((await twilio.post(gw.url, PUBLIC, create.params.get('RecordingStatusCallback')!.slice(PUBLIC.length), replay, 'forged')).status).toBe(403);
    expect(twilio.requests.filter((r) => r.method === 'GET' && r.path.includes('/Recordings/RE'))).toHaveLength(1);
  });

  it('asks Twilio to skip a paused span for a skip tenant, and never fetches a recording URL that is not the recording’s own', async () => {
    const call = await answeredCall(sam);
    const started = await record(call.id, 'start', sam);
    await sleep(300);
    await record(call.id, 'pause', sam);
    const fake = [...twilio.recordings.values()].find((r) => r.callSid === call.callSid)!;
    expect(lastVoice(`/Recordings/${fake.sid}.json`).params.get('PauseBehavior')).toBe('skip');
    await sleep(600);
    await record(call.id, 'resume', sam);
    await sleep(300);

    // A signed callback for this recording whose URL points elsewhere: nothing is fetched (422), Twilio would retry.
    const callback = signed('/webhooks/twilio/recording/status', { rid: started.body.id }).slice(PUBLIC.length);
    const before = twilio.requests.length;
    for (const url of ['https://evil.example/steal', `${twilio.url}/2010-04-01/Accounts/${TWILIO_SID}/Recordings/RE${hex()}`, `${twilio.url}/2010-04-01/Accounts/${TWILIO_SID}/Calls.json`]) {
      const refused = await twilio.post(gw.url, PUBLIC, callback, { AccountSid: TWILIO_SID, CallSid: call.callSid, RecordingSid: fake.sid, RecordingUrl: url, RecordingStatus: 'completed' });
      expect(refused.status).toBe(422);
    }
    expect(twilio.requests.length).toBe(before);

    // The call ends: Twilio stops the recording with it and reports it.
    await twilio.post(gw.url, PUBLIC, signed('/webhooks/twilio/voice/status', { cid: call.id }).slice(PUBLIC.length), {
      CallSid: call.callSid, CallStatus: 'completed', AccountSid: TWILIO_SID, To: '+14155552671', From: '+14155550200', Direction: 'outbound-api', ApiVersion: '2010-04-01',
    });
    twilio.endCall(call.callSid);
    const done = await availableRecording(call.id, sam);
    const wav = parseWav(await download(done.href, sam));
    const total = (fake.stoppedAt! - fake.startedAt) / 1000;
    const paused = (fake.pauses[0]!.to! - fake.pauses[0]!.from) / 1000;
    expect(Math.abs(wav.durationSeconds - (total - paused))).toBeLessThanOrEqual(0.5);
    expect(rms(channelOf(wav, 0))).toBeGreaterThan(3000);
  });

  it('streams a call’s audio from Twilio Media Streams to a client as 16-bit PCM, with DTMF, and stops with the stream', async () => {
    const call = await answeredCall(alice);
    const client = await AudioClient.connect(gw.url, call.id, alice);
    clients.push(client);
    await client.until(() => client.json.length > 0, 'start');
    expect(client.json[0]).toMatchObject({ event: 'start', provider: 'twilio', sampleRate: 8000, encoding: 'pcm_s16le' });
    // The gateway asked Twilio for a stream of both tracks, bound to the call by signed custom parameters.
    let create;
    while (!(create = [...twilio.voice].reverse().find((r) => r.path.endsWith('/Streams.json')))) await sleep(10);
    expect(create.path).toBe(`/2010-04-01/Accounts/${TWILIO_SID}/Calls/${call.callSid}/Streams.json`);
    expect(create.params.get('Url')).toBe('wss://gateway.example.com/webhooks/twilio/media-stream');
    expect(create.params.get('Track')).toBe('both_tracks');
    const binding = new URL(signed('/webhooks/twilio/media-stream', { cid: call.id }));
    expect([create.params.get('Parameter1.Name'), create.params.get('Parameter1.Value')]).toEqual(['cid', call.id]);
    expect([create.params.get('Parameter2.Name'), create.params.get('Parameter2.Value')]).toEqual(['sig', binding.searchParams.get('sig')]);
    const streamSid = [...twilio.streams.values()].find((s) => s.callSid === call.callSid)!.sid;

    // Only Twilio's signature opens the socket; only the gateway's binding feeds a call.
    await expect(twilio.streamAudio(streamSid, gw.url, PUBLIC, { frames: 1, signature: 'forged' })).rejects.toMatchObject({ status: 403 });
    const tampered = new WebSocket(`${gw.url.replace(/^http/, 'ws')}/webhooks/twilio/media-stream`, {
      headers: { 'x-twilio-signature': getExpectedTwilioSignature(TWILIO_TOKEN, 'wss://gateway.example.com/webhooks/twilio/media-stream', {}) },
    });
    await new Promise((resolve) => tampered.once('open', resolve));
    tampered.send(JSON.stringify({ event: 'start', start: { customParameters: { cid: call.id, sig: 'not-ours' } } }));
    const closed = await new Promise<number>((resolve) => tampered.once('close', (code) => resolve(code)));
    expect(closed).toBe(1008);

    await twilio.streamAudio(streamSid, gw.url, PUBLIC, { frames: 50, dtmf: '7' });
    await client.until(() => client.closed !== undefined, 'the end of the stream');
    // One second of μ-law per track became one second of 16-bit PCM: 16,000 bytes per track at 8 kHz.
    expect(client.bytes('customer')).toBe(16_000);
    expect(client.bytes('agent')).toBe(16_000);
    const customer = client.audio.filter((a) => a.channel === 'customer');
    expect(customer.map((f) => f.timestampMs).slice(0, 3)).toEqual([0, 20, 40]);
    const pcm = customer[10]!.pcm;
    expect(rms(new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length)))).toBeGreaterThan(3000);
    expect(client.json.find((f) => f.event === 'dtmf')).toMatchObject({ track: 'customer', digit: '7' });
    expect(client.json.at(-1)).toMatchObject({ event: 'stop', reason: 'the provider stopped the stream' });
  });
});
