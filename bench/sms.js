'use strict';
// Inbound-SMS webhook ingest: signed Twilio form posts to POST /webhooks/twilio/sms against the
// gateway and a hand-written express + twilio.webhook() + better-sqlite3 handler at equal
// durability, both SQLite synchronous = FULL and again both NORMAL (issue 20 asks for the ratio at
// each), and a bare node:http server, measured one after another in the same run, then two
// reference handlers for scale (servers/lean-sms.js: the gateway's frameworks without its layers,
// with and without storage). Those run at full speed; last, a fresh gateway at FULL is driven at a
// fixed 1,000 req/s (open loop, evenly spaced: lib/harness.js fixedRateRun) for issue 20's p99
// target. Each server runs in its own child process; the load is generated here over 127.0.0.1, and one WebSocket
// subscriber here counts the gateway's events. Every request is a distinct message, signed with
// Twilio's algorithm.
// Then the same on PostgreSQL (a fresh database per server run, dropped afterwards): the gateway as
// one instance, two instances on one database (+ Redis) sharing the load, an express +
// twilio.webhook() + pg handler, and the storing reference on pg for scale, with pg_stat_activity
// sampled for lock waits. Skipped, with the
// reason printed, when PostgreSQL does not answer.
// Last, the target pairs once more in alternating windows with both servers up (ROUNDS below), the fixed-rate
// gateway with the bare server at that rate among them: the verdicts use those.
// Usage: npm run bench:sms   (env: BENCH_DURATION s, default 10; BENCH_WARMUP s, default 10; BENCH_CONNECTIONS, default 10;
//   BENCH_ROUNDS, default 4 (0: none); BENCH_ROUND_SECONDS, default 5;
//   BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres; BENCH_REDIS_URL, default redis://127.0.0.1:6379)
const { randomBytes } = require('node:crypto');
const { readdirSync, readFileSync } = require('node:fs');
const { parsePhoneNumberFromString } = require('libphonenumber-js/max');
const { getExpectedTwilioSignature } = require('twilio/lib/webhooks/webhooks');
const { Client } = require('pg');
const Redis = require('ioredis');
const WebSocket = require('ws');
const {
  alternate, alternatedSection, median, envInt, startServer, stopServer, ask, machineBusyMs, loadRun, fixedRateRun, countBad, describeCodes, command, environment, int, ms, times, saveReport,
} = require('./lib/harness');

const DURATION = envInt('BENCH_DURATION', 10, 1);
// V8 keeps optimising the gateway's code for seconds under load: profiled on PostgreSQL, its
// optimising compiler took ~20% of the process's CPU over the first 8 s and ~2% after 15 s, and
// req/s rose by about half. A server's steady state is what is compared, so warm up that long.
const WARMUP = envInt('BENCH_WARMUP', 10, 0);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 10, 1);
// The target ratios are measured once more with both servers up, in alternating windows (lib/harness.js
// alternate): this machine's speed drifts between rows measured a minute apart, two windows seconds
// apart see the same machine. The verdicts use the median of these rounds.
const ROUNDS = envInt('BENCH_ROUNDS', 4, 0);
const ROUND_SECONDS = envInt('BENCH_ROUND_SECONDS', 5, 1);
// The fixed-rate pair too: at 1,000 req/s the gateway's p99 per 5-s window measured 8-99 ms minutes
// apart while the generator's own floor stayed at 2.5-6 ms, so one window says as much about the
// moment as about the gateway; its rounds give the latency verdict (median p99), beside each
// round's floor.
const ALTERNATED = [['gateway', 'express'], ['gatewayNormal', 'expressNormal'], ['gatewayRate', 'bareRate']];
const PG_ALTERNATED = [['gatewayPg', 'expressPg'], ['gatewayPg2', 'gatewayPg']];
const TAIL_MS = 5_000; // after the load, how long the subscriber may wait for the last events
// On SQLite, the gateway's req/s over each: issue 20 asks for ≥ 2× the express handler's at equal
// durability, checked with both at NORMAL and with both at FULL; bare is the FULL gateway over bare node:http.
const TARGET = { express: 2, bare: 0.35 };
// Issue 20 also asks for p99 ≤ 20 ms at 1,000 req/s: measured on the gateway at FULL (the durable setting).
const RATE_TARGET = { rate: 1000, p99Ms: 20 };
// A run that reached less than this share of the asked rate did not measure latency at that rate.
const KEPT_UP = 0.95;
// On PostgreSQL (issue 20): req/s ≥ the express + pg handler's, p99 ≤ 50 ms, lock waits < 10% of
// sampled active backends, two instances ≥ one.
const PG_TARGET = { express: 1, p99Ms: 50, lockShare: 0.1, twoOverOne: 1 };
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const SAMPLE_EVERY_MS = 200; // pg_stat_activity

const PUBLIC_BASE_URL = 'https://gateway.example.com';
const PATH = '/webhooks/twilio/sms';
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const TENANT_NUMBER = '+14155550100';
/** 1,000 customers, +1 415 200 0000 to +1 415 200 0999, all valid US numbers. */
const CUSTOMERS = Array.from({ length: 1000 }, (_, n) => `+14152${String(n).padStart(6, '0')}`);

