import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGateway, waitFor } from '../support/gateway-process';

const PRODUCTION = { NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40), PUBLIC_BASE_URL: 'https://gateway.example.com' };

/** The built gateway as an operator runs it: `node dist/main.js`, configured by the environment. */
describe('the gateway process', () => {
  let cwd: string;
  beforeEach(() => { cwd = mkdtempSync(join(tmpdir(), 'gateway-proc-')); });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it('starts in development without JWT_SECRET, prints a working token, and stops cleanly on SIGTERM', async () => {
    const proc = spawnGateway({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'debug' }, cwd);
    try {
      const token = await waitFor(() => /export TOKEN=(\S+)/.exec(proc.stdout())?.[1], () => 'the development token');
      const url = await proc.url();
      const res = await fetch(`${url}/v1/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ contact: { phone: '+447966197542', email: 'melissa@gmail.com' }, chat: { sessionId: 'proc-1' } }),
      });
      expect(res.status).toBe(201);
      const bad = await fetch(`${url}/v1/contacts?phone=%2B447966197542x`, { headers: { authorization: `Bearer ${token}` } });
      expect(bad.status).toBe(400);

      // The start-up summary: store, Redis, public URL, and where each tenant's traffic goes.
      const summary = JSON.parse(proc.stdout().split('\n').find((line) => line.includes('"msg":"gateway configured"'))!);
      expect(summary).toMatchObject({
        env: 'development', store: expect.stringMatching(/gateway\.db$/), redis: 'none (one instance)', publicBaseUrl: 'http://localhost:3000',
        tenants: { default: { sms: 'simulator', voice: 'simulator', numbers: 0 } },
      });

      expect(await proc.stop()).toBe(0);
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
    const proc = spawnGateway({ PORT: 'eighty' }, cwd);
    expect(await proc.exited).toBe(78);
    expect(proc.stderr().trim()).toBe('Invalid configuration: PORT (http.port) must be an integer number, got "eighty"');
  });

  it('refuses to start in production without JWT_SECRET', async () => {
    const proc = spawnGateway({ NODE_ENV: 'production', METRICS_TOKEN: 'scrape-token' }, cwd);
    expect(await proc.exited).toBe(78);
    expect(proc.stderr().trim()).toBe('Invalid configuration: JWT_SECRET (auth.jwtSecret) must be set when NODE_ENV is production');
  });

  it('refuses to start in production without METRICS_TOKEN, so /metrics is never public by accident', async () => {
    const proc = spawnGateway({ NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40), PORT: '0', HOST: '127.0.0.1' }, cwd);
    expect(await proc.exited).toBe(78);
    expect(proc.stderr().trim()).toBe(
      'Invalid configuration: METRICS_TOKEN (metrics.token) must be set, or METRICS_PUBLIC (metrics.public) must be true to serve /metrics without a token',
    );
  });

  it.each<[string, Record<string, string>, string]>([
    ['the documentation\'s sample JWT_SECRET', { JWT_SECRET: 'change-me-to-at-least-32-characters-long' },
      'Invalid configuration: JWT_SECRET (auth.jwtSecret) is the sample from the documentation; generate one, e.g. openssl rand -hex 32'],
    ['PUBLIC_BASE_URL left at localhost', { PUBLIC_BASE_URL: 'http://localhost:3000' },
      'Invalid configuration: PUBLIC_BASE_URL (http.publicBaseUrl) is http://localhost:3000: providers cannot call back a local address; set the URL they reach the gateway at'],
    ['a tenant whose SMS provider has no number to send from', { TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'twilio-token' },
      'Invalid configuration: tenant default sends SMS through twilio but has no number to send from (tenants[].numbers)'],
  ])('refuses to start in production with %s (exit 78, one line)', async (_case, env, message) => {
    const proc = spawnGateway({ ...PRODUCTION, METRICS_TOKEN: 'scrape-token', PORT: '0', HOST: '127.0.0.1', ...env }, cwd);
    expect(await proc.exited).toBe(78);
    expect(proc.stderr().trim()).toBe(message);
  });

  it('names DATABASE_URL and the cause when PostgreSQL cannot be reached', async () => {
    const proc = spawnGateway({ DATABASE_URL: 'postgres://gateway:secret-pw@127.0.0.1:1/gateway', PORT: '0', HOST: '127.0.0.1' }, cwd);
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toContain('gateway failed to start: cannot use the store at DATABASE_URL (database.url) postgres://127.0.0.1:1/gateway: ');
    expect(proc.stderr()).toMatch(/ECONNREFUSED/);
    expect(proc.stderr() + proc.stdout()).not.toContain('secret-pw');
  });

  it('in production serves /metrics only with METRICS_TOKEN', async () => {
    const proc = spawnGateway({ ...PRODUCTION, METRICS_TOKEN: 'scrape-token-0123456789', PORT: '0', HOST: '127.0.0.1' }, cwd);
    try {
      const url = await proc.url();
      const scrape = (authorization?: string) => fetch(`${url}/metrics`, { headers: authorization ? { authorization } : {} });
      const missing = await scrape();
      expect(missing.status).toBe(401);
      expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await scrape('Bearer scrape-token-0123456788')).status).toBe(401);
      expect((await scrape('Bearer scrape')).status).toBe(401);
      const ok = await scrape('Bearer scrape-token-0123456789');
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('# TYPE');
      expect(await proc.stop()).toBe(0);
    } finally {
      proc.child.kill('SIGKILL');
    }
  });
});
