import { Writable } from 'node:stream';
import pino from 'pino';
import { SipVoiceProvider } from '../../src/providers/sip/sip.voice';
import { NgClient, parseNgUrl } from '../../src/providers/sip/rtpengine/ng-client';
import type { CallAudioSink } from '../../src/providers/call-media.port';
import type { CallReport } from '../../src/providers/voice-provider.port';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { concat, rms, type Track } from '../../src/media/domain/pcm';
import { channelOf, parseWav } from '../../src/media/domain/wav';
import { describeIfEnv } from '../support/describe-if';
import { AudioClient } from '../support/audio-client';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { eventually, sippUac, sippUas, type Sipp } from '../support/sipp';

/**
 * SIP calls with their media anchored in a real rtpengine (RTPENGINE_URL, its NG socket), through
 * a real drachtio-server of this suite's own (DRACHTIO_MEDIA_HOST/PORT/SECRET/SIP_PORT: it also
 * takes an inbound call, which drachtio-server would hand any app connected to it), with SIPp
 * phones that play 7 s of A-law audio (/usr/share/sip-tester/g711a.pcap). .ci/run starts both;
 * without them the suite is reported as not run. Locally:
 *   eval "$(../shared/tools/drachtio-server/start --admin-port 9041 --sip-port 5280)"
 *   DRACHTIO_MEDIA_HOST=$DRACHTIO_HOST DRACHTIO_MEDIA_PORT=9041 DRACHTIO_MEDIA_SIP_PORT=5280 RTPENGINE_URL=udp://127.0.0.1:22222 npx jest test/integration/sipp-media.spec.ts
 * SIPp: 5281 (agent) and 5282 (customer), RTP from 6281 and 6291.
 */
const describeWithMedia = process.env.DRACHTIO_MEDIA_HOST ? describeIfEnv('RTPENGINE_URL') : describeIfEnv('DRACHTIO_MEDIA_HOST');
const DRACHTIO = {
  host: process.env.DRACHTIO_MEDIA_HOST ?? '', port: Number(process.env.DRACHTIO_MEDIA_PORT ?? 9041), secret: process.env.DRACHTIO_MEDIA_SECRET ?? 'cymru',
};

const SIPP_ADDRESS = '127.0.0.1';
const AGENT_PORT = Number(process.env.SIPP_MEDIA_PORT ?? 5281);
const CUSTOMER_PORT = AGENT_PORT + 1;
const AGENT_RTP = 6281;
const CUSTOMER_RTP = 6291; // SIPp binds four ports from each (audio, video, RTP and RTCP)
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** SIPp as the caller: one call of `scenario` to drachtio-server's SIP port (DRACHTIO_MEDIA_SIP_PORT). */
const sippCaller = (scenario: string, port: number, mediaPort: number): Promise<void> =>
  sippUac(scenario, `127.0.0.1:${process.env.DRACHTIO_MEDIA_SIP_PORT ?? 5280}`, '+14155550100', SIPP_ADDRESS, port, ['-mp', String(mediaPort)]);

/** A sink that keeps what it is given, per track. */
function collector(): CallAudioSink & { frames: Record<Track, Int16Array[]>; ended?: string } {
  const frames: Record<Track, Int16Array[]> = { customer: [], agent: [] };
  const sink = {
    frames,
    ended: undefined as string | undefined,
    frame: (track: Track, samples: Int16Array) => void frames[track].push(samples),
    dtmf: () => undefined,
    end: (reason: string) => void (sink.ended = reason),
  };
  return sink;
}

