'use strict';
// Live event delivery over WebSocket to many sockets: the gateway's GET /v1/events against a bare
// `ws` broadcast server, measured in the same run. Each server runs in its own child process (with
// --expose-gc for the memory readings); the sockets and the POST load come from this one, over
// 127.0.0.1. Every POST /v1/conversations makes two events (conversation.created, chat.linked);
// latency is receive time minus the time the POST was sent (context.sentAt in its body).
// Usage: npm run bench:events   (env: BENCH_SOCKETS, default 1000; BENCH_RATE req/s, default 20;
//        BENCH_DURATION s, default 10; BENCH_WARMUP s of the same load before measuring, default 5)
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const WebSocket = require('ws');
const { envInt, startServer, stopServer, machineBusyMs, command, environment, saveReport } = require('./lib/harness');

const SOCKETS = envInt('BENCH_SOCKETS', 1000, 1);
const RATE = envInt('BENCH_RATE', 20, 1);
const DURATION = envInt('BENCH_DURATION', 10, 1);
const WARMUP = envInt('BENCH_WARMUP', 5, 0);
const SOCKET_TIMEOUT_MS = 15_000; // to open and be subscribed
const CONNECT_CONCURRENCY = 50;
const TAIL_MS = 5_000; // after the last POST is answered, how long missing frames may still come
const TARGET = { kibPerSocket: 20, p99Ms: 50 };

const BASELINE = 'bare `ws` broadcast (no store, no auth)';
const GATEWAY = 'gateway `GET /v1/events` (SQLite log, JWT, topics)';
const TARGETS = [
  { name: BASELINE, script: 'ws-baseline.js', args: [] },
  { name: GATEWAY, script: 'gateway.js', args: ['supervisor'] },
];
const SUBSCRIBE = JSON.stringify({ op: 'subscribe', topics: ['tenant'] });
const EVENT_PREFIX = '{"op":"event","cursor":"';


const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));



/** The child's CPU time so far, then its rss and heapUsed after gc (see servers/memory.js). */
function readServer(child) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.off('message', on); reject(new Error('no memory reading from the server')); }, 10_000);
    const on = (m) => {
      if (!m || !m.memory) return;
      clearTimeout(timer);
      child.off('message', on);
      resolve(m.memory);
    };
    child.on('message', on);
    child.send('memory');
  });
}

/**
 * What the sockets received in one phase (warm-up or measurement). Each distinct event is parsed
 * once; the other copies only give their cursor, to keep the client's CPU share small.
 */
function newTally() {
  return { sentAtByCursor: new Map(), sentAtByConversation: new Map(), latencies: [], frames: 0, bytes: 0, lastAt: 0, unattributed: 0 };
}

function sentAtOf(tally, frame) {
  const { type, conversationId, data } = frame.event;
  if (type === 'conversation.created') {
    const sentAt = data && data.conversation && data.conversation.context && data.conversation.context.sentAt;
    tally.sentAtByConversation.set(conversationId, sentAt);
    return sentAt;
  }
  return tally.sentAtByConversation.get(conversationId); // chat.linked: after its conversation.created
}

function onFrame(run, state, data, subscribed) {
  const at = now();
  const text = data.toString();
  let frame;
  let cursor;
  if (text.startsWith(EVENT_PREFIX)) cursor = text.slice(EVENT_PREFIX.length, text.indexOf('"', EVENT_PREFIX.length));
  else {
    frame = JSON.parse(text);
    if (frame.op === 'subscribed') return subscribed();
    if (frame.op === 'error') return void run.errorFrames.push(text);
    if (frame.op !== 'event') return; // heartbeat, pong
    cursor = frame.cursor;
  }
  const { tally } = run;
  let sentAt = tally.sentAtByCursor.get(cursor);
  if (sentAt === undefined) {
    sentAt = sentAtOf(tally, frame || JSON.parse(text));
    tally.sentAtByCursor.set(cursor, sentAt);
  }
  const seq = Number(cursor);
  if (seq <= state.last) state.repeats++; else state.last = seq;
  state.count++;
  tally.frames++;
  tally.bytes += data.length;
  tally.lastAt = at;
  if (typeof sentAt === 'number') tally.latencies.push(at - sentAt); else tally.unattributed++;
}

