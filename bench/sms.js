'use strict';
// Inbound-SMS webhook ingest: signed Twilio form posts to POST /webhooks/twilio/sms against the
// gateway, a hand-written express + twilio.webhook() + better-sqlite3 handler and a bare node:http
// server, measured one after another in the same run, then two reference handlers for scale
// (servers/lean-sms.js: the gateway's frameworks without its layers, with and without storage). Each server runs in its own child process;
// autocannon drives them from this one over 127.0.0.1, and one WebSocket subscriber here counts
// the gateway's events. Every request is a distinct message, signed with Twilio's algorithm.
// Usage: npm run bench:sms   (env: BENCH_DURATION s, default 10; BENCH_WARMUP s, default 2; BENCH_CONNECTIONS, default 10)
const { randomBytes } = require('node:crypto');
const { parsePhoneNumberFromString } = require('libphonenumber-js/max');
const { getExpectedTwilioSignature } = require('twilio/lib/webhooks/webhooks');
const WebSocket = require('ws');
const {
  envInt, startServer, stopServer, ask, machineBusyMs, loadRun, countBad, describeCodes, command, environment, int, ms, times, saveReport,
} = require('./lib/harness');

const DURATION = envInt('BENCH_DURATION', 10, 1);
const WARMUP = envInt('BENCH_WARMUP', 2, 0);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 10, 1);
const TAIL_MS = 5_000; // after the load, how long the subscriber may wait for the last events
const TARGET = { express: 2.5, bare: 0.35 }; // the gateway's req/s over each, on SQLite

const PUBLIC_BASE_URL = 'https://gateway.example.com';
const PATH = '/webhooks/twilio/sms';
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const TENANT_NUMBER = '+14155550100';
/** 1,000 customers, +1 415 200 0000 to +1 415 200 0999, all valid US numbers. */
const CUSTOMERS = Array.from({ length: 1000 }, (_, n) => `+14152${String(n).padStart(6, '0')}`);

const GATEWAY_CONFIG = {
  http: { publicBaseUrl: PUBLIC_BASE_URL },
  database: { sqliteSynchronous: 'FULL' },
  tenants: [{ id: 'acme', numbers: [TENANT_NUMBER] }],
  providers: { twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: 'http://127.0.0.1:9' } },
};
const TARGETS = [
  { key: 'gateway', name: 'gateway (SQLite FULL; contacts, conversations, events)', script: 'gateway.js',
    args: ['supervisor'], env: { BENCH_GATEWAY_CONFIG: JSON.stringify(GATEWAY_CONFIG) } },
  { key: 'express', name: 'express + twilio.webhook() + better-sqlite3 INSERT (FULL)', script: 'express-sms.js',
    env: { BENCH_TWILIO_AUTH_TOKEN: AUTH_TOKEN, BENCH_WEBHOOK_URL: PUBLIC_BASE_URL + PATH } },
  { key: 'bare', name: 'bare node:http (reads the body, answers 200)', script: 'sms-baseline.js' },
  // For scale, not targets: what the frameworks alone allow on this machine (servers/lean-sms.js).
  { key: 'lean', name: 'reference: fastify + signature check + hand-written SQLite rows (FULL) + event frame', script: 'lean-sms.js',
    args: ['storage'], subscribe: true, env: { BENCH_TWILIO_AUTH_TOKEN: AUTH_TOKEN, BENCH_WEBHOOK_URL: PUBLIC_BASE_URL + PATH } },
  { key: 'ceiling', name: 'reference: fastify + signature check + event frame, nothing stored', script: 'lean-sms.js',
    args: ['none'], subscribe: true, env: { BENCH_TWILIO_AUTH_TOKEN: AUTH_TOKEN, BENCH_WEBHOOK_URL: PUBLIC_BASE_URL + PATH } },
];
const SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
const sleep = (t) => new Promise((resolve) => setTimeout(resolve, t));

