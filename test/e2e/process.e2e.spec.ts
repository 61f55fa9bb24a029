import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The built gateway as an operator runs it: `node dist/main.js`, configured by the environment. */
const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'main.js');

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
}, 120_000);

interface Run { child: ChildProcessWithoutNullStreams; stdout: () => string; stderr: () => string; exited: Promise<number | null> }

function run(env: Record<string, string>, cwd: string): Run {
  const child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitFor<T>(probe: () => T | undefined, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the gateway process', () => {
  let cwd: string;
  beforeEach(() => { cwd = mkdtempSync(join(tmpdir(), 'gateway-proc-')); });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it('starts in development without JWT_SECRET, prints a working token, and stops cleanly on SIGTERM', async () => {
    const proc = run({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'debug' }, cwd);
    try {
      const token = await waitFor(() => /export TOKEN=(\S+)/.exec(proc.stdout())?.[1], 'the development token');
      const url = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(proc.stdout())?.[1], 'the listening address');
      const res = await fetch(`${url}/v1/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ contact: { phone: '+447966197542', email: 'melissa@gmail.com' }, chat: { sessionId: 'proc-1' } }),
      });
      expect(res.status).toBe(201);
      const bad = await fetch(`${url}/v1/contacts?phone=%2B447966197542x`, { headers: { authorization: `Bearer ${token}` } });
      expect(bad.status).toBe(400);

      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(proc.stdout()).toContain('"msg":"stopped"');
      // Access logs are written at debug, and never carry the customer's number or e-mail in clear.
      expect(proc.stdout()).toContain('"url":"/v1/contacts?phone=*********7542x"');
      expect(proc.stdout()).not.toContain('447966197542');
      expect(proc.stdout()).not.toContain('melissa@gmail.com');
    } finally {
      proc.child.kill('SIGKILL');
    }
  });

  it('refuses to start on a wrong setting with one line naming it', async () => {
    const proc = run({ PORT: 'eighty' }, cwd);
    expect(await proc.exited).toBe(78);
    expect(proc.stderr().trim()).toBe('Invalid configuration: PORT (http.port) must be an integer number, got "eighty"');
  });

  it('refuses to start in production without JWT_SECRET', async () => {
    const proc = run({ NODE_ENV: 'production' }, cwd);
    expect(await proc.exited).toBe(78);
    expect(proc.stderr().trim()).toBe('Invalid configuration: JWT_SECRET (auth.jwtSecret) must be set when NODE_ENV is production');
  });
});
