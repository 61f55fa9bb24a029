'use strict';
// Load test of POST /v1/conversations against a bare node:http baseline, measured in the same run.
// Each server runs in its own child process; autocannon drives them from this one, over 127.0.0.1.
// Usage: npm run bench   (env: BENCH_DURATION s, default 10; BENCH_WARMUP s, default 2; BENCH_CONNECTIONS, default 10)
const { fork } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');

const DURATION = envInt('BENCH_DURATION', 10, 1);
const WARMUP = envInt('BENCH_WARMUP', 2, 0);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 10, 1);
const START_TIMEOUT_MS = 30_000;

const BASELINE = 'bare node:http (no store, no auth)';
const GATEWAY = 'gateway `POST /v1/conversations` (SQLite, JWT, validation)';
const TARGETS = [
  { name: BASELINE, script: 'baseline.js' },
  { name: GATEWAY, script: 'gateway.js' },
];

function envInt(name, fallback, min) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number of at least ${min} (got "${raw}")`);
  }
  return value;
}

/** Forks a server script; resolves with the child and what it reported ({ url, token? }). */
function startServer(script) {
  const child = fork(join(__dirname, 'servers', script), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${script} did not start in time`)); }, START_TIMEOUT_MS);
    child.once('message', (info) => { clearTimeout(timer); resolve({ child, info }); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${script} exited with ${code} before listening`)); });
  });
}

/** Closes the IPC channel (the child then shuts down); kills it if it lingers. */
function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.disconnect();
  });
}

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

/** One fixed-duration autocannon run; latencies are kept unrounded (autocannon's are whole ms). */
async function load({ url, token }, duration) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const latencies = [];
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    requests: [{ method: 'POST', path: '/v1/conversations', headers, setupRequest: (req) => ({ ...req, body: nextBody() }) }],
  });
  instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  const codes = Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]);
  return {
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: at(0.5),
    p99: at(0.99),
    non201: codes.filter(([code]) => code !== '201').reduce((sum, [, count]) => sum + count, 0),
    codes,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

async function measure(target) {
  const { child, info } = await startServer(target.script);
  try {
    process.stderr.write(`${target.name}: warm-up ${WARMUP} s, then ${DURATION} s with ${CONNECTIONS} connections\n`);
    if (WARMUP > 0) await load(info, WARMUP);
    return { name: target.name, ...(await load(info, DURATION)) };
  } finally {
    await stopServer(child);
  }
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => n.toFixed(2);
const times = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a');

function table(rows) {
  const [base, gateway] = rows;
  const lines = [
    '| Server | Requests | req/s | p50 (ms) | p99 (ms) | non-201 | socket errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.name} | ${int(r.requests)} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.non201} | ${r.errors + r.timeouts} |`),
    `| **ratio gateway / baseline** | | ${times(gateway.rps / base.rps)} | ${times(gateway.p50 / base.p50)} | ${times(gateway.p99 / base.p99)} | | |`,
  ];
  return lines.join('\n');
}

function problems(rows) {
  return rows
    .filter((r) => r.non201 > 0 || r.errors > 0 || r.timeouts > 0 || r.requests === 0)
    .map((r) => `**ERRORS** in ${r.name}: ${r.non201} non-201 responses (status counts: ${r.codes.map(([c, n]) => `${c}×${n}`).join(', ') || 'none'}), ` +
      `${r.errors} socket errors, ${r.timeouts} timeouts, ${r.requests} responses. Its figures are not valid.`);
}

function command() {
  const vars = ['BENCH_DURATION', 'BENCH_WARMUP', 'BENCH_CONNECTIONS'].filter((v) => process.env[v]).map((v) => `${v}=${process.env[v]}`);
  return [...vars, process.env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'node bench/run.js'].join(' ');
}

async function main() {
  const rows = [];
  for (const target of TARGETS) rows.push(await measure(target));
  const errors = problems(rows);
  const cpus = os.cpus();
  const report = [
    `# Benchmark: POST /v1/conversations`,
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Node: ${process.version} on ${os.platform()} ${os.arch()}`,
    `- CPU: ${cpus[0] ? cpus[0].model.trim() : 'unknown'} (${cpus.length} logical cores)`,
    `- Command: \`${command()}\``,
    `- Load: autocannon, ${CONNECTIONS} connections, ${WARMUP} s warm-up then ${DURATION} s per server, one server at a time, each in its own process, over 127.0.0.1`,
    '',
    table(rows),
    '',
    ...(errors.length ? [...errors, ''] : ['All responses were 201.', '']),
  ].join('\n');
  process.stdout.write(`\n${report}`);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'latest.md'), report);
  process.stdout.write(`\nWritten to bench/results/latest.md\n`);
  if (errors.length) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
