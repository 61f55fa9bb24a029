import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { spawnGateway, type GatewayProcess } from '../support/gateway-process';
import { hex, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';

const PUBLIC = 'https://gateway.example.com';

/**
 * The gateway is killed with SIGKILL while signed inbound webhooks pour in, then restarted on the
 * same store: every webhook that was answered 2xx is stored, exactly once; retrying the others
 * (as Twilio does) stores each of them once too. At NORMAL (the default) and at FULL (production's,
 * where commits are flushed off the event loop and answered after their flush).
 */
describe.each(['NORMAL', 'FULL'])('a crash while webhooks arrive (SQLite synchronous %s)', (synchronous) => {
  let dir: string;
  let gateway: GatewayProcess | undefined;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gateway-crash-')); });
  afterEach(async () => {
    gateway?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({
    NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'info', DATABASE_URL: `sqlite:${join(dir, 'gateway.db')}`, SQLITE_SYNCHRONOUS: synchronous,
    JWT_SECRET: randomBytes(32).toString('hex'), PUBLIC_BASE_URL: PUBLIC,
    TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_API_BASE_URL: 'http://127.0.0.1:9',
  });
  const webhook = (n: number) => ({
    MessageSid: `SM${hex()}`, AccountSid: TWILIO_SID, From: `+1415200${String(n % 1000).padStart(4, '0')}`, To: '+14155550100',
    Body: `message ${n}`, NumMedia: '0', ApiVersion: '2010-04-01',
  });
  const post = async (url: string, params: Record<string, string>): Promise<number> => {
    try {
      const res = await fetch(`${url}/webhooks/twilio/sms`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC}/webhooks/twilio/sms`, params) },
        body: new URLSearchParams(params).toString(),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0; // the connection died with the process
    }
  };
  const stored = () => {
    const db = new SqliteDatabase(join(dir, 'gateway.db'), { readonly: true });
    try {
      const rows = db.prepare("select provider_ref as ref, count(*) as n from interactions where channel = 'sms' group by provider_ref").all() as Array<{ ref: string; n: number }>;
      return new Map(rows.map((r) => [r.ref, r.n]));
    } finally {
      db.close();
    }
  };

  it('keeps every acknowledged webhook exactly once across SIGKILL and restart', async () => {
    gateway = spawnGateway(env(), dir);
    const url = await gateway.url();
    const sent = Array.from({ length: 3000 }, (_, n) => webhook(n));
    const answers = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < sent.length) {
        const params = sent[next++]!;
        answers.set(params.MessageSid, await post(url, params));
      }
    };
    const load = Promise.all(Array.from({ length: 10 }, worker));
    // Kill it mid-stream, once a good number of webhooks were acknowledged.
    while ([...answers.values()].filter((s) => s === 200).length < 300) await new Promise((r) => setTimeout(r, 5));
    gateway.child.kill('SIGKILL');
    await gateway.exited;
    await load;

    const acknowledged = sent.filter((p) => answers.get(p.MessageSid) === 200);
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);
    expect(acknowledged.length).toBeLessThan(sent.length);
    const afterCrash = stored();
    for (const p of acknowledged) expect([p.MessageSid, afterCrash.get(p.MessageSid)]).toEqual([p.MessageSid, 1]);
    for (const n of afterCrash.values()) expect(n).toBe(1);

    // Restart on the same store; the provider retries everything (acknowledged or not).
    gateway = spawnGateway(env(), dir);
    const again = await gateway.url();
    for (let i = 0; i < sent.length; i += 10) {
      const statuses = await Promise.all(sent.slice(i, i + 10).map((p) => post(again, p)));
      expect(statuses.every((s) => s === 200)).toBe(true);
    }
    const final = stored();
    expect(final.size).toBe(sent.length);
    for (const p of sent) expect(final.get(p.MessageSid)).toBe(1);
    expect(await gateway.stop()).toBe(0);
  }, 120_000);
});