/** Opens one socket, subscribes it to the tenant topic and resolves once it is subscribed. */
function openSocket(wsUrl, token, run) {
  const socket = new WebSocket(wsUrl, { headers: token ? { authorization: `Bearer ${token}` } : {}, perMessageDeflate: false });
  const state = { socket, last: 0, count: 0, repeats: 0 };
  run.sockets.push(state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`a socket was not subscribed within ${SOCKET_TIMEOUT_MS} ms`)), SOCKET_TIMEOUT_MS);
    const done = () => { clearTimeout(timer); resolve(state); };
    socket.once('open', () => socket.send(SUBSCRIBE));
    socket.on('message', (data) => onFrame(run, state, data, done));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    socket.on('error', (error) => { if (!run.closing) reject(error); });
    socket.on('close', (code) => {
      if (run.closing) return;
      run.unexpectedCloses.push(code);
      reject(new Error(`socket closed with ${code} while connecting`));
    });
  });
}

async function openAll(url, token, run) {
  const wsUrl = `${url.replace(/^http/, 'ws')}/v1/events`;
  let started = 0;
  let failed = false;
  const worker = async () => {
    while (started < SOCKETS && !failed) {
      started++;
      await openSocket(wsUrl, token, run).catch((error) => { failed = true; throw error; });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, SOCKETS) }, worker));
}

const runId = Date.now().toString(36);
let sequence = 0;

