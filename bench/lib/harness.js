'use strict';
// Shared by bench/run.js and bench/sms.js: settings from the environment, server child processes,
// one autocannon run with unrounded latencies, CPU readings, and the report's header lines.
const { fork } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const http = require('node:http');
const autocannon = require('autocannon');

const START_TIMEOUT_MS = 30_000;

function envInt(name, fallback, min) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number of at least ${min} (got "${raw}")`);
  }
  return value;
}

/** Forks bench/servers/<script>; resolves with the child and what it reported ({ url, token?, ... }). */
function startServer(script, { args = [], env, execArgv } = {}) {
  const options = { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] };
  if (env) options.env = { ...process.env, ...env };
  if (execArgv) options.execArgv = execArgv;
  const child = fork(join(__dirname, '..', 'servers', script), args, options);
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

/** Sends `message` to a server child and resolves with the first reply that has `key`. */
function ask(child, message, key) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.off('message', on); reject(new Error(`no "${key}" answer from the server`)); }, 10_000);
    const on = (m) => {
      if (!m || m[key] === undefined) return;
      clearTimeout(timer);
      child.off('message', on);
      resolve(m[key]);
    };
    child.on('message', on);
    child.send(message);
  });
}

/** CPU time (ms) the whole machine has spent busy, all cores together. */
const machineBusyMs = () => os.cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0);

/** The q-quantile of these latencies (q in 0..1), NaN when there are none. */
function percentiles(latencies) {
  const sorted = Float64Array.from(latencies).sort();
  return (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
}

/**
 * One fixed-duration autocannon run of a single request template (autocannon's request options,
 * setupRequest included). Latencies are kept unrounded (autocannon's own are whole ms).
 * Without `rate` every connection sends its next request as soon as the last is answered; with
 * `rate` (requests per second, all connections together: autocannon's overallRate) each connection
 * may send its share of it per second and then waits for the next second.
 */
async function loadRun({ url, connections, duration, request, rate }) {
  const latencies = [];
  const instance = autocannon({ url, connections, duration, requests: [request], ...(rate ? { overallRate: rate } : {}) });
  instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const result = await instance;
  const at = percentiles(latencies);
  return {
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: at(0.5),
    p99: at(0.99),
    codes: Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/**
 * An open-loop run at a fixed arrival rate: request i is due at start + i / rate, whatever the
 * answers before it did (autocannon's overallRate instead lets each connection send its share of a
 * second back to back and then wait, so its latencies are those of bursts). Due requests go out
 * every millisecond over keep-alive sockets (as many as are in flight); each latency runs from the
 * moment the request was due, so a server that falls behind shows it (no coordinated omission).
 * The first `settle` seconds run at the same rate uncounted: they open the sockets (a new socket
 * costs a connect, which measured up to 30 ms for the first requests against a bare server).
 * `request` is the autocannon template (method, path, headers, setupRequest).
 */
function fixedRateRun({ url, rate, duration, request, settle = 1 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(url);
  const uncounted = Math.round(rate * settle);
  const total = uncounted + Math.round(rate * duration);
  const latencies = [];
  const codes = new Map();
  let errors = 0;
  let sent = 0;
  let done = 0;
  const start = performance.now();
  const counted = start + settle * 1000;
  return new Promise((resolve) => {
    const finish = () => {
      clearInterval(timer);
      agent.destroy();
      const elapsed = (performance.now() - counted) / 1000;
      const at = percentiles(latencies);
      // `requests` and `codes` count the settling second too (the server stored those); rate and latencies do not.
      resolve({ requests: total - errors, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), codes: [...codes], errors, timeouts: 0 });
    };
    const settle = () => { if (++done === total) finish(); };
    const send = (due) => {
      const req = request.setupRequest({ method: request.method, path: request.path, headers: { ...request.headers } });
      const body = Buffer.from(req.body);
      const outgoing = http.request({
        agent, host: target.hostname, port: target.port, method: req.method, path: req.path,
        headers: { ...req.headers, 'content-length': body.length },
      }, (res) => {
        res.resume();
        res.on('end', () => {
          if (due >= counted) latencies.push(performance.now() - due);
          codes.set(String(res.statusCode), (codes.get(String(res.statusCode)) || 0) + 1);
          settle();
        });
      });
      outgoing.on('error', () => { errors++; settle(); });
      outgoing.end(body);
    };
    const timer = setInterval(() => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / rate <= now) send(start + (sent++ * 1000) / rate);
    }, 1);
  });
}

/**
 * Measures two servers that are both up and warmed, in turns: `rounds` times one window of each,
 * the order swapped every round (a b, b a, a b, ...) so that neither always follows the other.
 * This machine's speed drifts by tens of percent over minutes (bench/README.md: the same build made
 * 3,226 to 4,632 req/s in runs minutes apart); two windows seconds apart see the same machine, so
 * the ratio of each round compares the servers rather than the moments. `measureA` and
 * `measureB` run one window each and resolve with an object that has `rps`.
 * Resolves with the rounds ({ a, b, ratio: a.rps / b.rps }) and the median of their ratios.
 */
async function alternate(rounds, measureA, measureB) {
  const done = [];
  for (let i = 0; i < rounds; i++) {
    let a;
    let b;
    if (i % 2 === 0) { a = await measureA(); b = await measureB(); } else { b = await measureB(); a = await measureA(); }
    done.push({ a, b, ratio: a.rps / b.rps });
  }
  const ratios = done.map((r) => r.ratio);
  return { rounds: done, median: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) };
}

/** The median of these numbers (NaN when there are none). */
function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Alternated results (of `seconds` per window) as report lines: a caption, then a Markdown table
 * with, per pair (`label`), every round's ratio with both req/s, the median and the range. All
 * pairs ran the same number of rounds.
 */
function alternatedSection(pairs, seconds) {
  const rounds = pairs[0].rounds.length;
  return [
    `Alternated (${rounds} rounds of ${seconds} s per server, both started and warmed up first; the order swapped every round):`,
    '',
    `| req/s ratio | ${Array.from({ length: rounds }, (_, i) => `round ${i + 1}`).join(' | ')} | median | range |`,
    `| --- |${' ---: |'.repeat(rounds + 2)}`,
    ...pairs.map((p) => `| ${p.label} | ${p.rounds.map((r) => `${times(r.ratio)} (${int(r.a.rps)} / ${int(r.b.rps)})`).join(' | ')} ` +
      `| **${times(p.median)}** | ${times(p.low)}–${times(p.high)} |`),
  ];
}

/** How many responses had a status code that `ok` refuses. */
const countBad = (codes, ok) => codes.filter(([code]) => !ok(code)).reduce((sum, [, count]) => sum + count, 0);
const describeCodes = (codes) => codes.map(([c, n]) => `${c}×${n}`).join(', ') || 'none';

/** `VAR=value ... npm run <script>` when run by npm as that script, else `... node bench/<file>`. */
function command(vars, npmScript, file) {
  const set = vars.filter((v) => process.env[v]).map((v) => `${v}=${process.env[v]}`);
  return [...set, process.env.npm_lifecycle_event === npmScript ? `npm run ${npmScript}` : `node bench/${file}`].join(' ');
}

/** Date, Node version, CPU and command, as the first lines of a results file. */
function environment(commandLine) {
  const cpus = os.cpus();
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Node: ${process.version} on ${os.platform()} ${os.arch()}`,
    `- CPU: ${cpus[0] ? cpus[0].model.trim() : 'unknown'} (${cpus.length} logical cores)`,
    `- Command: \`${commandLine}\``,
  ];
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => n.toFixed(2);
const times = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a');

/**
 * Prints the report, keeps it as bench/results/<file>, and makes the run fail (exit status 1) when
 * a problem other than a **WARNING** was found.
 */
function saveReport(file, report, problems) {
  process.stdout.write(`\n${report}`);
  mkdirSync(join(__dirname, '..', 'results'), { recursive: true });
  writeFileSync(join(__dirname, '..', 'results', file), report);
  process.stdout.write(`\nWritten to bench/results/${file}\n`);
  if (problems.some((p) => !p.startsWith('**WARNING**'))) process.exitCode = 1;
}

module.exports = {
  alternate, alternatedSection, median, saveReport, envInt, startServer, stopServer, ask, machineBusyMs, loadRun, fixedRateRun, countBad, describeCodes, command, environment, int, ms, times,
};
