'use strict';
// Load test of POST /v1/conversations against a bare node:http baseline and a hand-written express +
// jsonwebtoken + better-sqlite3 handler storing the same rows (servers/express-conversations.js),
// measured in the same run, and for scale a reference on the gateway's HTTP framework storing the
// same rows by hand (servers/lean-conversations.js). Each server runs in its own child process; autocannon drives them from
// this one, over 127.0.0.1.
// Usage: npm run bench   (env: BENCH_DURATION s, default 10; BENCH_WARMUP s, default 10; BENCH_CONNECTIONS, default 10;
//   BENCH_ROUNDS, default 4 (0: none); BENCH_ROUND_SECONDS, default 5)
const {
  alternate, alternatedSection, envInt, startServer, stopServer, loadRun, countBad, describeCodes, command, environment, int, ms, times, saveReport,
} = require('./lib/harness');

const DURATION = envInt('BENCH_DURATION', 10, 1);
// Long enough for V8 to finish optimising the gateway's code (see sms.js): steady states are compared.
const WARMUP = envInt('BENCH_WARMUP', 10, 0);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 10, 1);
// Then gateway and express handler once more, both up, in alternating windows (lib/harness.js
// alternate: this machine's speed drifts between rows measured a minute apart); the verdict uses
// the median of these rounds.
const ROUNDS = envInt('BENCH_ROUNDS', 4, 0);
const ROUND_SECONDS = envInt('BENCH_ROUND_SECONDS', 5, 1);

const BASELINE = 'bare node:http (no store, no auth)';
const GATEWAY = 'gateway `POST /v1/conversations` (SQLite, JWT, validation)';
const EXPRESS = 'express + jsonwebtoken + better-sqlite3, same rows (contact, conversation, chat interaction, 2 events)';
// For scale, not a target: the gateway's HTTP framework and the same rows by hand, one transaction per event-loop turn.
const LEAN = 'reference: fastify + jsonwebtoken + the same rows by hand, one transaction per event-loop turn';
const TARGETS = [
  { name: BASELINE, script: 'baseline.js' },
  { name: GATEWAY, script: 'gateway.js' },
  { name: EXPRESS, script: 'express-conversations.js' },
  { name: LEAN, script: 'lean-conversations.js' },
];
// Issue 20: the gateway at least 3× the hand-written handler's req/s (printed, not enforced).
const TARGET_OVER_EXPRESS = 3;
const SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

const runId = Date.now().toString(36);
let sequence = 0;
/** A new conversation per request: a unique chat session id, and phone numbers that vary. */
function nextBody() {
  const n = sequence++;
  return JSON.stringify({
    contact: { phone: `+1415555${String(n % 10000).padStart(4, '0')}`, name: 'Bench' },
    chat: { sessionId: `bench-${runId}-${n}` },
    context: { gps: [51.5, -0.12] },
  });
}

/** One fixed-duration run; counts responses other than 201. */
async function load({ url, token }, duration) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const request = { method: 'POST', path: '/v1/conversations', headers, setupRequest: (req) => ({ ...req, body: nextBody() }) };
  const result = await loadRun({ url, connections: CONNECTIONS, duration, request });
  return { ...result, non201: countBad(result.codes, (code) => code === '201') };
}

async function measure(target) {
  const { child, info } = await startServer(target.script);
  try {
    process.stderr.write(`${target.name}: warm-up ${WARMUP} s, then ${DURATION} s with ${CONNECTIONS} connections\n`);
    if (WARMUP > 0) await load(info, WARMUP);
    return { name: target.name, synchronous: info.synchronous, ...(await load(info, DURATION)) };
  } finally {
    await stopServer(child);
  }
}

/** The gateway (rows[1]) and the express handler (rows[2]) in alternating windows, both started and warmed up first. */
async function measureAlternated(gatewayTarget, expressTarget) {
  const started = [];
  try {
    for (const target of [gatewayTarget, expressTarget]) started.push(await startServer(target.script));
    process.stderr.write(`alternated: gateway and express handler, warm-up ${WARMUP} s each, then ${ROUNDS} rounds of ${ROUND_SECONDS} s each\n`);
    if (WARMUP > 0) for (const { info } of started) await load(info, WARMUP);
    const result = await alternate(ROUNDS, () => load(started[0].info, ROUND_SECONDS), () => load(started[1].info, ROUND_SECONDS));
    const bad = result.rounds.flatMap((r) => [r.a, r.b]).filter((w) => w.non201 || w.errors || w.timeouts || !w.requests);
    return { ...result, problems: bad.length ? [`**ERRORS** alternated: ${bad.length} windows with non-201 answers, socket errors or no response.`] : [] };
  } finally {
    for (const { child } of started) await stopServer(child);
  }
}

