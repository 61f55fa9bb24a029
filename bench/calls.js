'use strict';
// Click-to-call overhead: the time from `POST /v1/conversations/:id/calls` leaving this process to
// the Twilio `Calls.json` POST arriving at a fake Twilio API (also in this process, so both times
// come from one clock), against the official `twilio` client's `calls.create()` with the same
// parameters, pointed at the same fake, in the same run. The gateway runs in its own child process.
// Usage: npm run bench:calls   (env: BENCH_CALLS, default 500 one at a time; BENCH_CONCURRENT_CALLS,
// default 2000; BENCH_CONCURRENCY, default 10 in flight; BENCH_WARMUP_CALLS, default 200)
const { randomBytes } = require('node:crypto');
const http = require('node:http');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { parsePhoneNumberFromString } = require('libphonenumber-js/max');
const { envInt, startServer, stopServer, ask, machineBusyMs, command, environment, int, ms, times, saveReport } = require('./lib/harness');
const { startFakeTwilioCalls } = require('./lib/fake-twilio-calls');

const dist = join(__dirname, '..', 'dist');
const { createTwilioClient } = require(join(dist, 'providers', 'twilio', 'twilio-client.js'));
const { newId } = require(join(dist, 'common', 'ids.js'));

const SEQUENTIAL = envInt('BENCH_CALLS', 500, 10);
const CONCURRENT = envInt('BENCH_CONCURRENT_CALLS', 2000, 10);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 10, 1);
const WARMUP = envInt('BENCH_WARMUP_CALLS', 200, 0);
const TOTAL = WARMUP + SEQUENTIAL + CONCURRENT; // calls (and conversations) per path
const REQUEST_TIMEOUT_MS = 10_000;
const RUN_LIMIT_MS = 10 * 60_000; // the whole run, whatever happens

const PUBLIC_BASE_URL = 'https://gateway.example.com';
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const TENANT_NUMBER = '+14155550100';
const AGENT_BODY = JSON.stringify({ agentEndpoint: 'sip:1001@pbx.example' });
const STATUS_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];
/** One customer per call: +1 415 200 0000 upwards, so each call's `To` identifies it at the fake. */
const PHONES = Array.from({ length: TOTAL }, (_, n) => `+14152${String(n).padStart(6, '0')}`);

const GATEWAY = 'gateway `POST /v1/conversations/:id/calls`';
const DIRECT = 'direct `twilio` client `calls.create()`';

/** The form Twilio must receive for a call to `to` with call id `callId` (the gateway's, or ours). */
function expectedForm(to, callId) {
  const query = `cid=${encodeURIComponent(callId)}`;
  return [
    ['From', TENANT_NUMBER], ['Method', 'POST'], ['StatusCallback', `${PUBLIC_BASE_URL}/webhooks/twilio/voice/status?${query}`],
    ...STATUS_EVENTS.map((e) => ['StatusCallbackEvent', e]), ['StatusCallbackMethod', 'POST'], ['To', to],
    ['Url', `${PUBLIC_BASE_URL}/webhooks/twilio/voice?${query}`],
  ];
}
const byName = (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0); // stable: repeated names keep their order
const sameForm = (params, expected) => JSON.stringify([...params].sort(byName)) === JSON.stringify(expected.sort(byName));

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function postJson(url, path, token, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer to ${path} within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs work(i) for every index, `concurrency` at a time; records when each began (performance.now()). */
async function inFlight(indices, concurrency, work) {
  const records = [];
  let next = 0;
  const worker = async () => {
    while (next < indices.length) {
      const i = indices[next++];
      const sent = performance.now();
      try {
        records.push({ i, sent, ...(await work(i)) });
      } catch (error) {
        records.push({ i, sent, error: String(error && error.message ? error.message : error) });
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, indices.length) }, worker));
  return { records, elapsed: performance.now() - start };
}

const percentile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);

/** A CPU reading, and the CPU used since one in % of one core: the gateway child (if any), this process, everything else. */
async function cpuMark(child) {
  return { at: Date.now(), own: process.cpuUsage(), machine: machineBusyMs(), server: child ? (await ask(child, 'memory', 'memory')).cpuMicros : 0 };
}
async function cpuSince(child, from) {
  const wallMs = Date.now() - from.at;
  const server = child ? ((await ask(child, 'memory', 'memory')).cpuMicros - from.server) / 10 / wallMs : 0;
  const own = process.cpuUsage(from.own);
  const client = (own.user + own.system) / 10 / wallMs;
  const machine = ((machineBusyMs() - from.machine) * 100) / wallMs;
  return { server, client, other: Math.max(0, machine - server - client) };
}