describeWithMedia('SIP media anchored in rtpengine (real drachtio-server, rtpengine and SIPp phones playing audio)', () => {
  let provider: SipVoiceProvider;
  let ng: NgClient;
  let reports: CallReport[] = [];
  let running: Sipp[] = [];
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _enc, done) => { logs.push(chunk.toString()); done(); } }));

  beforeAll(async () => {
    ng = new NgClient(parseNgUrl(process.env.RTPENGINE_URL!));
    provider = new SipVoiceProvider({
      ...DRACHTIO,
      trunkUri: `sip:${SIPP_ADDRESS}:${CUSTOMER_PORT}`, rtpengine: ng, trunkAddresses: [SIPP_ADDRESS],
    }, logger);
    provider.connect(async (report) => void reports.push(report));
    await eventually(() => provider.check(), 10000);
  });
  afterEach(() => {
    for (const sipp of running) if (sipp.child.exitCode === null) sipp.child.kill();
    running = [];
    reports = [];
  });
  afterAll(async () => {
    await provider?.close();
  });

  /** The facts reported of one call (a report of the previous test's call may land late). */
  const factsOf = (callId: string) => reports.filter((r) => r.callId === callId).map((r) => r.fact);
  const placeCall = async (agentScenario: string, customerScenario: string): Promise<{ callId: string; providerRef: string }> => {
    running = [
      sippUas(agentScenario, SIPP_ADDRESS, AGENT_PORT, { mediaPort: AGENT_RTP }),
      sippUas(customerScenario, SIPP_ADDRESS, CUSTOMER_PORT, { mediaPort: CUSTOMER_RTP }),
    ];
    await sleep(500);
    const callId = `media-${Date.now()}`;
    const handle = await provider.place({
      callId, to: '+14155550123', agentEndpoint: `sip:agent@${SIPP_ADDRESS}:${AGENT_PORT}`, callerId: '+14155550100',
      callbacks: new CallbackUrls('http://localhost', 'a-test-secret-of-32-characters!!'),
    });
    return { callId, providerRef: handle.providerRef };
  };

  it('both phones talk to rtpengine; a subscription brings each track to the gateway at 8000 samples/s, and BYE deletes the call in rtpengine', async () => {
    const handle = await placeCall('media-agent.xml', 'media-customer.xml');
    await eventually(() => expect(factsOf(handle.callId).map((f) => f.kind)).toEqual(['ringing', 'answered']));
    expect(provider.recordingMode).toBe('gateway');
    const sink = collector();
    const stop = await provider.startAudio({ ...handle, refs: {} }, sink);
    const t0 = performance.now();
    await sleep(2000);
    await stop();
    const seconds = (performance.now() - t0) / 1000;
    for (const track of ['customer', 'agent'] as const) {
      const samples = concat(sink.frames[track]);
      expect(Math.abs(samples.length / 8000 - seconds)).toBeLessThan(0.2);
      expect(rms(samples.subarray(4000))).toBeGreaterThan(500); // the pcap's speech, past the playout delay
    }
    // Both phones sent their RTP to rtpengine (its own counters of each leg).
    type Tag = { medias: Array<{ streams: Array<{ stats: { packets: number } }> }>; subscribers: Array<{ tag: string }> };
    const query = await ng.command({ command: 'query', 'call-id': handle.callId }) as { tags: Record<string, Tag> };
    for (const leg of ['agent', 'customer']) expect(query.tags[leg]!.medias[0]!.streams[0]!.stats.packets).toBeGreaterThan(50);
    // Stopped: the gateway's subscriptions are gone, each leg feeds only the other.
    expect(query.tags.agent!.subscribers.map((s) => s.tag)).toEqual(['customer']);
    expect(query.tags.customer!.subscribers.map((s) => s.tag)).toEqual(['agent']);
    await provider.hangup({ ...handle, refs: {} });
    await Promise.all(running.map((s) => s.done));
    await expect(ng.command({ command: 'query', 'call-id': handle.callId })).rejects.toThrow(/Unknown call-ID/i);
  })
  it('keeps the tracks apart (the customer talks, the agent only presses 5: an RFC 4733 event, no audio), and holds and mutes through rtpengine', async () => {
    const handle = await placeCall('media-agent-keys-muted.xml', 'media-customer-held.xml');
    await eventually(() => expect(factsOf(handle.callId).map((f) => f.kind)).toEqual(['ringing', 'answered']));
    const sink = collector();
    const keys: Array<[string, Track]> = [];
    sink.dtmf = (digit: string, track: Track) => void keys.push([digit, track]);
    const stop = await provider.startAudio({ ...handle, refs: {} }, sink);
    await eventually(() => expect(keys).toEqual([['5', 'agent']]), 5000);
    await sleep(300);
    await stop();
    expect(rms(concat(sink.frames.customer).subarray(4000))).toBeGreaterThan(100); // the pcap starts quietly (RMS ≈ 160 in its first second)
    expect(rms(concat(sink.frames.agent))).toBe(0);
    // Hold and resume re-INVITE the customer, mute and unmute the agent, with rtpengine's description
    // (SIPp checks a=rtcp and the direction).
    await provider.hold({ ...handle, refs: {} });
    await provider.resume({ ...handle, refs: {} });
    await provider.mute({ ...handle, refs: {} });
    await provider.unmute({ ...handle, refs: {} });
    await provider.hangup({ ...handle, refs: {} });
    await Promise.all(running.map((s) => s.done));
  });

  it('anchors an inbound call too: the caller and the agent\'s device get rtpengine\'s descriptions, and both tracks come to the gateway', async () => {
    const callId = `inbound-${Date.now()}`;
    let ref = '';
    provider.acceptInbound(async (call) => {
      ref = call.providerRef;
      return { kind: 'accepted', callId, conversationId: 'c1', duplicate: false, greeting: '', holdMusicUrl: null };
    });
    const agent = sippUas('media-inbound-agent.xml', SIPP_ADDRESS, AGENT_PORT, { mediaPort: AGENT_RTP });
    await sleep(300);
    const caller = sippCaller('media-inbound-caller.xml', CUSTOMER_PORT, CUSTOMER_RTP);
    await eventually(() => expect(ref).not.toBe(''));
    const handle = { callId, providerRef: ref, refs: {} };
    await provider.connectAgent(handle, `sip:agent@${SIPP_ADDRESS}:${AGENT_PORT}`, '+14155550100');
    const sink = collector();
    const stop = await provider.startAudio(handle, sink);
    await sleep(1500);
    await stop();
    for (const track of ['customer', 'agent'] as const) expect(rms(concat(sink.frames[track]).subarray(4000))).toBeGreaterThan(100);
    await provider.hangup(handle);
    await Promise.all([agent.done, caller]);
    await expect(ng.command({ command: 'query', 'call-id': callId })).rejects.toThrow(/Unknown call-ID/i);
  });

  it('relays the customer\'s re-INVITEs (a refresh, a hold, its media moving) through rtpengine: the agent only ever sees rtpengine', async () => {
    const handle = await placeCall('media-agent-relay.xml', 'media-customer-reinvites.xml');
    await Promise.all(running.map((s) => s.done));
    await eventually(() => expect(factsOf(handle.callId)).toEqual([{ kind: 'ringing' }, { kind: 'answered' }, { kind: 'ended', reason: 'completed' }]));
    expect(logs.filter((line) => line.includes(handle.providerRef) && line.includes('re-INVITE relayed')).length).toBe(2);
    await expect(ng.command({ command: 'query', 'call-id': handle.callId })).rejects.toThrow(/Unknown call-ID/i);
  });
});

