'use strict';
// Live audio through the gateway: N simultaneous Twilio calls, each streaming both tracks (Twilio
// Media Streams: JSON, base64 μ-law, 20 ms frames) into the gateway, each with one subscriber on
// `GET /v1/calls/:id/audio`; against a bare `ws` relay of the same frames (bench/servers/media-relay.js),
// in the same run. A fake Twilio in this process places the calls, answers the Streams API and
// sends the audio, and the subscribers are in this process too, so a frame's send and receipt times
// come from one clock. Reports, per server and N: frames/s delivered, p50/p99 frame latency (sent by
// "Twilio" → received by the subscriber), the server's CPU per call, and frames lost.
// Usage: npm run bench:media   (env: BENCH_MEDIA_CALLS, default "50,100,200,300"; BENCH_MEDIA_SECONDS,
// default 10 measured per step after 2 s of warm-up)
const { randomBytes } = require('node:crypto');
const http = require('node:http');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { getExpectedTwilioSignature } = require('twilio/lib/webhooks/webhooks');
const WebSocket = require('ws');
const { startServer, stopServer, ask, command, environment, int, ms, times, saveReport } = require('./lib/harness');

const dist = join(__dirname, '..', 'dist');
const { CallbackUrls } = require(join(dist, 'providers', 'callbacks', 'callback-urls.js'));
const { mulawEncode, tone } = require(join(dist, 'media', 'domain', 'pcm.js'));
const { decodeAudioFrame } = require(join(dist, 'media', 'domain', 'audio-frame.js'));

const STEPS = (process.env.BENCH_MEDIA_CALLS || '50,100,200,300').split(',').map(Number);
if (STEPS.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('BENCH_MEDIA_CALLS must be whole numbers, comma separated');
const SECONDS = Number(process.env.BENCH_MEDIA_SECONDS || 10);
const WARMUP_MS = 2000;
const FRAME_MS = 20;
const TARGET_P99_MS = 40;

const PUBLIC = 'https://gateway.example.com';
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const JWT_SECRET = randomBytes(32).toString('hex');
const TENANT_NUMBER = '+14155550100';
/** One 20 ms frame of a tone, as Twilio sends it: the content does not matter, its size does. */
const PAYLOAD = Buffer.from(mulawEncode(tone(440, 0, 160))).toString('base64');

/**
 * A stream "Twilio" sends: frames every 20 ms on its own schedule (calls do not tick together),
 * both tracks, each frame's send time kept by its timestamp.
 */
class TwilioStream {
  constructor(target, published, customParameters, callSid) {
    this.callSid = callSid;
    this.sentAt = [];
    this.stopped = false;
    this.socket = new WebSocket(target, { headers: { 'x-twilio-signature': getExpectedTwilioSignature(AUTH_TOKEN, published, {}) }, perMessageDeflate: false });
    this.socket.on('error', () => undefined);
    this.socket.on('open', () => {
      const streamSid = `MZ${randomBytes(16).toString('hex')}`;
      let seq = 1;
      this.send = (m) => this.socket.send(JSON.stringify({ ...m, sequenceNumber: String(seq++), streamSid }));
      this.socket.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
      this.send({ event: 'start', start: { accountSid: ACCOUNT_SID, streamSid, callSid, tracks: ['inbound', 'outbound'], mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }, customParameters } });
      this.start = performance.now() + Math.random() * FRAME_MS;
      this.tick(0);
    });
  }

  tick(k) {
    if (this.stopped || this.socket.readyState !== WebSocket.OPEN) return;
    const timestamp = String(k * FRAME_MS);
    this.sentAt[k] = performance.now();
    this.send({ event: 'media', media: { track: 'inbound', chunk: String(k + 1), timestamp, payload: PAYLOAD } });
    this.send({ event: 'media', media: { track: 'outbound', chunk: String(k + 1), timestamp, payload: PAYLOAD } });
    // Scheduled against the stream's start, so a late tick does not push every later frame back.
    this.timer = setTimeout(() => this.tick(k + 1), Math.max(0, this.start + (k + 1) * FRAME_MS - performance.now()));
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket.close();
  }
}