/** The gateway's configuration for this bench, at SQLite `synchronous` = `sqliteSynchronous`. */
const gatewayConfig = (sqliteSynchronous) => ({
  http: { publicBaseUrl: PUBLIC_BASE_URL },
  database: { sqliteSynchronous },
  tenants: [{ id: 'acme', numbers: [TENANT_NUMBER] }],
  providers: { twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: 'http://127.0.0.1:9' } },
});
const GATEWAY_CONFIG = gatewayConfig('FULL');
const SIGNED_ENV = { BENCH_TWILIO_AUTH_TOKEN: AUTH_TOKEN, BENCH_WEBHOOK_URL: PUBLIC_BASE_URL + PATH };
// `durability` is the PRAGMA synchronous each must report (1 NORMAL, 2 FULL); `rate` is a fixed
// req/s for the measurement (none: as fast as the server answers).
const TARGETS = [
  { key: 'gateway', name: 'gateway (SQLite FULL; contacts, conversations, events)', script: 'gateway.js',
    args: ['supervisor'], subscribe: true, durability: 2, env: { BENCH_GATEWAY_CONFIG: JSON.stringify(GATEWAY_CONFIG) } },
  { key: 'express', name: 'express + twilio.webhook() + better-sqlite3 INSERT (FULL)', script: 'express-sms.js',
    countsRows: true, durability: 2, env: { ...SIGNED_ENV, BENCH_SQLITE_SYNCHRONOUS: 'FULL' } },
  // The same pair at NORMAL (the gateway's default): a commit waits for the WAL write, not for the
  // disk, so the ratio shows the code more than the storage.
  { key: 'gatewayNormal', name: 'gateway (SQLite NORMAL; contacts, conversations, events)', script: 'gateway.js',
    args: ['supervisor'], subscribe: true, durability: 1, env: { BENCH_GATEWAY_CONFIG: JSON.stringify(gatewayConfig('NORMAL')) } },
  { key: 'expressNormal', name: 'express + twilio.webhook() + better-sqlite3 INSERT (NORMAL)', script: 'express-sms.js',
    countsRows: true, durability: 1, env: { ...SIGNED_ENV, BENCH_SQLITE_SYNCHRONOUS: 'NORMAL' } },
  { key: 'bare', name: 'bare node:http (reads the body, answers 200)', script: 'sms-baseline.js' },
  // For scale, not targets: what the frameworks alone allow on this machine (servers/lean-sms.js).
  { key: 'lean', name: 'reference: fastify + signature check + hand-written SQLite rows (FULL) + event frame', script: 'lean-sms.js',
    args: ['storage'], subscribe: true, reference: true, durability: 2, env: SIGNED_ENV },
  // The same at NORMAL: what the gateway's target at NORMAL (2x the express handler) compares with.
  { key: 'leanNormal', name: 'reference: fastify + signature check + hand-written SQLite rows (NORMAL) + event frame', script: 'lean-sms.js',
    args: ['storage'], subscribe: true, reference: true, durability: 1, env: { ...SIGNED_ENV, BENCH_SQLITE_SYNCHRONOUS: 'NORMAL' } },
  { key: 'ceiling', name: 'reference: fastify + signature check + event frame, nothing stored', script: 'lean-sms.js',
    args: ['none'], subscribe: true, reference: true, env: SIGNED_ENV },
  // Issue 20's latency target is at a given load, not at saturation: a fresh gateway (FULL), warmed
  // up at full speed like the others, then measured at a fixed rate.
  { key: 'gatewayRate', name: `gateway (SQLite FULL) at a fixed ${int(RATE_TARGET.rate)} req/s`, script: 'gateway.js',
    args: ['supervisor'], subscribe: true, durability: 2, rate: RATE_TARGET.rate, env: { BENCH_GATEWAY_CONFIG: JSON.stringify(GATEWAY_CONFIG) } },
  // The floor of that measurement: the load generator's own scheduling and sockets, against a server that does nothing.
  { key: 'bareRate', name: `bare node:http at a fixed ${int(RATE_TARGET.rate)} req/s (the generator's floor)`, script: 'sms-baseline.js',
    rate: RATE_TARGET.rate },
];
// Each on a fresh PostgreSQL database (BENCH_DATABASE_URL), durability synchronous_commit = on.
const PG_TARGETS = [
  { key: 'gatewayPg', name: 'gateway on PostgreSQL, one instance (no Redis)', script: 'gateway.js', postgres: true,
    args: ['supervisor'], subscribe: true, durability: 'on', env: { BENCH_GATEWAY_CONFIG: JSON.stringify(GATEWAY_CONFIG) } },
  { key: 'gatewayPg2', name: 'gateway on PostgreSQL, two instances + Redis, connections split between them', script: 'gateway.js',
    postgres: true, instances: 2, redis: true, args: ['supervisor'], subscribe: true, durability: 'on',
    env: { BENCH_GATEWAY_CONFIG: JSON.stringify(GATEWAY_CONFIG) } },
  { key: 'expressPg', name: 'express + twilio.webhook() + pg INSERT (synchronous_commit on)', script: 'express-sms.js', postgres: true,
    countsRows: true, durability: 'on', env: { BENCH_TWILIO_AUTH_TOKEN: AUTH_TOKEN, BENCH_WEBHOOK_URL: PUBLIC_BASE_URL + PATH } },
  // For scale, not a target: the same kind of rows as the gateway's, by hand on pg (servers/lean-pg-store.js).
  { key: 'leanPg', name: 'reference: fastify + signature check + the same kind of rows by hand on pg + event frame', script: 'lean-sms.js',
    postgres: true, args: ['storage'], subscribe: true, reference: true, durability: 'on', env: SIGNED_ENV },
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

async function load(url, duration, rate) {
  const result = rate
    ? await fixedRateRun({ url: Array.isArray(url) ? url[0] : url, rate, duration, request: REQUEST })
    : await loadRun({ url, connections: CONNECTIONS, duration, request: REQUEST });
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

/** CPU time (µs) of the server children together. */
async function serverCpuMicros(children) {
  const answers = await Promise.all(children.map((child) => ask(child, 'memory', 'memory')));
  return answers.reduce((sum, a) => sum + a.cpuMicros, 0);
}

/**
 * CPU time (ms) of the PostgreSQL and Redis processes on this machine (comm `postgres` or
 * `redis-server`), from /proc; 0 where there is none. A backend that exits in between takes its
 * share with it, so this slightly undercounts.
 */
function storeCpuMs() {
  let ticks = 0;
  let pids = [];
  try { pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return 0; }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const end = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, end);
      if (comm !== 'postgres' && comm !== 'redis-server') continue;
      const fields = stat.slice(end + 2).split(' '); // from field 3 (state): utime and stime are fields 14 and 15
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch { /* the process is gone */ }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/**
 * CPU used from `from` until now, in % of one core: the server children, PostgreSQL and Redis
 * (store, when `from.store` was read), this process, everything else.
 */
async function cpuSince(children, from) {
  const wallMs = Date.now() - from.at;
  const server = ((await serverCpuMicros(children)) - from.server) / 10 / wallMs;
  const store = from.store === undefined ? 0 : ((storeCpuMs() - from.store) * 100) / wallMs;
  const own = process.cpuUsage(from.client);
  const client = (own.user + own.system) / 10 / wallMs;
  const machine = ((machineBusyMs() - from.machine) * 100) / wallMs;
  return { server, store, client, other: Math.max(0, machine - server - store - client) };
}

/** Whether PostgreSQL (and Redis, for two instances) answer: undefined, or why the PostgreSQL rows are skipped. */
async function postgresUnavailable() {
  const client = new Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    return `PostgreSQL at ${POSTGRES_URL} did not answer (${error && error.message ? error.message : error})`;
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    return `Redis at ${REDIS_URL} (for two instances) did not answer (${error && error.message ? error.message : error})`;
  } finally {
    redis.disconnect();
  }
  return undefined;
}

/** An empty database of its own on the bench server (as test/support/postgres.ts makes them), and how to drop it. */
async function createDatabase() {
  const name = `gw_bench_${randomBytes(6).toString('hex')}`;
  const admin = async (statement) => {
    const client = new Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try { await client.query(statement); } finally { await client.end(); }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * Samples pg_stat_activity every SAMPLE_EVERY_MS for the client backends of one database: how many
 * are active and how many of those wait on a heavyweight lock (wait_event_type 'Lock'), plus which
 * wait events the active ones are in. stop() resolves with the totals.
 */
function sampleBackends(database) {
  const client = new Client({ connectionString: POSTGRES_URL });
  const totals = { samples: 0, active: 0, lock: 0, maxLock: 0, waits: new Map(), error: undefined };
  let stopped = false;
  let timer;
  let running = Promise.resolve();
  const tick = () => {
    running = client.query(
      `SELECT state = 'active' AS active, wait_event_type AS type, wait_event AS event
         FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`, [database],
    ).then(({ rows }) => {
      const active = rows.filter((r) => r.active);
      const lock = active.filter((r) => r.type === 'Lock').length;
      totals.samples++;
      totals.active += active.length;
      totals.lock += lock;
      totals.maxLock = Math.max(totals.maxLock, lock);
      for (const r of active) {
        const wait = r.type ? `${r.type}:${r.event}` : 'CPU (no wait)';
        totals.waits.set(wait, (totals.waits.get(wait) || 0) + 1);
      }
    }, (error) => { totals.error = totals.error || error.message; })
      .finally(() => { if (!stopped) timer = setTimeout(tick, SAMPLE_EVERY_MS); });
  };
  const connected = client.connect().then(tick, (error) => { totals.error = error.message; });
  return {
    async stop() {
      stopped = true;
      await connected;
      clearTimeout(timer);
      await running;
      await client.end().catch(() => {});
      return totals;
    },
  };
}

/**
 * Starts a target: its server(s), on a fresh database where it runs on PostgreSQL, and the event
 * subscriber where it publishes; checks that a forged webhook is refused. close() stops it all.
 */
async function open(target) {
  const database = target.postgres ? await createDatabase() : undefined;
  const env = {
    ...target.env,
    ...(database ? { BENCH_DATABASE_URL: database.url } : {}),
    ...(target.redis ? { BENCH_REDIS_URL: REDIS_URL } : {}),
  };
  const run = { target, database, servers: [], feed: undefined };
  try {
    // One after the other: the first applies the migrations.
    for (let i = 0; i < (target.instances || 1); i++) run.servers.push(await startServer(target.script, { ...target, env }));
    const [{ info }] = run.servers;
    run.info = info;
    run.children = run.servers.map((s) => s.child);
    // autocannon spreads its connections over several URLs round-robin (5 + 5 of 10 for two).
    run.url = run.servers.length === 1 ? info.url : run.servers.map((s) => s.info.url);
    // The subscriber is on the first instance; with two, the second's events reach it through Redis.
    if (target.subscribe) run.feed = await subscribe(info.url, info.token);
    run.forged = await forgedStatus(info.url);
    return run;
  } catch (error) {
    await close(run);
    throw error;
  }
}

async function close(run) {
  pool.items = [];
  if (run.feed) { run.feed.closing = true; run.feed.socket.terminate(); }
  await Promise.all(run.servers.map((s) => stopServer(s.child)));
  if (run.database) await run.database.drop();
}

/**
 * One measured window of `duration` s on a started target, with the CPU used over it and, on
 * PostgreSQL, pg_stat_activity sampled. The messages are signed ahead: twice what `expectedRps`
 * needs (a warm-up's rate is low: a cold process, and signing on the fly), and at least 5,000 a
 * second; should the pool run out, the rest is signed on the fly (and reported). At a fixed rate,
 * exactly rate × duration are sent: twice that is plenty.
 */
async function window(run, duration, { rate, expectedRps } = {}) {
  const poolSize = Math.ceil((rate ? 2 * rate : Math.max(expectedRps ? expectedRps * 2 : 0, 5_000)) * duration);
  fillPool(poolSize);
  const sampler = run.database ? sampleBackends(run.database.name) : undefined;
  const from = {
    at: Date.now(), server: await serverCpuMicros(run.children), store: run.database ? storeCpuMs() : undefined, client: process.cpuUsage(), machine: machineBusyMs(),
  };
  const result = await load(run.url, duration, rate);
  const cpu = await cpuSince(run.children, from);
  const backends = sampler ? await sampler.stop() : undefined;
  return { ...result, poolSize, signedLive: pool.signedLive, cpu, backends };
}

/** A phase that answered anything but 2xx, lost a socket or got no response: its figures are not valid. */
const failed = (p) => p.non2xx || p.errors || p.timeouts || !p.requests;
/** When a phase stops, up to one request per connection is in flight: a count must lie between the answers and that many more. */
const matches = (n, r) => n >= r.answered && n <= r.answered + r.inFlight;

/** Waits (up to TAIL_MS) for the subscriber to count an event per answer. */
async function drainFeed(feed, answered) {
  for (const deadline = Date.now() + TAIL_MS; (feed.counts.get('sms.received') || 0) < answered && Date.now() < deadline;) await sleep(20);
  await sleep(250); // a surplus arriving late is still counted
}

async function measure(target) {
  const run = await open(target);
  try {
    process.stderr.write(`${target.name}: warm-up ${WARMUP} s, then ${DURATION} s with ${CONNECTIONS} connections` +
      `${target.rate ? ` at ${int(target.rate)} req/s` : ''}\n`);
    const warm = WARMUP > 0 ? await load(run.url, WARMUP) : undefined;
    const result = await window(run, DURATION, { rate: target.rate, expectedRps: warm && warm.rps });
    const phases = [warm, result].filter(Boolean);
    const answered = phases.reduce((sum, r) => sum + r.requests - r.non2xx, 0);
    // When a phase stops, up to one request per connection is in flight: handled, but not counted.
    const inFlight = CONNECTIONS * phases.length;
    const row = { ...target, ...result, warm, info: run.info, forged: run.forged, answered, inFlight };
    if (run.feed) {
      await drainFeed(run.feed, answered);
      row.feed = run.feed;
    }
    if (target.countsRows) row.stored = await ask(run.servers[0].child, 'stored', 'stored');
    return row;
  } finally {
    await close(run);
  }
}

/**
 * A target pair measured again in alternation (lib/harness.js alternate): both started and warmed
 * up, then ROUNDS windows of ROUND_SECONDS each, in turns. Every window must be all 2xx, and every
 * answer of a publishing server must reach its subscriber.
 */
async function measureAlternated([ofKey, baseKey], targetsByKey) {
  const runs = [];
  try {
    for (const key of [ofKey, baseKey]) runs.push(await open(targetsByKey[key]));
    process.stderr.write(`alternated: ${ofKey} and ${baseKey}, warm-up ${WARMUP} s each, then ${ROUNDS} rounds of ${ROUND_SECONDS} s each\n`);
    const warm = [];
    for (const run of runs) warm.push(WARMUP > 0 ? await load(run.url, WARMUP) : undefined);
    const windowOf = (i) => () => window(runs[i], ROUND_SECONDS, { rate: runs[i].target.rate, expectedRps: warm[i] && warm[i].rps });
    const result = await alternate(ROUNDS, windowOf(0), windowOf(1));
    const problems = [];
    runs.forEach((run, i) => {
      const phases = [warm[i], ...result.rounds.map((r) => (i === 0 ? r.a : r.b))].filter(Boolean);
      const bad = phases.filter(failed);
      if (bad.length) problems.push(`**ERRORS** alternated ${run.target.key}: ${bad.length} windows with non-2xx answers, socket errors or no response.`);
      run.answered = phases.reduce((sum, p) => sum + p.requests - p.non2xx, 0);
      run.inFlight = CONNECTIONS * phases.length;
    });
    for (const run of runs.filter((r) => r.feed)) {
      await drainFeed(run.feed, run.answered);
      const events = run.feed.counts.get('sms.received') || 0;
      if (!matches(events, run)) {
        problems.push(`**ERRORS** alternated ${run.target.key}: ${events} sms.received events for ${run.answered} 2xx answers (+ up to ${run.inFlight} in flight).`);
      }
    }
    const rate = runs[0].target.rate;
    // A fixed-rate pair is about latency: the median p99 of each side's windows.
    const latency = rate && {
      rate, p99: median(result.rounds.map((r) => r.a.p99)), floorP99: median(result.rounds.map((r) => r.b.p99)),
      p99Low: Math.min(...result.rounds.map((r) => r.a.p99)), p99High: Math.max(...result.rounds.map((r) => r.a.p99)),
      keptUp: result.rounds.every((r) => keptUp({ ...r.a, rate })),
    };
    return { of: ofKey, base: baseKey, ...result, ...latency, problems };
  } finally {
    for (const run of runs) await close(run);
  }
}

const ratioLine = (label, base, of) => `| **${label}** | | ${times(of.rps / base.rps)} | ${times(of.p50 / base.p50)} | ${times(of.p99 / base.p99)} | | |`;
const TABLE_HEAD = [
  '| Server | Requests | req/s | p50 (ms) | p99 (ms) | non-2xx | socket errors |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
];
const tableRow = (r) => `| ${r.name} | ${int(r.requests)} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.non2xx} | ${r.errors + r.timeouts} |`;

/** The full-speed SQLite rows (`k`: every SQLite row by key), with the gateway's ratios and the references'. */
function table(rows, k) {
  return [
    ...TABLE_HEAD,
    ...rows.map(tableRow),
    ratioLine('ratio gateway ÷ express handler, both FULL', k.express, k.gateway),
    ratioLine('ratio gateway ÷ express handler, both NORMAL', k.expressNormal, k.gatewayNormal),
    ratioLine('ratio gateway ÷ bare', k.bare, k.gateway),
    // A storing reference against the handler at its own durability (the one storing nothing against FULL's).
    ...rows.filter((r) => r.reference).flatMap((r) => [
      r.durability === 1 ? ratioLine(`ratio ${r.key} ÷ express handler, both NORMAL`, k.expressNormal, r) : ratioLine(`ratio ${r.key} ÷ express handler`, k.express, r),
      ratioLine(`ratio ${r.key} ÷ bare`, k.bare, r)]),
  ].join('\n');
}

/** The fixed-rate rows: the rate asked and the rate reached, with the latencies at it. */
function rateTable(rows) {
  return [
    '| Server | asked req/s | achieved req/s | Requests (1 s of settling included) | p50 (ms) | p99 (ms) | non-2xx | socket errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.name} | ${int(r.rate)} | ${int(r.rps)} | ${int(r.requests)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.non2xx} | ${r.errors + r.timeouts} |`),
  ].join('\n');
}

/** The alternated pairs' rounds under a caption, as report lines. */
const alternatedLines = (alternated) => {
  const full = alternated.filter((r) => !r.rate);
  const fixed = alternated.filter((r) => r.rate);
  return [
    ...(full.length ? ['', ...alternatedSection(full.map((r) => ({ ...r, label: `${r.of} ÷ ${r.base}` })), ROUND_SECONDS)] : []),
    ...(fixed.length ? ['', ...fixed.flatMap(rateRounds)] : []),
  ];
};

/** A fixed-rate pair's rounds: both p99s and the rate each reached. */
function rateRounds(pair) {
  const cell = (w) => `${ms(w.p99)} (${int(w.rps)} req/s)`;
  return [
    `At a fixed ${int(pair.rate)} req/s, alternated (${pair.rounds.length} rounds of ${ROUND_SECONDS} s per server, both warmed up at full speed first; ` +
      'the order swapped every round): p99 in ms, with the rate reached',
    '',
    `| p99 | ${pair.rounds.map((_, i) => `round ${i + 1}`).join(' | ')} | median |`,
    `| --- |${' ---: |'.repeat(pair.rounds.length + 1)}`,
    `| ${pair.of} | ${pair.rounds.map((r) => cell(r.a)).join(' | ')} | **${ms(pair.p99)}** |`,
    `| ${pair.base} | ${pair.rounds.map((r) => cell(r.b)).join(' | ')} | ${ms(pair.floorP99)} |`,
  ];
}


/**
 * A target ratio: the median of its alternated rounds where they ran (see ROUNDS), else the one
 * measured row after row; the text gives both.
 */
function targetRatio(k, alternated, of, base) {
  const once = k[of].rps / k[base].rps;
  const a = alternated.find((r) => r.of === of && r.base === base);
  if (!a) return { ratio: once, text: times(once) };
  return { ratio: a.median, text: `${times(a.median)}, the median of ${a.rounds.length} alternated rounds, ${times(a.low)}–${times(a.high)}; ${times(once)} row after row` };
}

function checks(rows) {
  const sync = sqliteSync;
  const count = (r, type) => r.feed.counts.get(type) || 0;
  const answers = (r) => `${int(r.answered)} 2xx answers counted (warm-up included; up to ${r.inFlight} more were in flight as phases stopped)`;
  const line = (r) => {
    if (r.reference) {
      return `- ${r.key} reference: the subscriber got ${int(count(r, 'sms.received'))} \`sms.received\` for ${answers(r)}` +
        (r.info.synchronous === undefined ? '' : `; SQLite synchronous = ${sync(r)}`);
    }
    if (r.feed) {
      return `- ${r.key}: SQLite synchronous = ${sync(r)}; the subscriber got ${int(count(r, 'sms.received'))} \`sms.received\` for ${answers(r)}, ` +
        `and ${int(count(r, 'conversation.created'))} \`conversation.created\` (one per new contact; ${int(CUSTOMERS.length)} customer numbers)`;
    }
    if (r.countsRows) return `- ${r.key} handler: SQLite synchronous = ${sync(r)}; ${int(r.stored)} rows stored for ${answers(r)}`;
    return undefined; // bare: nothing to count
  };
  return [
    `- a forged webhook (signature over other fields) was answered ${rows.map((r) => `${r.forged} by ${r.key}`).join(', ')}`,
    ...rows.map(line).filter(Boolean),
    `- CPU while measured, % of one core (server / load generator / everything else): ` +
      rows.map((r) => `${r.key} ${int(r.cpu.server)}% / ${int(r.cpu.client)}% / ${int(r.cpu.other)}%`).join('; '),
  ];
}

const sqliteSync = (r) => (SYNCHRONOUS[r.info.synchronous] || `unknown (${r.info.synchronous})`) +
  (r.info.walFlushed ? ' (committed at NORMAL, then the WAL flushed off the event loop before answering)' : '');
const answersText = (r) => `${int(r.answered)} 2xx answers counted (warm-up included; up to ${r.inFlight} more were in flight as phases stopped)`;
const lockShare = (b) => (b && b.active ? b.lock / b.active : NaN);
const percent = (n) => (Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : 'n/a');

/** The PostgreSQL rows: gateway one instance, two instances, express + pg, the hand-written reference; each with its ratios. */
function pgTable([one, two, express, lean], bare) {
  return [
    ...TABLE_HEAD,
    ...[one, two, express, lean].map(tableRow),
    ratioLine('ratio gateway-PG ÷ express + pg', express, one),
    ratioLine('ratio two instances ÷ one', one, two),
    ratioLine('ratio two instances ÷ express + pg', express, two),
    ratioLine('ratio gateway-PG ÷ bare', bare, one),
    ratioLine('ratio leanPg reference ÷ express + pg', express, lean),
    ratioLine('ratio gateway-PG ÷ leanPg reference', lean, one),
  ].join('\n');
}

function pgChecks(rows) {
  const waits = (b) => [...b.waits].sort((x, y) => y[1] - x[1]).slice(0, 4).map(([w, n]) => `${w} ${percent(n / b.active)}`).join(', ');
  return [
    `- a forged webhook was answered ${rows.map((r) => `${r.forged} by ${r.key}`).join(', ')}`,
    ...rows.map((r) => `- ${r.key}: synchronous_commit = ${r.info.synchronous}` +
      (r.feed ? `; the subscriber (on the first instance) got ${int(r.feed.counts.get('sms.received') || 0)} \`sms.received\` for ${answersText(r)}` : '') +
      (r.stored !== undefined ? `; ${int(r.stored)} rows stored for ${answersText(r)}` : '')),
    `- pg_stat_activity every ${SAMPLE_EVERY_MS} ms while measured (client backends of the run's database; lock-wait share = ` +
      'backends in wait_event_type \'Lock\' ÷ active backends, over all samples):',
    ...rows.map(({ key, backends: b }) => (b.samples
      ? `  - ${key}: ${b.samples} samples, ${(b.active / b.samples).toFixed(1)} active and ${(b.lock / b.samples).toFixed(1)} waiting on a Lock on average ` +
        `(at most ${b.maxLock}); **lock-wait share ${percent(lockShare(b))}**; active backends by wait: ${waits(b)}`
      : `  - ${key}: no samples (${b.error || 'none taken'})`)),
    `- CPU while measured, % of one core (gateway or handler processes together / PostgreSQL and Redis / load generator / everything else): ` +
      rows.map((r) => `${r.key} ${int(r.cpu.server)}% / ${int(r.cpu.store)}% / ${int(r.cpu.client)}% / ${int(r.cpu.other)}%`).join('; '),
  ];
}

function pgTargets([one, two, express, lean], alternated) {
  const verdict = (ok, figure) => `${ok ? 'met' : '**NOT met**'} (${figure})`;
  const k = { gatewayPg: one, gatewayPg2: two, expressPg: express };
  const overExpress = targetRatio(k, alternated, 'gatewayPg', 'expressPg');
  const twoOverOne = targetRatio(k, alternated, 'gatewayPg2', 'gatewayPg');
  return [
    'Targets for the gateway on PostgreSQL (issue 20; printed, not enforced):',
    `- req/s ≥ ${PG_TARGET.express}× the express + pg handler: ${verdict(overExpress.ratio >= PG_TARGET.express, overExpress.text)}`,
    `- p99 ≤ ${PG_TARGET.p99Ms} ms: one instance ${verdict(one.p99 <= PG_TARGET.p99Ms, `${ms(one.p99)} ms`)}; ` +
      `two instances ${verdict(two.p99 <= PG_TARGET.p99Ms, `${ms(two.p99)} ms`)}`,
    `- lock waits < ${percent(PG_TARGET.lockShare)} of sampled active backends: one instance ${verdict(lockShare(one.backends) < PG_TARGET.lockShare, percent(lockShare(one.backends)))}; ` +
      `two instances ${verdict(lockShare(two.backends) < PG_TARGET.lockShare, percent(lockShare(two.backends)))}`,
    `- two instances ≥ one, req/s: ${verdict(twoOverOne.ratio >= PG_TARGET.twoOverOne, twoOverOne.text)}`,
    ...alternatedLines(alternated),
    '',
    `For scale (not a target): the same kind of rows by hand on pg, each message on its own (servers/lean-pg-store.js), made ${times(lean.rps / express.rps)} ` +
      `the express + pg handler's req/s; the gateway (one instance) made ${times(one.rps / lean.rps)} the reference's.`,
  ];
}

function problems(rows) {
  const out = [];
  for (const r of rows) {
    for (const [label, p] of [['warm-up', r.warm], ['measurement', r]]) {
      if (p && failed(p)) {
        out.push(`**ERRORS** in ${r.name}, ${label}: ${p.non2xx} non-2xx answers to valid signed webhooks (status counts: ${describeCodes(p.codes)}), ` +
          `${p.errors} socket errors, ${p.timeouts} timeouts, ${p.requests} responses. Its figures are not valid.`);
      }
    }
    if (r.signedLive) out.push(`**WARNING** ${r.name}: the pool of ${int(r.poolSize)} signed messages ran out; ${int(r.signedLive)} were signed during the measurement (slower load generator).`);
    if (r.cpu.other > 15) out.push(`**WARNING** ${r.name}: other programs used ${int(r.cpu.other)}% CPU while it was measured; its figures are not clean.`);
  }
  for (const r of rows.filter((row) => row.feed)) {
    const { feed } = r;
    const events = feed.counts.get('sms.received') || 0;
    if (!matches(events, r)) out.push(`**ERRORS** ${r.key}: ${events} sms.received events for ${r.answered} 2xx answers (+ up to ${r.inFlight} in flight).`);
    if (feed.closedWith !== undefined) out.push(`**ERRORS** ${r.key}: the event socket closed with ${feed.closedWith} during the run.`);
    if (feed.errorFrames.length) out.push(`**ERRORS** ${r.key}: ${feed.errorFrames.length} error frames, e.g. ${feed.errorFrames[0]}.`);
  }
  for (const r of rows.filter((row) => row.countsRows)) {
    if (!matches(r.stored, r)) out.push(`**ERRORS** ${r.name}: ${r.stored} rows stored for ${r.answered} 2xx answers (+ up to ${r.inFlight} in flight).`);
  }
  for (const r of rows.filter((row) => row.script !== 'sms-baseline.js')) if (r.forged !== 403) out.push(`**ERRORS** ${r.name}: a forged webhook was answered ${r.forged}, not 403.`);
  for (const r of rows.filter((row) => row.durability !== undefined)) {
    if (r.info.synchronous !== r.durability) {
      out.push(r.postgres
        ? `**ERRORS** ${r.name}: synchronous_commit is ${r.info.synchronous}, not ${r.durability}.`
        : `**ERRORS** ${r.name}: SQLite synchronous is ${r.info.synchronous}, not ${SYNCHRONOUS[r.durability]} (${r.durability}).`);
    }
  }
  for (const r of rows.filter((row) => row.backends && row.backends.error)) out.push(`**WARNING** ${r.name}: pg_stat_activity sampling failed: ${r.backends.error}.`);
  for (const r of rows.filter((row) => row.rate && !keptUp(row))) {
    out.push(`**WARNING** ${r.name}: ${int(r.rps)} req/s reached of the ${int(r.rate)} asked; its latencies are not at that rate.`);
  }
  return out;
}

const keptUp = (r) => r.rps >= r.rate * KEPT_UP;

/** `k`: every SQLite row by key. */
function targets(k, alternated) {
  const { express, expressNormal, bare, lean, leanNormal, ceiling, gatewayNormal, gatewayRate: atRate } = k;
  const verdict = ({ ratio, text }, min) => `${ratio >= min ? 'met' : '**NOT met**'} (${text})`;
  const against = (r) => `${times(r.rps / express.rps)} the express handler at FULL, ${times(r.rps / expressNormal.rps)} at NORMAL, ${times(r.rps / bare.rps)} bare`;
  // Met only if the rate was reached too (in every round): a p99 at a lower rate says nothing about this one.
  const rounds = alternated.find((r) => r.of === 'gatewayRate');
  const once = `p99 ${ms(atRate.p99)} ms, p50 ${ms(atRate.p50)} ms, at ${int(atRate.rps)} req/s achieved` +
    `${keptUp(atRate) ? '' : `, short of ${int(atRate.rate)}`}` +
    (k.bareRate ? `; the generator's own floor there (bare node:http): p99 ${ms(k.bareRate.p99)} ms` : '');
  const latency = rounds
    ? `${rounds.p99 <= RATE_TARGET.p99Ms && rounds.keptUp ? 'met' : '**NOT met**'} (p99 ${ms(rounds.p99)} ms, the median of ${rounds.rounds.length} ` +
      `alternated windows, ${ms(rounds.p99Low)}–${ms(rounds.p99High)} ms${rounds.keptUp ? '' : ', the rate not reached in every window'}; ` +
      `the floor's median ${ms(rounds.floorP99)} ms; in the one ${DURATION}-s window: ${once})`
    : `${atRate.p99 <= RATE_TARGET.p99Ms && keptUp(atRate) ? 'met' : '**NOT met**'} (${once})`;
  return [
    'Targets for the gateway on SQLite (printed, not enforced):',
    `- req/s ≥ ${TARGET.express}× the express handler, both FULL: ${verdict(targetRatio(k, alternated, 'gateway', 'express'), TARGET.express)}`,
    `- req/s ≥ ${TARGET.express}× the express handler, both NORMAL: ${verdict(targetRatio(k, alternated, 'gatewayNormal', 'expressNormal'), TARGET.express)}`,
    `- ≥ ${TARGET.bare}× bare node:http: ${verdict(targetRatio(k, alternated, 'gateway', 'bare'), TARGET.bare)}`,
    `- p99 ≤ ${RATE_TARGET.p99Ms} ms at ${int(RATE_TARGET.rate)} req/s (FULL): ${latency}`,
    '',
    'For scale, the references (same frameworks, none of the gateway\'s layers):',
    `- storing the same kind of rows by hand, durably: ${against(lean)}`,
    `- the same at NORMAL: ${times(leanNormal.rps / expressNormal.rps)} the express handler at NORMAL; the gateway at NORMAL made ` +
      `${times(gatewayNormal.rps / leanNormal.rps)} the reference's`,
    `- storing nothing at all: ${against(ceiling)}`,
    ...alternatedLines(alternated),
  ];
}

async function main() {
  const invalid = CUSTOMERS.filter((n) => !parsePhoneNumberFromString(n)?.isValid());
  if (invalid.length) throw new Error(`invalid customer numbers, e.g. ${invalid[0]}`);
  const rows = [];
  for (const target of TARGETS) rows.push(await measure(target));
  const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
  const targetsByKey = Object.fromEntries([...TARGETS, ...PG_TARGETS].map((t) => [t.key, t]));
  const alternated = [];
  if (ROUNDS > 0) for (const pair of ALTERNATED) alternated.push(await measureAlternated(pair, targetsByKey));
  const pgSkipped = await postgresUnavailable();
  const pgRows = [];
  const pgAlternated = [];
  if (pgSkipped) process.stderr.write(`PostgreSQL rows skipped: ${pgSkipped}\n`);
  else {
    for (const target of PG_TARGETS) pgRows.push(await measure(target));
    if (ROUNDS > 0) for (const pair of PG_ALTERNATED) pgAlternated.push(await measureAlternated(pair, targetsByKey));
  }
  const errors = [...problems([...rows, ...pgRows]), ...[...alternated, ...pgAlternated].flatMap((r) => r.problems)];
  const postgres = pgSkipped
    ? ['## PostgreSQL', '', `Skipped: ${pgSkipped}. Set BENCH_POSTGRES_URL (and BENCH_REDIS_URL) to a server that answers.`]
    : ['## PostgreSQL', '', `A fresh database per server run on ${POSTGRES_URL} (dropped afterwards); two instances share one database and Redis at ${REDIS_URL}, ` +
        `autocannon spreading its ${CONNECTIONS} connections over both.`, '',
      pgTable(pgRows, byKey.bare), '', ...pgChecks(pgRows), '', ...pgTargets(pgRows, pgAlternated)];
  const report = [
    '# Benchmark: inbound SMS webhooks (POST /webhooks/twilio/sms)',
    '',
    ...environment(command(['BENCH_DURATION', 'BENCH_WARMUP', 'BENCH_CONNECTIONS', 'BENCH_ROUNDS', 'BENCH_ROUND_SECONDS', 'BENCH_POSTGRES_URL', 'BENCH_REDIS_URL'], 'bench:sms', 'sms.js')),
    `- Load: autocannon, ${CONNECTIONS} connections, ${WARMUP} s warm-up then ${DURATION} s per server, one server at a time, each in its own process, over 127.0.0.1; ` +
      'every request a distinct message signed with the Twilio algorithm (signed ahead of each measurement); ' +
      'as fast as the server answers, except the fixed-rate run (full-speed warm-up, then the rate)',
    '',
    table(rows.filter((r) => !r.rate), byKey),
    '',
    'At a fixed rate (open loop: request i is due at i ÷ rate seconds whatever the answers before it did, sent over keep-alive ' +
      'sockets as many as are in flight; each latency runs from the moment the request was due):',
    '',
    rateTable(rows.filter((r) => r.rate)),
    '',
    ...checks(rows),
    '',
    ...targets(byKey, alternated),
    '',
    ...postgres,
    '',
    ...(errors.length ? [...errors, ''] : ['Every webhook was answered 2xx, stored, and (gateway) published once.', '']),
  ].join('\n');
  saveReport('sms-latest.md', report, errors);
}

main().catch((error) => {
  process.stderr.write(`bench:sms failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
