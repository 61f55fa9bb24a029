import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { WebSocketServer } from 'ws';
import { decodeAudioFrame, type FrameChannel } from '../../src/media/domain/audio-frame';
import { connectToReceiver, PUSHED_STREAM_PROTOCOL } from '../../src/media/streams/receiver-connection';
import { startTestGateway, type TestGateway } from '../support/gateway';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What one receiver connection got: the upgrade request, JSON frames, audio, the close. */
interface Received {
  request: IncomingMessage;
  protocol: string;
  json: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  audio: Array<{ channel: FrameChannel; timestampMs: number; bytes: number; at: number }>;
  closed?: { code: number; reason: string };
}

/** A transcription service's WebSocket endpoint, as an integrator would run it. */
class Receiver {
  readonly connections: Received[] = [];
  readonly server: WebSocketServer;
  refuseWith?: number;

  constructor() {
    this.server = new WebSocketServer({
      host: '127.0.0.1', port: 0,
      handleProtocols: (protocols) => (protocols.has(PUSHED_STREAM_PROTOCOL) ? PUSHED_STREAM_PROTOCOL : false),
      verifyClient: (_info, done) => (this.refuseWith ? done(false, this.refuseWith, 'no') : done(true)),
    });
    this.server.on('connection', (socket, request) => {
      const received: Received = { request, protocol: socket.protocol, json: [], audio: [] };
      this.connections.push(received);
      socket.on('message', (data: Buffer, binary: boolean) => {
        if (!binary) { received.json.push(JSON.parse(data.toString())); return; }
        const frame = decodeAudioFrame(Buffer.from(data));
        received.audio.push({ channel: frame.channel, timestampMs: frame.timestampMs, bytes: frame.pcm.length, at: performance.now() });
      });
      socket.on('close', (code, reason) => { received.closed = { code, reason: reason.toString() }; });
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/transcribe`;
  }

  async latest(): Promise<Received> {
    for (let i = 0; i < 200 && this.connections.length === 0; i++) await sleep(10);
    return this.connections[this.connections.length - 1];
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function until(done: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('pushing a call\'s live audio to a receiver (POST /v1/calls/:id/streams)', () => {
  let gw: TestGateway;
  let receiver: Receiver;
  let agent: string;
  let supervisor: string;
  let admin: string;
  let stranger: string;

  beforeAll(async () => {
    gw = await startTestGateway({ tenants: [{ id: 'acme', recordCalls: 'on-demand', pauseBehavior: 'silence' }, { id: 'other', recordCalls: 'on-demand' }] });
    agent = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    supervisor = await gw.token({ tenantId: 'acme', agentId: 'sue', roles: ['supervisor'] });
    admin = await gw.token({ tenantId: 'acme', agentId: 'ada', roles: ['admin'] });
    stranger = await gw.token({ tenantId: 'other', agentId: 'sue', roles: ['supervisor'] });
    receiver = new Receiver();
  });
  afterAll(async () => {
    await receiver.close();
    await gw.close();
  });

  let n = 0;
  async function call(answered = true): Promise<{ id: string; conversationId: string }> {
    // A number ending 0480 rings and is never answered (the simulator's script).
    const phone = answered ? `+1415555${String(4000 + ++n)}` : `+141555${++n % 10}0480`;
    const conv = (await gw.request('POST', '/v1/conversations', { token: agent, body: { contact: { phone } } })).body;
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token: agent, body: { agentEndpoint: 'sip:1001@pbx.example' } });
    expect(placed.status).toBe(202);
    if (!answered) return { id: placed.body.id, conversationId: conv.id };
    for (;;) {
      const state = (await gw.request('GET', `/v1/calls/${placed.body.id}`, { token: agent })).body.state;
      if (state === 'answered') return { id: placed.body.id, conversationId: conv.id };
      await sleep(20);
    }
  }
  const push = (id: string, body: object, token = supervisor) => gw.request('POST', `/v1/calls/${id}/streams`, { token, body });

  it('streams both tracks at 8 kHz with a token the receiver verifies against the published key', async () => {
    const c = await call();
    const before = receiver.connections.length;
    const res = await push(c.id, { url: receiver.url });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ callId: c.id, url: receiver.url, tracks: ['customer', 'agent'], format: 'tracks', sampleRate: 8000, state: 'streaming' });
    expect(receiver.connections.length).toBe(before + 1);
    const got = await receiver.latest();
    expect(got.protocol).toBe(PUSHED_STREAM_PROTOCOL);

    // The receiver checks the token with the gateway's public key only: no secret is shared.
    const token = /^Bearer (.+)$/.exec(got.request.headers.authorization ?? '')?.[1];
    expect(token).toBeDefined();
    const keys = createRemoteJWKSet(new URL(`${gw.url}/v1/streams/keys`));
    const { payload, protectedHeader } = await jwtVerify(token!, keys, { audience: receiver.url, issuer: gw.config.http.publicBaseUrl });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: res.body.keyId });
    expect(payload).toMatchObject({ sub: c.id, jti: res.body.id, streamId: res.body.id, conversationId: c.conversationId, tenantId: 'acme' });
    // Another receiver's URL is another audience: the token is not good there.
    await expect(jwtVerify(token!, keys, { audience: 'wss://elsewhere.example/x' })).rejects.toThrow();

    await until(() => got.json.length > 0, 'the start frame');
    expect(got.json[0]).toMatchObject({ event: 'start', streamId: res.body.id, callId: c.id, conversationId: c.conversationId, provider: 'simulator', tracks: ['customer', 'agent'], encoding: 'pcm_s16le', sampleRate: 8000, channels: 1, frameMs: 20 });
    const t0 = performance.now();
    await sleep(1000);
    const window = got.audio.filter((a) => a.at >= t0 && a.at < t0 + 1000);
    for (const channel of ['customer', 'agent'] as FrameChannel[]) {
      const bytes = window.filter((a) => a.channel === channel).reduce((sum, a) => sum + a.bytes, 0);
      // 8 kHz × 2 bytes per track per second, give or take the clock's jitter.
      expect(bytes).toBeGreaterThan(16000 * 0.8);
      expect(bytes).toBeLessThan(16000 * 1.2);
    }
    const listed = await gw.request('GET', `/v1/calls/${c.id}/streams`, { token: admin });
    expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([res.body.id]);

    // The call's end ends the stream: stop, then a normal close.
    expect((await gw.request('POST', `/v1/calls/${c.id}/hangup`, { token: agent })).status).toBeLessThan(300);
    await until(() => got.closed !== undefined, 'the close');
    expect(got.json[got.json.length - 1]).toMatchObject({ event: 'stop' });
    expect(got.closed!.code).toBe(1000);
    expect((await gw.request('GET', `/v1/calls/${c.id}/streams`, { token: admin })).body.items).toEqual([]);
  });

  it('sends only the tracks asked for, or stereo at 16 kHz', async () => {
    const c = await call();
    expect((await push(c.id, { url: receiver.url, tracks: ['customer'] })).status).toBe(201);
    const one = await receiver.latest();
    expect((await push(c.id, { url: receiver.url, format: 'stereo', sampleRate: 16000 })).status).toBe(201);
    const stereo = await receiver.latest();
    await sleep(600);
    expect(one.json[0]).toMatchObject({ tracks: ['customer'], channels: 1 });
    expect(new Set(one.audio.map((a) => a.channel))).toEqual(new Set(['customer']));
    expect(stereo.json[0]).toMatchObject({ layout: 'stereo', channels: 2, sampleRate: 16000 });
    expect(new Set(stereo.audio.map((a) => a.channel))).toEqual(new Set(['stereo']));
    // A stereo frame of 20 ms at 16 kHz: 320 samples × 2 channels × 2 bytes.
    expect(stereo.audio.every((a) => a.bytes === 1280)).toBe(true);
    await gw.request('POST', `/v1/calls/${c.id}/hangup`, { token: agent });
  });

  it('withholds audio while the recording is paused for card details, and stops on DELETE', async () => {
    const c = await call();
    const started = await push(c.id, { url: receiver.url });
    const got = await receiver.latest();
    expect((await gw.request('POST', `/v1/calls/${c.id}/recording`, { token: agent, body: { action: 'start' } })).status).toBe(200);
    await sleep(300);
    expect((await gw.request('POST', `/v1/calls/${c.id}/recording`, { token: agent, body: { action: 'pause' } })).status).toBe(200);
    await until(() => got.json.some((f) => f.event === 'paused'), 'paused');
    const pausedAt = performance.now();
    await sleep(600);
    expect(got.audio.filter((a) => a.at > pausedAt + 50)).toEqual([]);
    expect((await gw.request('POST', `/v1/calls/${c.id}/recording`, { token: agent, body: { action: 'resume' } })).status).toBe(200);
    await until(() => got.json.some((f) => f.event === 'resumed'), 'resumed');
    const resumedAt = performance.now();
    await sleep(300);
    expect(got.audio.filter((a) => a.at > resumedAt).length).toBeGreaterThan(5);

    expect((await gw.request('DELETE', `/v1/calls/${c.id}/streams/${started.body.id}`, { token: supervisor })).status).toBe(204);
    await until(() => got.closed !== undefined, 'the close');
    expect(got.json[got.json.length - 1]).toMatchObject({ event: 'stop', reason: 'the stream was stopped' });
    expect((await gw.request('DELETE', `/v1/calls/${c.id}/streams/${started.body.id}`, { token: supervisor })).status).toBe(404);
    await gw.request('POST', `/v1/calls/${c.id}/hangup`, { token: agent });
  });

  it('refuses agents, other tenants, bad requests, calls not answered, and receivers that do not take the stream', async () => {
    const c = await call();
    expect((await push(c.id, { url: receiver.url }, agent)).status).toBe(403);
    expect((await push(c.id, { url: receiver.url }, stranger)).status).toBe(404);
    expect((await gw.request('GET', `/v1/calls/${c.id}/streams`, { token: stranger })).status).toBe(404);
    for (const [body, field] of [
      [{ url: 'https://asr.example.com/' }, 'url'],
      [{ url: null }, 'url'],
      [{}, 'url'],
      [{ url: receiver.url, tracks: [] }, 'tracks'],
      [{ url: receiver.url, tracks: ['caller'] }, 'tracks'],
      [{ url: receiver.url, format: 'stereo', tracks: ['agent'] }, 'tracks'],
      [{ url: receiver.url, sampleRate: 44100 }, 'sampleRate'],
      [{ url: receiver.url, format: null }, 'format'],
    ] as const) {
      const res = await push(c.id, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(JSON.stringify(res.body)).toContain(field);
    }
    receiver.refuseWith = 401;
    const refused = await push(c.id, { url: receiver.url });
    receiver.refuseWith = undefined;
    expect(refused.status).toBe(502);
    expect(refused.body.detail).toContain('HTTP 401');
    const closedPort = await push(c.id, { url: 'ws://127.0.0.1:9/nobody' });
    expect(closedPort.status).toBe(502);
    for (let i = 0; i < 4; i++) expect((await push(c.id, { url: receiver.url })).status).toBe(201);
    expect((await push(c.id, { url: receiver.url })).status).toBe(409);
    await gw.request('POST', `/v1/calls/${c.id}/hangup`, { token: agent });

    const ringing = await call(false);
    expect((await push(ringing.id, { url: receiver.url })).status).toBe(409);
    expect((await push('no-such-call', { url: receiver.url })).status).toBe(404);
    const keys = await fetch(`${gw.url}/v1/streams/keys`);
    expect(keys.status).toBe(200);
    expect(((await keys.json()) as { keys: object[] }).keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
  });

  it('in production, connects only to public addresses: a name resolving inside is refused before connecting', async () => {
    await expect(connectToReceiver('wss://localhost:9/x', { token: 't', targets: 'public', timeoutMs: 1000 }))
      .rejects.toMatchObject({ status: 422, detail: expect.stringContaining('resolves to a private') });
    await expect(connectToReceiver('wss://no-such-host.invalid/x', { token: 't', targets: 'public', timeoutMs: 1000 }))
      .rejects.toMatchObject({ status: 422 });
  });
});
