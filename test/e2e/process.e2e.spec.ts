import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGateway, waitFor } from '../support/gateway-process';

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
    const proc = spawnGateway({ NODE_ENV: 'production' }, cwd);
    expect(await proc.exited).toBe(78);
    expect(proc.stderr().trim()).toBe('Invalid configuration: JWT_SECRET (auth.jwtSecret) must be set when NODE_ENV is production');
  });
});