/** Twilio's Calls and Streams APIs, as much as the gateway uses of them here. */
/** `gatewayUrl()`: where the streams go (the gateway starts after the fake, whose URL it needs). */
function startFakeTwilio(gatewayUrl) {
  const base = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
  const expected = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
  const streams = new Map(); // cid → TwilioStream
  const json = (res, status, payload) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (req.headers.authorization !== expected) return json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
      const params = new URLSearchParams(body);
      const path = req.url.split('?')[0];
      if (path === `${base}/Calls.json`) {
        const sid = `CA${randomBytes(16).toString('hex')}`;
        return json(res, 201, { sid, account_sid: ACCOUNT_SID, status: 'queued', to: params.get('To'), from: params.get('From'), uri: `${base}/Calls/${sid}.json` });
      }
      const stream = new RegExp(`^${base}/Calls/(CA[0-9a-f]{32})/Streams(?:/(MZ[0-9a-f]{32}))?\\.json$`).exec(path);
      if (stream && !stream[2]) {
        const published = params.get('Url');
        const custom = {};
        for (let i = 1; params.has(`Parameter${i}.Name`); i++) custom[params.get(`Parameter${i}.Name`)] = params.get(`Parameter${i}.Value`);
        const target = gatewayUrl().replace(/^http/, 'ws') + published.slice(PUBLIC.replace(/^http/, 'ws').length);
        streams.set(custom.cid, new TwilioStream(target, published, custom, stream[1]));
        return json(res, 201, { sid: `MZ${randomBytes(16).toString('hex')}`, account_sid: ACCOUNT_SID, call_sid: stream[1], status: 'in-progress' });
      }
      // Stopping the stream, or hanging the call up, stops the audio as Twilio would.
      const callSid = stream?.[1] ?? new RegExp(`^${base}/Calls/(CA[0-9a-f]{32})\\.json$`).exec(path)?.[1];
      if (callSid) for (const s of streams.values()) if (s.callSid === callSid) s.stop();
      if (stream) return json(res, 200, { sid: stream[2], status: 'stopped' });
      if (callSid) return json(res, 200, { sid: callSid, status: 'completed' });
      json(res, 404, { code: 20404, message: 'Not found', status: 404 });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    streams,
    close: () => new Promise((done) => { server.close(() => done()); server.closeAllConnections(); }),
  })));
}

async function request(url, method, path, token, body) {
  const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** One subscriber: every audio frame's latency (receipt − its send at "Twilio"), by track. */
function subscribe(url, stream) {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const sub = { socket, received: 0, latencies: [], measuring: false, frames: { customer: 0, agent: 0 } };
  socket.on('message', (data, binary) => {
    if (!binary) return;
    const now = performance.now();
    const frame = decodeAudioFrame(data);
    if (!sub.measuring) return;
    sub.frames[frame.channel]++;
    const source = stream();
    const sent = source?.sentAt[Math.round(frame.timestampMs / FRAME_MS)];
    if (sent !== undefined) sub.latencies.push(now - sent);
  });
  socket.on('error', () => undefined);
  return new Promise((resolve, reject) => { socket.once('open', () => resolve(sub)); socket.once('unexpected-response', (_q, r) => reject(new Error(`audio socket refused: ${r.statusCode}`))); });
}

let phones = 0;
/** Places and answers `n` Twilio calls through the gateway; subscribes to each one's audio. */
async function gatewayCalls(gw, twilio, n) {
  const signed = new CallbackUrls(PUBLIC, JWT_SECRET);
  const calls = [];
  for (let i = 0; i < n; i++) {
    const phone = `+14153${String(++phones).padStart(6, '0')}`;
    const conv = await request(gw.url, 'POST', '/v1/conversations', gw.token, { contact: { phone } });
    const call = await request(gw.url, 'POST', `/v1/conversations/${conv.id}/calls`, gw.token, { agentEndpoint: 'sip:1001@pbx.example' });
    const view = await request(gw.url, 'GET', `/v1/calls/${call.id}`, gw.token);
    const path = signed.url('/webhooks/twilio/voice/status', { cid: call.id }).slice(PUBLIC.length);
    const form = { CallSid: view.providerRef, CallStatus: 'in-progress', AccountSid: ACCOUNT_SID, To: phone, From: TENANT_NUMBER, Direction: 'outbound-api', ApiVersion: '2010-04-01' };
    const answered = await fetch(gw.url + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC + path, form) }, body: new URLSearchParams(form).toString() });
    if (answered.status !== 204) throw new Error(`answering ${call.id}: ${answered.status}`);
    const sub = await subscribe(`${gw.url.replace(/^http/, 'ws')}/v1/calls/${call.id}/audio?access_token=${gw.token}`, () => twilio.streams.get(call.id));
    calls.push({ id: call.id, sub, hangup: () => request(gw.url, 'POST', `/v1/calls/${call.id}/hangup`, gw.token).catch(() => undefined) });
  }
  return calls;
}

/** The same `n` streams into the bare relay, one listener each. */
async function relayCalls(relay, n) {
  const calls = [];
  for (let i = 0; i < n; i++) {
    const cid = `relay-${++phones}`;
    let stream;
    const sub = await subscribe(`${relay.url.replace(/^http/, 'ws')}/listen/${cid}`, () => stream);
    const published = `${PUBLIC.replace(/^http/, 'ws')}/webhooks/twilio/media-stream`;
    stream = new TwilioStream(`${relay.url.replace(/^http/, 'ws')}/webhooks/twilio/media-stream`, published, { cid }, `CA${randomBytes(16).toString('hex')}`);
    calls.push({ id: cid, sub, stream, hangup: async () => stream.stop() });
  }
  return calls;
}