const runId = randomBytes(8).toString('hex');
let sequence = 0;
/** The next distinct inbound message (Twilio's fields), form-encoded and signed as Twilio signs it. */
function signedMessage() {
  const n = sequence++;
  const sid = `SM${runId}${n.toString(16).padStart(16, '0')}`;
  const params = {
    ToCountry: 'US', ToState: 'CA', ToCity: 'SAN FRANCISCO', ToZip: '94105', SmsMessageSid: sid, NumMedia: '0',
    FromCountry: 'US', FromState: 'CA', FromCity: 'SAN FRANCISCO', FromZip: '94107', SmsSid: sid, SmsStatus: 'received',
    Body: `Hi, any news on claim ${4000 + (n % 5000)}? Thanks`, To: TENANT_NUMBER, NumSegments: '1', MessageSid: sid,
    AccountSid: ACCOUNT_SID, From: CUSTOMERS[n % CUSTOMERS.length], ApiVersion: '2010-04-01',
  };
  return { body: new URLSearchParams(params).toString(), signature: getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_BASE_URL + PATH, params) };
}

/** Messages signed ahead of a measurement, so the load generator only picks the next one. */
const pool = { items: [], next: 0, signedLive: 0 };
function fillPool(count) {
  pool.items = Array.from({ length: count }, signedMessage);
  pool.next = 0;
  pool.signedLive = 0;
}
function takeMessage() {
  if (pool.next < pool.items.length) return pool.items[pool.next++];
  pool.signedLive++;
  return signedMessage();
}

const REQUEST = {
  method: 'POST', path: PATH, headers: { 'content-type': 'application/x-www-form-urlencoded' },
  setupRequest: (req) => { // req and req.headers are fresh copies per request
    const { body, signature } = takeMessage();
    req.body = body;
    req.headers['x-twilio-signature'] = signature;
    return req;
  },
};

async function load(url, duration) {
  const result = await loadRun({ url, connections: CONNECTIONS, duration, request: REQUEST });
  return { ...result, non2xx: countBad(result.codes, (code) => code.startsWith('2')) };
}

/** The status a forged webhook gets (a real signature over other fields): 403 where validation is on. */
async function forgedStatus(url) {
  const { body, signature } = signedMessage();
  const res = await fetch(url + PATH, {
    method: 'POST', body: body.replace('Body=Hi', 'Body=Yo'),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
  });
  await res.arrayBuffer();
  return res.status;
}