function table(rows) {
  const [base, gateway, express, lean] = rows;
  const lines = [
    '| Server | Requests | req/s | p50 (ms) | p99 (ms) | non-201 | socket errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.name} | ${int(r.requests)} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.non201} | ${r.errors + r.timeouts} |`),
    `| **ratio gateway / baseline** | | ${times(gateway.rps / base.rps)} | ${times(gateway.p50 / base.p50)} | ${times(gateway.p99 / base.p99)} | | |`,
    `| **ratio gateway / express handler** | | ${times(gateway.rps / express.rps)} | ${times(gateway.p50 / express.p50)} | ${times(gateway.p99 / express.p99)} | | |`,
    `| **ratio reference / express handler** | | ${times(lean.rps / express.rps)} | ${times(lean.p50 / express.p50)} | ${times(lean.p99 / express.p99)} | | |`,
  ];
  return lines.join('\n');
}

function problems(rows) {
  const [, gateway, express, lean] = rows;
  const durability = gateway.synchronous === express.synchronous && lean.synchronous === express.synchronous ? [] : [
    `**ERRORS** the gateway runs SQLite synchronous = ${gateway.synchronous}, the express handler ${express.synchronous}, ` +
    `the reference ${lean.synchronous}: not the same durability, the ratios are not valid.`];
  return durability.concat(rows
    .filter((r) => r.non201 > 0 || r.errors > 0 || r.timeouts > 0 || r.requests === 0)
    .map((r) => `**ERRORS** in ${r.name}: ${r.non201} non-201 responses (status counts: ${describeCodes(r.codes)}), ` +
      `${r.errors} socket errors, ${r.timeouts} timeouts, ${r.requests} responses. Its figures are not valid.`));
}

async function main() {
  const rows = [];
  for (const target of TARGETS) rows.push(await measure(target));
  const alt = ROUNDS > 0 ? await measureAlternated(TARGETS[1], TARGETS[2]) : undefined;
  const errors = [...problems(rows), ...(alt ? alt.problems : [])];
  const once = rows[1].rps / rows[2].rps;
  const ratio = alt ? alt.median : once;
  const report = [
    `# Benchmark: POST /v1/conversations`,
    '',
    ...environment(command(['BENCH_DURATION', 'BENCH_WARMUP', 'BENCH_CONNECTIONS', 'BENCH_ROUNDS', 'BENCH_ROUND_SECONDS'], 'bench', 'run.js')),
    `- Load: autocannon, ${CONNECTIONS} connections, ${WARMUP} s warm-up then ${DURATION} s per server, one server at a time, each in its own process, over 127.0.0.1`,
    '',
    table(rows),
    '',
    `- SQLite synchronous: gateway ${SYNCHRONOUS[rows[1].synchronous]}, express handler ${SYNCHRONOUS[rows[2].synchronous]}, ` +
      `reference ${SYNCHRONOUS[rows[3].synchronous]}`,
    `- For scale (not a target): the reference (the gateway's HTTP framework, the same rows by hand) made ${times(rows[3].rps / rows[2].rps)} ` +
      `the express handler's req/s row after row; the gateway made ${times(rows[1].rps / rows[3].rps)} the reference's.`,
    `- Target (issue 20; printed, not enforced): gateway ≥ ${TARGET_OVER_EXPRESS}× the express handler's req/s: ` +
      `${ratio >= TARGET_OVER_EXPRESS ? 'met' : '**NOT met**'} (` +
      (alt ? `${times(alt.median)}, the median of ${alt.rounds.length} alternated rounds, ${times(alt.low)}–${times(alt.high)}; ${times(once)} row after row)` : `${times(once)})`),
    '',
    ...(alt ? [...alternatedSection([{ ...alt, label: 'gateway ÷ express handler' }], ROUND_SECONDS), ''] : []),
    ...(errors.length ? [...errors, ''] : ['All responses were 201.', '']),
  ].join('\n');
  saveReport('latest.md', report, errors);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