async function measure(child, calls) {
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const cpu0 = (await ask(child, 'memory', 'memory')).cpuMicros;
  for (const c of calls) c.sub.measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  for (const c of calls) c.sub.measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = ((await ask(child, 'memory', 'memory')).cpuMicros - cpu0) / 1e6;
  const latencies = Float64Array.from(calls.flatMap((c) => c.sub.latencies)).sort();
  const at = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
  const received = calls.reduce((sum, c) => sum + c.sub.frames.customer + c.sub.frames.agent, 0);
  // Expected: two tracks × 50 frames/s per call; a frame or two per track at the window's edges is not a loss.
  const expected = calls.length * 2 * (elapsed * 1000) / FRAME_MS;
  const lost = Math.max(0, Math.round(expected - received - calls.length * 4));
  for (const c of calls) { await c.hangup(); c.sub.socket.close(); }
  return { calls: calls.length, fps: received / elapsed, p50: at(0.5), p99: at(0.99), cpuPerCallPct: (cpu / elapsed / calls.length) * 100, lost, expected: Math.round(expected) };
}

async function main() {
  const vars = ['BENCH_MEDIA_CALLS', 'BENCH_MEDIA_SECONDS'];
  const results = { gateway: [], relay: [] };
  const gwEnv = {
    BENCH_JWT_SECRET: JWT_SECRET,
    BENCH_GATEWAY_CONFIG: JSON.stringify({
      http: { publicBaseUrl: PUBLIC }, rateLimits: { apiPerSecond: 0, webhookPerSecond: 0 },
      tenants: [{ id: 'bench', numbers: [TENANT_NUMBER], voiceProvider: 'twilio', smsProvider: 'simulator' }],
      providers: { twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: 'http://placeholder.invalid' } },
    }),
  };
  let gatewayUrl;
  const twilio = await startFakeTwilio(() => gatewayUrl);
  gwEnv.BENCH_GATEWAY_CONFIG = gwEnv.BENCH_GATEWAY_CONFIG.replace('http://placeholder.invalid', twilio.url);
  const gw = await startServer('gateway.js', { args: ['supervisor'], env: gwEnv });
  gatewayUrl = gw.info.url;
  const relay = await startServer('media-relay.js', { env: { BENCH_TWILIO_TOKEN: AUTH_TOKEN, BENCH_PUBLIC_BASE_URL: PUBLIC } });
  try {
    for (const n of STEPS) {
      process.stdout.write(`${n} calls: relay… `);
      results.relay.push(await measure(relay.child, await relayCalls(relay.info, n)));
      process.stdout.write('gateway… ');
      results.gateway.push(await measure(gw.child, await gatewayCalls({ ...gw.info }, twilio, n)));
      const g = results.gateway.at(-1);
      const r = results.relay.at(-1);
      console.log(`gateway ${int(g.fps)} frames/s p99 ${ms(g.p99)} ms lost ${g.lost}; relay ${int(r.fps)} frames/s p99 ${ms(r.p99)} ms lost ${r.lost}`);
    }
  } finally {
    await stopServer(gw.child);
    await stopServer(relay.child);
    await twilio.close();
  }
  const firstBad = (rows) => rows.find((x) => x.lost > 0 || x.p99 > TARGET_P99_MS)?.calls;
  const lines = [
    '# Live audio: Twilio Media Streams → gateway → `GET /v1/calls/:id/audio`',
    '',
    ...environment(command(vars, 'bench:media', 'media.js')),
    `- Each step: N calls, each streaming both tracks (50 frames/s each) with one subscriber; ${SECONDS} s measured after ${WARMUP_MS / 1000} s of warm-up.`,
    '- Latency: from the frame leaving the fake Twilio to its PCM frame reaching the subscriber (one process, one clock). Lost: frames expected in the window minus frames received (4 per call allowed for the window\'s edges).',
    '',
    '| calls | server | frames/s | p50 ms | p99 ms | CPU per call | lost frames | frames/s vs relay |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
    ...STEPS.flatMap((n, i) => {
      const g = results.gateway[i];
      const r = results.relay[i];
      return [
        `| ${n} | bare \`ws\` relay | ${int(r.fps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.cpuPerCallPct.toFixed(2)}% | ${r.lost} | 1.00× |`,
        `| ${n} | gateway | ${int(g.fps)} | ${ms(g.p50)} | ${ms(g.p99)} | ${g.cpuPerCallPct.toFixed(2)}% | ${g.lost} | ${times(g.fps / r.fps)} |`,
      ];
    }),
    '',
    `First step with lost frames or p99 over ${TARGET_P99_MS} ms: gateway ${firstBad(results.gateway) ?? 'none'}, relay ${firstBad(results.relay) ?? 'none'}.`,
  ];
  saveReport('media-latest.md', lines.join('\n'), []);
}

main().catch((error) => { console.error(error); process.exit(1); });