/** One socket on /v1/events subscribed to the tenant topic, counting the events it gets by type. */
function subscribe(url, token) {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/events`, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
  const feed = { socket, counts: new Map(), errorFrames: [], closedWith: undefined, closing: false };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the event socket was not subscribed within 15 s')), 15_000);
    socket.once('open', () => socket.send(JSON.stringify({ op: 'subscribe', topics: ['tenant'] })));
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.op === 'event') feed.counts.set(frame.event.type, (feed.counts.get(frame.event.type) || 0) + 1);
      else if (frame.op === 'subscribed') { clearTimeout(timer); resolve(feed); }
      else if (frame.op === 'error') feed.errorFrames.push(data.toString());
    });
    socket.once('unexpected-response', (_req, res) => reject(new Error(`event socket upgrade refused: ${res.statusCode}`)));
    socket.on('error', reject);
    socket.on('close', (code) => {
      if (feed.closing) return;
      feed.closedWith = code;
      reject(new Error(`event socket closed with ${code}`));
    });
  });
}

/** CPU used from `from` until now, in % of one core: the server child, this process, everything else. */
async function cpuSince(child, from) {
  const wallMs = Date.now() - from.at;
  const server = ((await ask(child, 'memory', 'memory')).cpuMicros - from.server) / 10 / wallMs;
  const own = process.cpuUsage(from.client);
  const client = (own.user + own.system) / 10 / wallMs;
  const machine = ((machineBusyMs() - from.machine) * 100) / wallMs;
  return { server, client, other: Math.max(0, machine - server - client) };
}

async function measure(target) {
  const { child, info } = await startServer(target.script, target);
  let feed;
  try {
    if (target.key === 'gateway' || target.subscribe) feed = await subscribe(info.url, info.token);
    const forged = await forgedStatus(info.url);
    process.stderr.write(`${target.name}: warm-up ${WARMUP} s, then ${DURATION} s with ${CONNECTIONS} connections\n`);
    const warm = WARMUP > 0 ? await load(info.url, WARMUP) : undefined;
    // Twice what the warm-up rate needs (it is low: a cold process, and signing on the fly), and at
    // least 5,000 a second; should the pool run out, the rest is signed on the fly (and reported).
    const poolSize = Math.ceil(Math.max(warm ? warm.rps * 2 : 0, 5_000) * DURATION);
    fillPool(poolSize);
    const from = { at: Date.now(), server: (await ask(child, 'memory', 'memory')).cpuMicros, client: process.cpuUsage(), machine: machineBusyMs() };
    const result = await load(info.url, DURATION);
    const cpu = await cpuSince(child, from);
    const phases = [warm, result].filter(Boolean);
    const answered = phases.reduce((sum, r) => sum + r.requests - r.non2xx, 0);
    // When a phase stops, up to one request per connection is in flight: handled, but not counted.
    const inFlight = CONNECTIONS * phases.length;
    const row = { ...target, ...result, warm, info, forged, answered, inFlight, poolSize, signedLive: pool.signedLive, cpu };
    if (feed) {
      for (const deadline = Date.now() + TAIL_MS; (feed.counts.get('sms.received') || 0) < answered && Date.now() < deadline;) await sleep(20);
      await sleep(250); // a surplus arriving late is still counted
      row.feed = feed;
    }
    if (target.key === 'express') row.stored = await ask(child, 'stored', 'stored');
    return row;
  } finally {
    pool.items = [];
    if (feed) { feed.closing = true; feed.socket.terminate(); }
    await stopServer(child);
  }
}

function table(rows) {
  const [gateway, express, bare] = rows;
  const ratio = (label, base, of = gateway) => `| **${label}** | | ${times(of.rps / base.rps)} | ${times(of.p50 / base.p50)} | ${times(of.p99 / base.p99)} | | |`;
  return [
    '| Server | Requests | req/s | p50 (ms) | p99 (ms) | non-2xx | socket errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.name} | ${int(r.requests)} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.non2xx} | ${r.errors + r.timeouts} |`),
    ratio('ratio gateway ÷ express handler', express),
    ratio('ratio gateway ÷ bare', bare),
    ...rows.slice(3).flatMap((r) => [ratio(`ratio ${r.key} ÷ express handler`, express, r), ratio(`ratio ${r.key} ÷ bare`, bare, r)]),
  ].join('\n');
}

function checks(rows) {
  const [gateway, express] = rows;
  const count = (type) => gateway.feed.counts.get(type) || 0;
  const sync = (r) => SYNCHRONOUS[r.info.synchronous] || `unknown (${r.info.synchronous})`;
  const answers = (r) => `${int(r.answered)} 2xx answers counted (warm-up included; up to ${r.inFlight} more were in flight as phases stopped)`;
  return [
    `- a forged webhook (signature over other fields) was answered ${rows.map((r) => `${r.forged} by ${r.key}`).join(', ')}`,
    `- gateway: SQLite synchronous = ${sync(gateway)}; the subscriber got ${int(count('sms.received'))} \`sms.received\` for ${answers(gateway)}, ` +
      `and ${int(count('conversation.created'))} \`conversation.created\` (one per new contact; ${int(CUSTOMERS.length)} customer numbers)`,
    `- express handler: SQLite synchronous = ${sync(express)}; ${int(express.stored)} rows stored for ${answers(express)}`,
    ...rows.slice(3).map((r) => `- ${r.key} reference: the subscriber got ${int(r.feed.counts.get('sms.received') || 0)} \`sms.received\` for ${answers(r)}` +
      (r.info.synchronous === undefined ? '' : `; SQLite synchronous = ${sync(r)}`)),
    `- CPU while measured, % of one core (server / load generator / everything else): ` +
      rows.map((r) => `${r.key} ${int(r.cpu.server)}% / ${int(r.cpu.client)}% / ${int(r.cpu.other)}%`).join('; '),
  ];
}