/** One POST /v1/conversations with a unique chat session and its send time in context.sentAt. */
function post(url, token, agent) {
  const n = sequence++;
  const sentAt = now();
  const body = JSON.stringify({
    contact: { phone: `+1415555${String(n % 10000).padStart(4, '0')}`, name: 'Bench' },
    chat: { sessionId: `events-${runId}-${n}` },
    context: { sentAt },
  });
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  if (token) headers.authorization = `Bearer ${token}`;
  return new Promise((resolve) => {
    const req = http.request(`${url}/v1/conversations`, { method: 'POST', agent, headers, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve(`error ${error.code || error.message}`));
    req.end(body);
  });
}

/** POSTs at a steady rate (open loop: does not wait for answers) for `seconds`; resolves with the statuses. */
async function produce(url, token, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const start = now();
  const pending = [];
  for (let i = 0; i < RATE * seconds; i++) {
    const wait = start + (i * 1000) / RATE - now();
    if (wait > 0) await sleep(wait);
    pending.push(post(url, token, agent));
  }
  const statuses = await Promise.all(pending);
  agent.destroy();
  return { start, statuses };
}

function statusCounts(statuses) {
  const counts = new Map();
  for (const s of statuses) counts.set(s, (counts.get(s) || 0) + 1);
  return [...counts];
}

/** Runs the load for `seconds` on the subscribed sockets, waits for its frames, and sums them up. */
async function phase(child, { url, token }, run, seconds) {
  const tally = (run.tally = newTally());
  for (const s of run.sockets) { s.count = 0; s.repeats = 0; }
  const [serverCpu, clientCpu, machineCpu, cpuFrom] = [(await readServer(child)).cpuMicros, process.cpuUsage(), machineBusyMs(), now()];
  const { start, statuses } = await produce(url, token, seconds);
  const events = 2 * statuses.filter((s) => s === '201').length;
  const expected = events * run.sockets.length;
  for (const deadline = now() + TAIL_MS; tally.frames < expected && now() < deadline;) await sleep(20);
  // CPU from the start of the load to its last frame (or the tail timeout), in % of one core.
  const cpuMs = now() - cpuFrom;
  const server = ((await readServer(child)).cpuMicros - serverCpu) / 10 / cpuMs;
  const client = process.cpuUsage(clientCpu);
  const machine = ((machineBusyMs() - machineCpu) * 100) / cpuMs;
  await sleep(250); // a duplicate arriving late is still counted
  const latencies = Float64Array.from(tally.latencies).sort();
  const at = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
  const distinct = (s) => s.count - s.repeats;
  return {
    events,
    expected,
    received: tally.frames,
    missing: run.sockets.reduce((sum, s) => sum + Math.max(0, events - distinct(s)), 0),
    surplus: run.sockets.reduce((sum, s) => sum + Math.max(0, distinct(s) - events), 0),
    duplicates: run.sockets.reduce((sum, s) => sum + s.repeats, 0),
    unattributed: tally.unattributed,
    fps: tally.frames / (((tally.lastAt || now()) - start) / 1000),
    bytesPerFrame: tally.frames ? tally.bytes / tally.frames : NaN,
    p50: at(0.5), p99: at(0.99), max: latencies.length ? latencies[latencies.length - 1] : NaN,
    serverCpu: server,
    clientCpu: (client.user + client.system) / 10 / cpuMs,
    // Everything else on the machine (other programs, the kernel's network work): noise when high.
    otherCpu: Math.max(0, machine - server - (client.user + client.system) / 10 / cpuMs),
    codes: statusCounts(statuses),
  };
}

async function measure(target) {
  const { child, info } = await startServer(target.script, { args: target.args, execArgv: ['--expose-gc'] });
  const run = { tally: newTally(), sockets: [], closing: false, unexpectedCloses: [], errorFrames: [] };
  try {
    process.stderr.write(`${target.name}: ${SOCKETS} sockets, then ${RATE} req/s for ${WARMUP} s of warm-up and ${DURATION} s measured\n`);
    const before = await readServer(child);
    await openAll(info.url, info.token, run);
    const after = await readServer(child);
    const warm = WARMUP > 0 ? await phase(child, info, run, WARMUP) : undefined;
    const measured = await phase(child, info, run, DURATION);
    return {
      name: target.name, ...measured, warm, run,
      rssKiB: (after.rss - before.rss) / 1024 / SOCKETS,
      heapKiB: (after.heapUsed - before.heapUsed) / 1024 / SOCKETS,
      gc: before.gc && after.gc,
    };
  } finally {
    run.closing = true;
    for (const { socket } of run.sockets) socket.terminate();
    await stopServer(child);
  }
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => n.toFixed(2);
const kib = (n) => n.toFixed(1);
const times = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a');

function table(rows) {
  const [base, gateway] = rows;
  return [
    '| Server | events | frames expected | frames received | frames/s | bytes/frame | p50 (ms) | p99 (ms) | max (ms) | server CPU | client CPU | other CPU | RSS KiB/socket | heap KiB/socket |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.name} | ${int(r.events)} | ${int(r.expected)} | ${int(r.received)} | ${int(r.fps)} | ${int(r.bytesPerFrame)} | ` +
      `${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${int(r.serverCpu)}% | ${int(r.clientCpu)}% | ${int(r.otherCpu)}% | ${kib(r.rssKiB)} | ${kib(r.heapKiB)} |`),
    `| **ratio gateway / baseline** | | | | ${times(gateway.fps / base.fps)} | | ${times(gateway.p50 / base.p50)} | ${times(gateway.p99 / base.p99)} | ` +
      `${times(gateway.max / base.max)} | ${times(gateway.serverCpu / base.serverCpu)} | | | ${times(gateway.rssKiB / base.rssKiB)} | ${times(gateway.heapKiB / base.heapKiB)} |`,
  ].join('\n');
}

function warmUpLine(rows) {
  if (!WARMUP) return [];
  const one = (r) => `${r.name.split(' (')[0]} p50 ${ms(r.warm.p50)} ms, p99 ${ms(r.warm.p99)} ms, max ${ms(r.warm.max)} ms, server CPU ${int(r.warm.serverCpu)}%`;
  return [`Warm-up (first ${WARMUP} s of load on a fresh process, not in the table): ${rows.map(one).join('; ')}.`, ''];
}

function problems(rows) {
  const out = [];
  for (const r of rows) {
    for (const [label, p] of [['warm-up', r.warm], ['measurement', r]]) {
      if (!p) continue;
      const bad = p.codes.filter(([code]) => code !== '201');
      if (bad.length) out.push(`**ERRORS** in ${r.name}, ${label}: POSTs not answered 201: ${bad.map(([c, n]) => `${c}×${n}`).join(', ')}.`);
      if (p.events === 0) out.push(`**ERRORS** in ${r.name}, ${label}: no events were produced.`);
      if (p.received !== p.expected || p.missing || p.duplicates || p.surplus) {
        out.push(`**LOSS OR DUPLICATES** in ${r.name}, ${label}: expected ${p.expected} frames, received ${p.received}: ` +
          `${p.missing} missing, ${p.duplicates} duplicated or out of order, ${p.surplus} unexpected.`);
      }
      if (p.unattributed) out.push(`**ERRORS** in ${r.name}, ${label}: ${p.unattributed} frames without a send time.`);
    }
    const { unexpectedCloses, errorFrames } = r.run;
    if (unexpectedCloses.length) out.push(`**ERRORS** in ${r.name}: ${unexpectedCloses.length} sockets closed during the run (codes ${[...new Set(unexpectedCloses)].join(', ')}).`);
    if (errorFrames.length) out.push(`**ERRORS** in ${r.name}: ${errorFrames.length} error frames, e.g. ${errorFrames[0]}.`);
    if (r.otherCpu > 15) out.push(`**WARNING** ${r.name}: other programs used ${int(r.otherCpu)}% CPU while it was measured; its latency figures are not clean.`);
    if (!r.gc) out.push(`**WARNING** ${r.name} ran without gc(): its memory figures include garbage.`);
  }
  return out;
}

function targets(gateway) {
  const verdict = (ok) => (ok ? 'met' : '**NOT met**');
  return [
    `Targets for the gateway at ${SOCKETS} sockets (printed, not enforced):`,
    `- memory ≤ ${TARGET.kibPerSocket} KiB per open socket: ${verdict(gateway.rssKiB <= TARGET.kibPerSocket)} on RSS (${kib(gateway.rssKiB)} KiB), ` +
      `${verdict(gateway.heapKiB <= TARGET.kibPerSocket)} on heap (${kib(gateway.heapKiB)} KiB)`,
    `- delivery p99 ≤ ${TARGET.p99Ms} ms: ${verdict(gateway.p99 <= TARGET.p99Ms)} (${ms(gateway.p99)} ms)`,
  ];
}

async function main() {
  // Every phase has its own timeout; this is the backstop (children stop when this process exits).
  setTimeout(() => { process.stderr.write('bench:events took too long; giving up\n'); process.exit(1); }, 180_000 + 2_000 * (WARMUP + DURATION)).unref();
  const rows = [];
  for (const target of TARGETS) rows.push(await measure(target));
  const errors = problems(rows);
  const report = [
    `# Benchmark: live events over WebSocket (GET /v1/events)`,
    '',
    ...environment(command(['BENCH_SOCKETS', 'BENCH_RATE', 'BENCH_DURATION', 'BENCH_WARMUP'], 'bench:events', 'events.js')),
    `- Load: ${SOCKETS} sockets subscribed to \`tenant\`; POST /v1/conversations at ${RATE} req/s (${2 * RATE} events/s), ${WARMUP} s warm-up then ` +
      `${DURATION} s measured; one server at a time, each in its own process; sockets and load in the bench process, over 127.0.0.1`,
    '',
    table(rows),
    '',
    ...warmUpLine(rows),
    ...targets(rows[1]),
    '',
    ...(errors.length ? [...errors, ''] : ['Every socket received every event exactly once, in order; every POST was answered 201.', '']),
  ].join('\n');
  saveReport('events-latest.md', report, errors);
}

main().catch((error) => {
  process.stderr.write(`bench:events failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