/**
 * One measured phase: places the calls for `indices`, then checks each against what the fake got
 * (one Calls.json with the expected form, and the CallSid it answered coming back) and computes
 * the overhead of each, receipt − send.
 */
async function phase({ fake, place, problems, name }, label, indices, concurrency) {
  fake.received.clear();
  const { records, elapsed } = await inFlight(indices, concurrency, place);
  const overheads = [];
  let bad = 0;
  for (const r of records) {
    const receipt = fake.received.get(PHONES[r.i]);
    const wrong = r.error || (!receipt && 'no Calls.json arrived') || (r.sid !== receipt.sid && `answered CallSid ${r.sid}, the fake sent ${receipt.sid}`) ||
      (!sameForm(receipt.params, expectedForm(PHONES[r.i], r.callId)) && `unexpected Calls.json form: ${receipt.params}`);
    if (wrong) {
      if (bad++ === 0) problems.push(`**ERRORS** ${name}, ${label}: call to ${PHONES[r.i]}: ${wrong}`);
    } else {
      overheads.push(receipt.at - r.sent);
    }
  }
  if (bad > 1) problems.push(`**ERRORS** ${name}, ${label}: ${bad} calls failed in all.`);
  if (fake.received.size !== indices.length) problems.push(`**ERRORS** ${name}, ${label}: the fake got ${fake.received.size} distinct calls for ${indices.length}.`);
  const sorted = Float64Array.from(overheads).sort();
  return { name, label, calls: records.length, rate: records.length / (elapsed / 1000), p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

const range = (start, count) => Array.from({ length: count }, (_, k) => start + k);

/** Warm-up (checked, not reported), then one at a time, then `CONCURRENCY` in flight; CPU over both. */
async function measure(target) {
  process.stderr.write(`${target.name}: ${WARMUP} warm-up calls, ${SEQUENTIAL} one at a time, ${CONCURRENT} with ${CONCURRENCY} in flight\n`);
  if (WARMUP > 0) await phase(target, 'warm-up', range(0, WARMUP), CONCURRENCY);
  const from = await cpuMark(target.child);
  const rows = [
    await phase(target, 'one at a time', range(WARMUP, SEQUENTIAL), 1),
    await phase(target, `${CONCURRENCY} in flight`, range(WARMUP + SEQUENTIAL, CONCURRENT), CONCURRENCY),
  ];
  const cpu = await cpuSince(target.child, from);
  if (cpu.other > 15) target.problems.push(`**WARNING** ${target.name}: other programs used ${int(cpu.other)}% CPU while it was measured; its figures are not clean.`);
  return Object.assign(rows, { cpu });
}

async function measureGateway(fake, problems) {
  const config = {
    http: { publicBaseUrl: PUBLIC_BASE_URL },
    tenants: [{ id: 'acme', numbers: [TENANT_NUMBER], voiceProvider: 'twilio' }],
    providers: { twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: fake.url } },
  };
  const { child, info } = await startServer('gateway.js', { env: { BENCH_GATEWAY_CONFIG: JSON.stringify(config) } });
  try {
    // One conversation per call (each may have one live call), created first and not timed.
    process.stderr.write(`gateway: creating ${TOTAL} conversations\n`);
    const conversations = new Array(TOTAL);
    const created = await inFlight(range(0, TOTAL), CONCURRENCY, async (i) => {
      const res = await postJson(info.url, '/v1/conversations', info.token, JSON.stringify({ contact: { phone: PHONES[i], name: 'Bench' } }));
      if (res.status !== 201) throw new Error(`POST /v1/conversations answered ${res.status}: ${res.text.slice(0, 200)}`);
      conversations[i] = JSON.parse(res.text).id;
      return {};
    });
    const failed = created.records.find((r) => r.error);
    if (failed) throw new Error(failed.error);

    const place = async (i) => {
      const res = await postJson(info.url, `/v1/conversations/${conversations[i]}/calls`, info.token, AGENT_BODY);
      if (res.status !== 202) return { error: `answered ${res.status}: ${res.text.slice(0, 200)}` };
      const call = JSON.parse(res.text);
      if (call.state !== 'initiating') return { error: `call state ${call.state} (end reason ${call.endReason})` };
      return { callId: call.id, sid: call.providerRef };
    };
    return await measure({ fake, child, place, problems, name: GATEWAY });
  } finally {
    await stopServer(child);
  }
}

async function measureDirect(fake, problems) {
  const client = createTwilioClient(ACCOUNT_SID, AUTH_TOKEN, fake.url); // as the gateway builds its own
  const place = async (i) => {
    const callId = newId();
    const query = `cid=${encodeURIComponent(callId)}`;
    const created = await client.calls.create({
      to: PHONES[i], from: TENANT_NUMBER, url: `${PUBLIC_BASE_URL}/webhooks/twilio/voice?${query}`, method: 'POST',
      statusCallback: `${PUBLIC_BASE_URL}/webhooks/twilio/voice/status?${query}`, statusCallbackEvent: STATUS_EVENTS, statusCallbackMethod: 'POST',
    });
    return { callId, sid: created.sid };
  };
  return measure({ fake, child: undefined, place, problems, name: DIRECT });
}

function table(gateway, direct) {
  const row = (r) => `| ${r.name} | ${r.label} | ${int(r.calls)} | ${int(r.rate)} | ${ms(r.p50)} | ${ms(r.p99)} |`;
  const ratio = (g, d) => `| **ratio gateway ÷ direct** | ${g.label} | | ${times(g.rate / d.rate)} | ${times(g.p50 / d.p50)} | ${times(g.p99 / d.p99)} |`;
  return [
    '| Path | Mode | Calls | calls/s | p50 (ms) | p99 (ms) |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...gateway.map(row), ...direct.map(row),
    ...gateway.map((g, k) => ratio(g, direct[k])),
  ].join('\n');
}

async function main() {
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench:calls did not finish within ${RUN_LIMIT_MS / 1000} s\n`);
    process.exit(1); // the gateway child sees the IPC channel close, shuts down and removes its files
  }, RUN_LIMIT_MS);
  watchdog.unref();
  if (TOTAL > 10_000) throw new Error(`warm-up + calls must be at most 10,000 (one customer number each; got ${TOTAL})`);
  const invalid = PHONES.filter((n) => !parsePhoneNumberFromString(n)?.isValid());
  if (invalid.length) throw new Error(`invalid customer numbers, e.g. ${invalid[0]}`);

  const fake = await startFakeTwilioCalls(ACCOUNT_SID, AUTH_TOKEN);
  const problems = [];
  let gateway;
  let direct;
  try {
    gateway = await measureGateway(fake, problems);
    direct = await measureDirect(fake, problems);
  } finally {
    agent.destroy();
    await fake.close();
  }
  if (fake.refused.length) problems.push(`**ERRORS** the fake refused ${fake.refused.length} requests, e.g. ${fake.refused[0]}.`);

  const cpu = ({ cpu: c }) => `${int(c.server)}% / ${int(c.client)}% / ${int(c.other)}%`;
  const report = [
    '# Benchmark: click-to-call overhead (API request in → Twilio `Calls.json` out)',
    '',
    ...environment(command(['BENCH_CALLS', 'BENCH_CONCURRENT_CALLS', 'BENCH_CONCURRENCY', 'BENCH_WARMUP_CALLS'], 'bench:calls', 'calls.js')),
    `- Calls per path: ${int(WARMUP)} warm-up (${CONCURRENCY} in flight, not reported), then ${int(SEQUENTIAL)} one at a time, then ${int(CONCURRENT)} with ${CONCURRENCY} in flight; ` +
      'a fake Twilio Calls API in the bench process, the gateway (SQLite, default synchronous) in its own child process, over 127.0.0.1',
    '- p50 / p99: Calls.json arrival at the fake minus the moment the request (the gateway\'s API call, or `calls.create()`) was sent, same clock; ' +
      'calls/s: calls over the time until the last answer (the gateway\'s 202, or `calls.create()` resolving)',
    '',
    table(gateway, direct),
    '',
    `- the gateway adds ${ms(gateway[0].p50 - direct[0].p50)} ms at p50 and ${ms(gateway[0].p99 - direct[0].p99)} ms at p99 one at a time; ` +
      `${ms(gateway[1].p50 - direct[1].p50)} ms and ${ms(gateway[1].p99 - direct[1].p99)} ms with ${CONCURRENCY} in flight`,
    `- CPU while measured, % of one core (gateway process / bench process: client and fake / everything else): gateway path ${cpu(gateway)}; direct path ${cpu(direct)}`,
    '',
    ...(problems.length ? [...problems, ''] : ['Every call reached the fake once, with the expected form and credentials; every gateway call was answered 202 with the fake\'s CallSid.', '']),
  ].join('\n');
  saveReport('calls-latest.md', report, problems);
}

main().catch((error) => {
  process.stderr.write(`bench:calls failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
