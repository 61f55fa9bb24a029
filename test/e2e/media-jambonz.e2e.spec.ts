import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import { channelOf, parseWav } from '../../src/media/domain/wav';
import { rms } from '../../src/media/domain/pcm';
import { AudioClient } from '../support/audio-client';
import { FakeJambonz, JAMBONZ_ACCOUNT } from '../support/fake-jambonz';
import { AGENT_HZ, CUSTOMER_HZ, FakeListen } from '../support/fake-jambonz-listen';
import { startTestGateway, type TestGateway } from '../support/gateway';

const PUBLIC = 'https://gateway.example.com';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sign changes per second: twice a tone's frequency. */
function crossingsPerSecond(samples: Int16Array): number {
  let n = 0;
  for (let i = 1; i < samples.length; i++) if ((samples[i - 1]! < 0) !== (samples[i]! < 0)) n += 1;
  return (n / samples.length) * 8000;
}

describe('recording and live audio over jambonz (listen)', () => {
  const jambonz = new FakeJambonz();
  let gw: TestGateway;
  let alice: string;
  let sam: string;
  const clients: Array<{ close(): void }> = [];

  beforeAll(async () => {
    await jambonz.start();
    gw = await startTestGateway({
      http: { publicBaseUrl: PUBLIC },
      media: { recordingsDir: mkdtempSync(join(tmpdir(), 'recordings-jambonz-')) },
      tenants: [
        { id: 'acme', numbers: ['+14155550100'], voiceProvider: 'jambonz', recordCalls: 'on-demand', pauseBehavior: 'silence' },
        { id: 'skipco', numbers: ['+14155550200'], voiceProvider: 'jambonz', recordCalls: 'on-demand', pauseBehavior: 'skip' },
      ],
      providers: jambonz.providers(),
    });
    jambonz.target = { gatewayUrl: gw.url, publicBase: PUBLIC };
    alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    sam = await gw.token({ tenantId: 'skipco', agentId: 'sam' });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const l of jambonz.listens) await l.close();
    await gw.close();
    await jambonz.stop();
  });

  const signed = (path: string, params: Record<string, string>) => new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url(path, params);
  const status = (id: string, sid: string, s: string) => jambonz.post(gw.url, signed('/webhooks/jambonz/call/status', { cid: id }).slice(PUBLIC.length), {
    call_sid: sid, call_status: s, sip_status: 200, direction: 'outbound', account_sid: JAMBONZ_ACCOUNT,
  });
  let n = 0;
  /** A call placed through jambonz, answered by the customer and then the agent: the dial's listen is connected. */
  async function answeredCall(token: string): Promise<{ id: string; sid: string; listen: FakeListen }> {
    const conv = (await gw.request('POST', '/v1/conversations', { token, body: { contact: { phone: `+1415555${String(5000 + ++n)}` } } })).body;
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token, body: { agentEndpoint: 'sip:1001@pbx.example' } });
    const id = placed.body.id as string;
    const created = jambonz.calls.at(-1)!;
    expect((await status(id, created.sid, 'in-progress')).status).toBe(204);
    const { verbs, listen } = await jambonz.answer(created.sid, (created.body.call_hook as { url: string }).url);
    // The dial carries a stereo listen bound to this call and the customer's leg.
    expect(verbs).toEqual([{
      verb: 'dial', callerId: expect.any(String), answerOnBridge: true, target: [{ type: 'sip', sipUri: 'sip:1001@pbx.example' }],
      listen: {
        url: signed('/webhooks/jambonz/listen', { cid: id, sid: created.sid }).replace(/^https/, 'wss'),
        mixType: 'stereo', sampleRate: 8000, passDtmf: true, bidirectionalAudio: { enabled: false }, metadata: { callId: id },
      },
    }]);
    expect(listen!.protocol).toBe('audio.jambonz.org');
    return { id, sid: created.sid, listen: listen! };
  }
  const record = (id: string, action: string, token = alice) => gw.request('POST', `/v1/calls/${id}/recording`, { token, body: { action } });
  const listenUpdates = (sid: string) => jambonz.updates.filter((u) => u.sid === sid && u.body.listen_status).map((u) => u.body.listen_status);
  async function until<T>(probe: () => T | undefined | false, what: string, ms = 5000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  }
  async function availableRecording(id: string, token: string): Promise<{ id: string; href: string; durationMs: number; channels: number }> {
    for (let i = 0; i < 250; i++) {
      const [r] = (await gw.request('GET', `/v1/calls/${id}/recordings`, { token })).body.items;
      if (r?.state === 'available') return r;
      await sleep(20);
    }
    throw new Error('the recording never became available');
  }
  const download = async (href: string, token: string) => Buffer.from(await (await fetch(gw.url + href, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer());

  it('records the listen’s audio into a dual-channel WAV, silence while paused, and pauses the listen when stopped', async () => {
    const call = await answeredCall(alice);
    expect((await record(call.id, 'start')).status).toBe(200);
    await until(() => listenUpdates(call.sid).length === 1, 'the listen resumed');
    expect(listenUpdates(call.sid)).toEqual(['resume']);
    await call.listen.stream(1);
    expect((await record(call.id, 'pause')).body.state).toBe('paused');
    await call.listen.stream(1);
    await record(call.id, 'resume');
    await call.listen.stream(1);
    // The gateway writes the file itself: it is available as soon as it is stopped.
    expect((await record(call.id, 'stop')).body.state).toBe('available');
    // Nobody listens any more: the listen is paused at jambonz (its socket stays open for a later start).
    await until(() => listenUpdates(call.sid).length === 2, 'the listen paused');
    expect(listenUpdates(call.sid)).toEqual(['resume', 'pause']);
    expect(call.listen.paused).toBe(true);

    const done = await availableRecording(call.id, alice);
    const wav = parseWav(await download(done.href, alice));
    expect([wav.channels, wav.sampleRate]).toEqual([2, 8000]);
    expect(Math.abs(wav.durationSeconds - 3)).toBeLessThanOrEqual(0.5);
    expect(done.durationMs).toBe(Math.round(wav.durationSeconds * 1000));
    const [customer, agent] = [channelOf(wav, 0), channelOf(wav, 1)];
    // Left is the customer's 440 Hz, right the agent's 1 kHz; the paused second is silence on both.
    for (const [samples, hz] of [[customer, CUSTOMER_HZ], [agent, AGENT_HZ]] as const) {
      const first = samples.subarray(800, 7200);
      expect(rms(first)).toBeGreaterThan(3000);
      expect(Math.abs(crossingsPerSecond(first) - 2 * hz)).toBeLessThan(hz * 0.1);
      expect(rms(samples.subarray(8000 + 1600, 16000 - 1600))).toBe(0);
      expect(rms(samples.subarray(16000 + 1600, samples.length - 800))).toBeGreaterThan(3000);
    }
  });

  it('leaves a skip tenant’s paused span out of the recording; the call’s end finishes it', async () => {
    const call = await answeredCall(sam);
    await record(call.id, 'start', sam);
    await until(() => listenUpdates(call.sid).length === 1, 'the listen resumed');
    await call.listen.stream(1);
    await record(call.id, 'pause', sam);
    await call.listen.stream(1);
    await record(call.id, 'resume', sam);
    await call.listen.stream(1);
    expect((await status(call.id, call.sid, 'completed')).status).toBe(204);
    await call.listen.close();

    const done = await availableRecording(call.id, sam);
    const wav = parseWav(await download(done.href, sam));
    expect(wav.channels).toBe(2);
    // Three seconds of call, one of them paused: two seconds recorded.
    expect(Math.abs(wav.durationSeconds - 2)).toBeLessThanOrEqual(0.5);
    expect(rms(channelOf(wav, 0))).toBeGreaterThan(3000);
    expect(rms(channelOf(wav, 1))).toBeGreaterThan(3000);
  });

  it('streams the listen’s audio to a client as 16-bit PCM per track, with DTMF, until the call ends', async () => {
    const call = await answeredCall(alice);
    const client = await AudioClient.connect(gw.url, call.id, alice);
    clients.push(client);
    await client.until(() => client.json.length > 0, 'start');
    expect(client.json[0]).toMatchObject({ event: 'start', provider: 'jambonz', sampleRate: 8000, encoding: 'pcm_s16le' });
    await until(() => listenUpdates(call.sid).length === 1, 'the listen resumed');

    await call.listen.stream(1);
    call.listen.dtmf('7');
    // One second of 8 kHz L16 per channel: 16,000 bytes per track.
    await client.until(() => client.bytes('customer') >= 16_000 && client.bytes('agent') >= 16_000 && client.json.some((f) => f.event === 'dtmf'), 'a second of audio');
    expect(client.bytes('customer')).toBe(16_000);
    expect(client.bytes('agent')).toBe(16_000);
    const customer = client.audio.filter((a) => a.channel === 'customer');
    expect(customer.map((f) => f.timestampMs).slice(0, 3)).toEqual([0, 20, 40]);
    expect(client.json.find((f) => f.event === 'dtmf')).toMatchObject({ track: 'customer', digit: '7' });

    expect((await status(call.id, call.sid, 'completed')).status).toBe(204);
    await client.until(() => client.closed !== undefined, 'the end of the stream');
    expect(client.json.at(-1)).toMatchObject({ event: 'stop' });
  });

  it('refuses a listen whose URL the gateway did not sign for that call, or whose metadata names another call', async () => {
    const a = await answeredCall(alice);
    const b = await answeredCall(alice);
    const ws = (url: string) => url.replace(PUBLIC, gw.url).replace(/^http/, 'ws');
    const info = { callSid: 'x', parentCallSid: a.sid };
    const verb = { mixType: 'stereo', sampleRate: 8000 };
    const listenOf = (cid: string, sid: string) => signed('/webhooks/jambonz/listen', { cid, sid });
    // Forged or moved signatures: refused before the upgrade.
    await expect(FakeListen.open(ws(listenOf(a.id, a.sid).replace(/sig=[^&]+/, 'sig=forged')), verb, info)).rejects.toMatchObject({ status: 403 });
    await expect(FakeListen.open(ws(listenOf(b.id, b.sid).replace(`cid=${b.id}`, `cid=${a.id}`)), verb, info)).rejects.toMatchObject({ status: 403 });
    await expect(FakeListen.open(ws(`${PUBLIC}/webhooks/jambonz/listen?cid=${a.id}&sid=${a.sid}`), verb, info)).rejects.toMatchObject({ status: 403 });
    // A binding the gateway made for another route (Twilio's stream) is not a listen's.
    await expect(FakeListen.open(ws(signed('/webhooks/jambonz/call', { cid: a.id, sid: a.sid }).replace('/call?', '/listen?')), verb, info)).rejects.toMatchObject({ status: 403 });
    // b's own listen URL, used by a socket speaking for a's leg: closed at its first frame.
    const impostor = await FakeListen.open(ws(listenOf(b.id, b.sid)), verb, info);
    expect(await impostor.closedBy()).toBe(1008);
    // jambonz always asks for its subprotocol: a client that does not is not jambonz.
    const plain = new WebSocket(ws(listenOf(a.id, a.sid)));
    const refusal = await new Promise<number>((resolve) => plain.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(refusal).toBe(400);
    // And a's real listen still feeds a's audio.
    const client = await AudioClient.connect(gw.url, a.id, alice);
    clients.push(client);
    await until(() => listenUpdates(a.sid).length === 1, 'the listen resumed');
    await a.listen.stream(0.2);
    await client.until(() => client.bytes('customer') >= 3200, 'audio of a');
    expect(client.bytes('customer')).toBe(3200);
  });
});