function problems(rows) {
  const out = [];
  for (const r of rows) {
    for (const [label, p] of [['warm-up', r.warm], ['measurement', r]]) {
      if (p && (p.non2xx || p.errors || p.timeouts || !p.requests)) {
        out.push(`**ERRORS** in ${r.name}, ${label}: ${p.non2xx} non-2xx answers to valid signed webhooks (status counts: ${describeCodes(p.codes)}), ` +
          `${p.errors} socket errors, ${p.timeouts} timeouts, ${p.requests} responses. Its figures are not valid.`);
      }
    }
    if (r.signedLive) out.push(`**WARNING** ${r.name}: the pool of ${int(r.poolSize)} signed messages ran out; ${int(r.signedLive)} were signed during the measurement (slower load generator).`);
    if (r.cpu.other > 15) out.push(`**WARNING** ${r.name}: other programs used ${int(r.cpu.other)}% CPU while it was measured; its figures are not clean.`);
  }
  const [gateway, express, , lean] = rows;
  const matches = (n, r) => n >= r.answered && n <= r.answered + r.inFlight;
  for (const r of rows.filter((row) => row.feed)) {
    const { feed } = r;
    const events = feed.counts.get('sms.received') || 0;
    if (!matches(events, r)) out.push(`**ERRORS** ${r.key}: ${events} sms.received events for ${r.answered} 2xx answers (+ up to ${r.inFlight} in flight).`);
    if (feed.closedWith !== undefined) out.push(`**ERRORS** ${r.key}: the event socket closed with ${feed.closedWith} during the run.`);
    if (feed.errorFrames.length) out.push(`**ERRORS** ${r.key}: ${feed.errorFrames.length} error frames, e.g. ${feed.errorFrames[0]}.`);
  }
  if (!matches(express.stored, express)) out.push(`**ERRORS** express handler: ${express.stored} rows stored for ${express.answered} 2xx answers (+ up to ${express.inFlight} in flight).`);
  for (const r of rows.filter((row) => row.key !== 'bare')) if (r.forged !== 403) out.push(`**ERRORS** ${r.name}: a forged webhook was answered ${r.forged}, not 403.`);
  for (const r of [gateway, express, lean]) if (r.info.synchronous !== 2) out.push(`**ERRORS** ${r.name}: SQLite synchronous is ${r.info.synchronous}, not FULL (2).`);
  return out;
}

function targets([gateway, express, bare, lean, ceiling]) {
  const verdict = (ratio, min) => `${ratio >= min ? 'met' : '**NOT met**'} (${times(ratio)})`;
  const against = (r) => `${times(r.rps / express.rps)} the express handler, ${times(r.rps / bare.rps)} bare`;
  return [
    'Targets for the gateway on SQLite, req/s (printed, not enforced):',
    `- ≥ ${TARGET.express}× the express handler: ${verdict(gateway.rps / express.rps, TARGET.express)}`,
    `- ≥ ${TARGET.bare}× bare node:http: ${verdict(gateway.rps / bare.rps, TARGET.bare)}`,
    '',
    'For scale, the two references (same frameworks, none of the gateway\'s layers):',
    `- storing the same kind of rows by hand, durably: ${against(lean)}`,
    `- storing nothing at all: ${against(ceiling)}`,
  ];
}

async function main() {
  const invalid = CUSTOMERS.filter((n) => !parsePhoneNumberFromString(n)?.isValid());
  if (invalid.length) throw new Error(`invalid customer numbers, e.g. ${invalid[0]}`);
  const rows = [];
  for (const target of TARGETS) rows.push(await measure(target));
  const errors = problems(rows);
  const report = [
    '# Benchmark: inbound SMS webhooks (POST /webhooks/twilio/sms)',
    '',
    ...environment(command(['BENCH_DURATION', 'BENCH_WARMUP', 'BENCH_CONNECTIONS'], 'bench:sms', 'sms.js')),
    `- Load: autocannon, ${CONNECTIONS} connections, ${WARMUP} s warm-up then ${DURATION} s per server, one server at a time, each in its own process, over 127.0.0.1; ` +
      'every request a distinct message signed with the Twilio algorithm (signed ahead of each measurement)',
    '',
    table(rows),
    '',
    ...checks(rows),
    '',
    ...targets(rows),
    '',
    ...(errors.length ? [...errors, ''] : ['Every webhook was answered 2xx, stored, and (gateway) published once.', '']),
  ].join('\n');
  saveReport('sms-latest.md', report, errors);
}

main().catch((error) => {
  process.stderr.write(`bench:sms failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