describeWithMedia('SIP calls through the gateway: recording and live audio from rtpengine', () => {
  let gw: TestGateway;
  let alice: string;
  let quinn: string;
  const clients: AudioClient[] = [];
  let running: Sipp[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [
        { id: 'sipco', numbers: ['+14155550100'], voiceProvider: 'sip', recordCalls: 'on-demand', pauseBehavior: 'skip' },
        { id: 'quietco', numbers: ['+14155550101'], voiceProvider: 'sip', recordCalls: 'on-demand', pauseBehavior: 'silence' },
      ],
      providers: {
        drachtio: DRACHTIO,
        sipTrunkUri: `sip:${SIPP_ADDRESS}:${CUSTOMER_PORT}`,
        rtpengineUrl: process.env.RTPENGINE_URL!,
      },
    });
    alice = await gw.token({ tenantId: 'sipco', agentId: 'alice' });
    quinn = await gw.token({ tenantId: 'quietco', agentId: 'quinn' });
    for (let i = 0; i < 100 && (await gw.request('GET', '/health/ready', { token: null })).status !== 200; i++) await sleep(100);
  });
  afterEach(() => {
    for (const sipp of running) if (sipp.child.exitCode === null) sipp.child.kill();
    running = [];
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw?.close();
  });

  const record = (id: string, action: string, token = alice) => gw.request('POST', `/v1/calls/${id}/recording`, { token, body: { action } });
  /** Places a call of `token`'s agent with SIPp playing the two phones; its id once answered. */
  const answeredCall = async (token: string, agentScenario: string, customerScenario: string): Promise<string> => {
    running = [
      sippUas(agentScenario, SIPP_ADDRESS, AGENT_PORT, { mediaPort: AGENT_RTP }),
      sippUas(customerScenario, SIPP_ADDRESS, CUSTOMER_PORT, { mediaPort: CUSTOMER_RTP }),
    ];
    await sleep(500);
    const conv = (await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: '+14155550123' } } })).body;
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: `sip:agent@${SIPP_ADDRESS}:${AGENT_PORT}` } });
    if (placed.status !== 202) throw new Error(`placing the call: ${placed.status} ${JSON.stringify(placed.body)}`);
    const id = placed.body.id as string;
    await eventually(async () => expect((await gw.request('GET', `/v1/calls/${id}`, { token })).body.state).toBe('answered'));
    return id;
  };

  it('streams each track at 8000 samples/s to GET /v1/calls/:id/audio, and records the call with a skipped pause into a two-channel WAV', async () => {
    const id = await answeredCall(alice, 'media-agent.xml', 'media-customer.xml');

    // Live audio: 8 kHz × 2 bytes = 16 bytes per ms of each track, and the phones' speech in it.
    const client = await AudioClient.connect(gw.url, id, alice);
    clients.push(client);
    await client.until(() => client.json.length > 0, 'the start frame');
    expect(client.json[0]).toMatchObject({ event: 'start', callId: id, provider: 'sip', tracks: ['customer', 'agent'], sampleRate: 8000 });
    await client.until(() => client.audio.filter((a) => a.channel === 'agent').length >= 50, 'a second of audio');
    for (const track of ['customer', 'agent'] as const) {
      const frames = client.audio.filter((a) => a.channel === track).slice(0, 50);
      const covered = frames.at(-1)!.timestampMs + 20 - frames[0]!.timestampMs;
      expect(Math.abs(covered - 1000)).toBeLessThanOrEqual(40);
      expect(frames.reduce((sum, f) => sum + f.pcm.length, 0)).toBe(16_000);
      const pcm = Buffer.concat(frames.slice(10).map((f) => f.pcm));
      // The pcap starts quietly (RMS ≈ 160 over its first second, 8 in its silences); the gateway's own filler is 0.
      expect(rms(new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2))).toBeGreaterThan(100);
    }
    client.close();

    // Recording with a pause in the middle, left out of the file (skip).
    expect((await record(id, 'start')).status).toBe(200);
    const t0 = performance.now();
    await sleep(1000);
    expect((await record(id, 'pause')).body.state).toBe('paused');
    const tPause = performance.now();
    await sleep(1000);
    expect((await record(id, 'resume')).body.state).toBe('recording');
    const tResume = performance.now();
    await sleep(1000);
    const stopped = await record(id, 'stop');
    const t1 = performance.now();
    expect(stopped.body).toMatchObject({ state: 'available', contentType: 'audio/wav', channels: 2 });
    const res = await fetch(gw.url + stopped.body.href, { headers: { authorization: `Bearer ${alice}` } });
    const wav = parseWav(Buffer.from(await res.arrayBuffer()));
    expect(wav).toMatchObject({ channels: 2, sampleRate: 8000, bitsPerSample: 16 });
    expect(Math.abs(wav.durationSeconds - (t1 - t0 - (tResume - tPause)) / 1000)).toBeLessThanOrEqual(0.5);
    for (const channel of [0, 1]) expect(rms(channelOf(wav, channel).subarray(800, 8000 * Math.floor(wav.durationSeconds)))).toBeGreaterThan(500);

    await gw.request('POST', `/v1/calls/${id}/hangup`, { token: alice });
    await Promise.all(running.map((s) => s.done));
  }, 30_000);

  it('puts the customer on the left and the agent on the right, and keeps a paused span as silence (pauseBehavior silence)', async () => {
    // The customer talks; the agent says nothing (it only presses 5, an RFC 4733 event).
    const id = await answeredCall(quinn, 'media-agent-keys.xml', 'media-customer.xml');
    expect((await record(id, 'start', quinn)).status).toBe(200);
    const t0 = performance.now();
    await sleep(1000);
    await record(id, 'pause', quinn);
    const tPause = performance.now();
    await sleep(1000);
    await record(id, 'resume', quinn);
    const tResume = performance.now();
    await sleep(1000);
    const stopped = (await record(id, 'stop', quinn)).body;
    const t1 = performance.now();
    const res = await fetch(gw.url + stopped.href, { headers: { authorization: `Bearer ${quinn}` } });
    const wav = parseWav(Buffer.from(await res.arrayBuffer()));
    expect(wav.channels).toBe(2);
    expect(Math.abs(wav.durationSeconds - (t1 - t0) / 1000)).toBeLessThanOrEqual(0.5);
    const level = (channel: number, from: number, to: number) => rms(channelOf(wav, channel).subarray(Math.floor(from * 8000), Math.floor(to * 8000)));
    const [pausedFrom, pausedTo] = [(tPause - t0) / 1000, (tResume - t0) / 1000];
    expect(level(0, 0.1, pausedFrom - 0.1)).toBeGreaterThan(100);
    expect(level(0, pausedFrom + 0.15, pausedTo - 0.15)).toBe(0);
    expect(level(0, pausedTo + 0.15, wav.durationSeconds - 0.1)).toBeGreaterThan(500);
    expect(level(1, 0, wav.durationSeconds)).toBe(0);
    await gw.request('POST', `/v1/calls/${id}/hangup`, { token: quinn });
    await Promise.all(running.map((s) => s.done));
  }, 30_000);
});
