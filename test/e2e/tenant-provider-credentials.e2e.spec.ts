import { CallbackUrls } from '../../src/providers/callbacks/callback-urls';
import type { DatabaseHandle } from '../../src/storage/database';
import { DATABASE } from '../../src/storage/storage.module';
import { randomUUID } from 'node:crypto';
import { FakeJambonz, JAMBONZ_ACCOUNT, JAMBONZ_SECRET } from '../support/fake-jambonz';
import { FakeTwilio, hex, TWILIO_SID, TWILIO_TOKEN } from '../support/fake-twilio';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { spawnGateway } from '../support/gateway-process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventClient } from '../support/ws-client';

const PUBLIC = 'https://gateway.example.com';
const ACME_NUMBER = '+14155550100';
const GLOBEX_NUMBER = '+14155550199';
const ACME_SID = `AC${'ac'.repeat(16)}`;
const ACME_TOKEN = 'acme-own-twilio-auth-token-9f3a';
const KEY = 'c3'.repeat(32);
const AGENT_SIP = 'sip:alice@pbx.example.com';

/**
 * A tenant's own Twilio account (admin API): stored sealed and never answered; the tenant's
 * messages and calls authenticate with it at Twilio (the fake checks Basic auth per account), its
 * webhooks must be signed with its token (the gateway's token is refused for its numbers), a
 * second instance on the same store picks it up without a restart, and removing it brings the
 * gateway's account back. Other tenants keep the gateway's account throughout.
 */
describe('tenant provider credentials (Twilio)', () => {
  const twilio = new FakeTwilio();
  const jambonz = new FakeJambonz();
  let gw: TestGateway;
  let other: TestGateway;
  let admin: string;
  let acme: string;
  let globex: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    await twilio.start();
    await jambonz.start();
    twilio.addAccount(ACME_SID, ACME_TOKEN);
    const settings = {
      http: { publicBaseUrl: PUBLIC },
      tenants: [
        { id: 'acme', numbers: [ACME_NUMBER], defaultRegion: 'US', smsProvider: 'twilio' as const, voiceProvider: 'twilio' as const, agentEndpoints: ['sip:*@pbx.example.com'] },
        { id: 'globex', numbers: [GLOBEX_NUMBER], defaultRegion: 'US', smsProvider: 'twilio' as const },
      ],
      providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: twilio.url }, ...jambonz.providers() },
      events: { pollMs: 100 },
    };
    gw = await startTestGateway({ ...settings, auth: { credentialsKey: KEY } });
    // A second instance on the same SQLite file: it learns of changes from the store's versions (the poll).
    other = await startTestGateway({ ...settings, database: { url: gw.config.database.url }, auth: { jwtSecret: gw.config.auth.jwtSecret, credentialsKey: KEY } });
    admin = await gw.token({ tenantId: 'acme', agentId: 'ada', roles: ['admin'] });
    acme = await gw.token({ tenantId: 'acme', agentId: 'alice', roles: ['supervisor'] });
    globex = await gw.token({ tenantId: 'globex', agentId: 'bob', roles: ['supervisor'] });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await other?.close();
    await gw?.close();
    await twilio.stop();
    await jambonz.stop();
  });

  const put = (body: unknown, provider = 'twilio', token = admin) => gw.request('PUT', `/v1/admin/providers/${provider}/credentials`, { token, body });
  const basic = (sid: string, token: string) => `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;
  const sendSms = async (instance: TestGateway, token: string, phone: string) => {
    const { body: conv } = await instance.request('POST', '/v1/conversations', { token, body: { contact: { phone } } });
    return instance.request('POST', `/v1/conversations/${conv.id}/messages`, { token, body: { body: 'Your claim is open.' } });
  };
  const inboundSms = (to: string, accountSid: string, signingToken: string) => twilio.post(gw.url, PUBLIC, '/webhooks/twilio/sms', {
    SmsMessageSid: `SM${hex()}`, NumMedia: '0', SmsStatus: 'received', Body: 'hello', To: to, MessageSid: `SM${hex()}`,
    AccountSid: accountSid, From: '+14155552671', ApiVersion: '2010-04-01',
  }, undefined, signingToken);

  it('refuses what is not an account of the provider, a provider without accounts, and non-admins', async () => {
    expect((await gw.request('GET', '/v1/admin/providers/credentials', { token: admin })).body).toEqual({ items: [] });
    const missing = await put({ accountSid: ACME_SID });
    expect(missing).toMatchObject({ status: 400, body: { errors: [{ field: 'authToken', message: 'is required' }] } });
    const wrong = await put({ accountSid: 'XY', authToken: ACME_TOKEN, apiBaseUrl: 'http://169.254.169.254' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['accountSid', 'apiBaseUrl']);
    expect((await put([ACME_SID, ACME_TOKEN])).status).toBe(400);
    expect((await put({ accountSid: ACME_SID, authToken: ACME_TOKEN }, 'nexmo')).status).toBe(404);
    expect((await put({}, 'simulator')).status).toBe(422);
    expect((await put({ accountSid: ACME_SID, authToken: ACME_TOKEN }, 'twilio', acme)).status).toBe(403);
  });

  it('stores the account sealed, answers at most its last 4 characters, and announces the change', async () => {
    const admins = await EventClient.connect(gw.url, admin);
    clients.push(admins);
    admins.send({ op: 'subscribe', topics: ['tenant'] });
    await admins.next((f) => f.op === 'subscribed');

    const stored = await put({ accountSid: ACME_SID, authToken: ACME_TOKEN });
    expect(stored.status).toBe(200);
    expect(stored.body).toEqual({ provider: 'twilio', fields: { accountSid: '…acac', authToken: '…9f3a' }, updatedAt: expect.any(String) });
    const listed = await gw.request('GET', '/v1/admin/providers/credentials', { token: admin });
    expect(listed.body).toEqual({ items: [stored.body] });
    for (const text of [stored.text, listed.text, (await gw.request('GET', '/v1/admin/tenants/acme', { token: admin })).text]) {
      expect(text).not.toContain(ACME_TOKEN);
      expect(text).not.toContain(ACME_SID);
    }
    const [row] = await gw.app.get<DatabaseHandle>(DATABASE).db.selectFrom('tenantProviderCredentials').selectAll().execute();
    expect(row).toMatchObject({ tenantId: 'acme', provider: 'twilio', sealed: expect.stringMatching(/^v1\./) });
    expect(JSON.stringify(row)).not.toContain(ACME_TOKEN);
    expect(JSON.stringify(row)).not.toContain(ACME_SID);
    const announced = await admins.next((f) => f.op === 'event' && f.event.type === 'tenant.updated', 5000);
    expect(announced.event.data).toMatchObject({ changed: ['credentials.twilio'], by: 'ada' });
    // Another tenant's admin sees none of it.
    const globexAdmin = await gw.token({ tenantId: 'globex', agentId: 'gil', roles: ['admin'] });
    expect((await gw.request('GET', '/v1/admin/providers/credentials', { token: globexAdmin })).body).toEqual({ items: [] });
  });

  it('sends the tenant’s SMS through its own account, and another tenant’s through the gateway’s', async () => {
    expect((await sendSms(gw, acme, '+14155552672')).status).toBe(202);
    const mine = twilio.messages.at(-1)!;
    expect([mine.account, mine.authorization]).toEqual([ACME_SID, basic(ACME_SID, ACME_TOKEN)]);
    expect(mine.params.get('From')).toBe(ACME_NUMBER);

    expect((await sendSms(gw, globex, '+14155552673')).status).toBe(202);
    const theirs = twilio.messages.at(-1)!;
    expect([theirs.account, theirs.authorization]).toEqual([TWILIO_SID, basic(TWILIO_SID, TWILIO_TOKEN)]);

    // The delivery report of the tenant's message is signed with the tenant's token; the gateway's token cannot claim it.
    const callback = mine.params.get('StatusCallback')!.slice(PUBLIC.length);
    const report = { MessageSid: mine.sid, MessageStatus: 'delivered', AccountSid: ACME_SID, To: '+14155552672', From: ACME_NUMBER, ApiVersion: '2010-04-01' };
    expect((await twilio.post(gw.url, PUBLIC, callback, report, undefined, TWILIO_TOKEN)).status).toBe(403);
    expect((await twilio.post(gw.url, PUBLIC, callback, report, undefined, ACME_TOKEN)).status).toBe(204);
  });

  it('places and bridges the tenant’s calls through its own account', async () => {
    const { body: conv } = await gw.request('POST', '/v1/conversations', { token: acme, body: { contact: { phone: '+14155552674' } } });
    const placed = await gw.request('POST', `/v1/conversations/${conv.id}/calls`, { token: acme, body: { agentEndpoint: AGENT_SIP } });
    expect(placed.status).toBe(202);
    const create = [...twilio.voice].reverse().find((r) => r.path.endsWith('/Calls.json'))!;
    expect(create.account).toBe(ACME_SID);
    const callSid = (await gw.request('GET', `/v1/calls/${placed.body.id}`, { token: acme })).body.providerRef as string;
    // The answered leg's TwiML fetch (signed by the tenant's account) adds the agent through that account too.
    const answer = new CallbackUrls(PUBLIC, gw.config.auth.jwtSecret).url('/webhooks/twilio/voice', { cid: placed.body.id }).slice(PUBLIC.length);
    const twiml = await twilio.post(gw.url, PUBLIC, answer, { CallSid: callSid, CallStatus: 'in-progress', AccountSid: ACME_SID, To: '+14155552674' }, undefined, ACME_TOKEN);
    expect(twiml.status).toBe(200);
    const agent = [...twilio.voice].reverse().find((r) => r.path.endsWith('/Participants.json'))!;
    expect(agent.path).toBe(`/2010-04-01/Accounts/${ACME_SID}/Conferences/call-${placed.body.id}/Participants.json`);
    expect((await gw.request('POST', `/v1/calls/${placed.body.id}/hangup`, { token: acme })).status).toBeLessThan(300);
    expect([...twilio.voice].reverse().find((r) => r.path.endsWith(`/Calls/${callSid}.json`))!.account).toBe(ACME_SID);
  });

  it('accepts an inbound message to the tenant’s number signed with its token, and refuses the gateway’s token for it', async () => {
    expect((await inboundSms(ACME_NUMBER, TWILIO_SID, TWILIO_TOKEN)).status).toBe(403);
    expect((await inboundSms(ACME_NUMBER, ACME_SID, TWILIO_TOKEN)).status).toBe(403);
    expect((await inboundSms(ACME_NUMBER, ACME_SID, ACME_TOKEN)).status).toBe(200);
    // Another tenant's number: the gateway's token, and not acme's.
    expect((await inboundSms(GLOBEX_NUMBER, TWILIO_SID, TWILIO_TOKEN)).status).toBe(200);
    expect((await inboundSms(GLOBEX_NUMBER, ACME_SID, ACME_TOKEN)).status).toBe(403);
  });

  it('checks jambonz hooks to a tenant’s numbers with its own webhook secret', async () => {
    const globexAdmin = await gw.token({ tenantId: 'globex', agentId: 'gil', roles: ['admin'] });
    const secret = 'globex_own_jambonz_webhook_secret';
    const set = await put({ accountSid: 'globex-jambonz-account', apiKey: 'globex-jambonz-api-key', webhookSecret: secret }, 'jambonz', globexAdmin);
    expect(set).toMatchObject({ status: 200, body: { provider: 'jambonz', fields: { accountSid: '…ount', apiKey: '…-key', webhookSecret: '…cret' } } });
    const hook = (to: string, accountSid: string) => ({
      carrier: 'peerless', messageSid: randomUUID(), accountSid, applicationSid: randomUUID(), from: '+14155552671', to, cc: [], text: 'hi',
    });
    expect((await jambonz.post(gw.url, '/webhooks/jambonz/sms', hook(GLOBEX_NUMBER, JAMBONZ_ACCOUNT), { secret: JAMBONZ_SECRET })).status).toBe(403);
    expect((await jambonz.post(gw.url, '/webhooks/jambonz/sms', hook(GLOBEX_NUMBER, 'globex-jambonz-account'), { secret })).status).toBe(200);
    // acme has no jambonz account of its own: the gateway's secret, never globex's.
    expect((await jambonz.post(gw.url, '/webhooks/jambonz/sms', hook(ACME_NUMBER, 'globex-jambonz-account'), { secret })).status).toBe(403);
    expect((await jambonz.post(gw.url, '/webhooks/jambonz/sms', hook(ACME_NUMBER, JAMBONZ_ACCOUNT), { secret: JAMBONZ_SECRET })).status).toBe(200);
    expect((await gw.request('DELETE', '/v1/admin/providers/jambonz/credentials', { token: globexAdmin })).status).toBe(204);
  });

  it('does not start an instance whose CREDENTIALS_KEY cannot open them, and says so', async () => {
    const started = startTestGateway({
      http: { publicBaseUrl: PUBLIC }, tenants: gw.config.tenants, providers: { twilio: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, apiBaseUrl: twilio.url } },
      database: { url: gw.config.database.url }, auth: { jwtSecret: gw.config.auth.jwtSecret, credentialsKey: 'd4'.repeat(32) },
    });
    await expect(started).rejects.toThrow(/^Invalid configuration: the stored twilio credentials of tenant acme cannot be opened: it was sealed with another CREDENTIALS_KEY/);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['no CREDENTIALS_KEY in production', {}, /^Invalid configuration: the store holds 1 tenant provider credential\(s\), sealed with a key, but CREDENTIALS_KEY \(auth\.credentialsKey\) is not set \(production never derives one\); set the key they were stored with$/],
    ['another CREDENTIALS_KEY', { CREDENTIALS_KEY: 'f6'.repeat(32) }, /^Invalid configuration: the stored twilio credentials of tenant acme cannot be opened: it was sealed with another CREDENTIALS_KEY\./],
  ])('as a process: refuses to start with %s (exit 78, one line)', async (_case, env, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'credentials-proc-'));
    try {
      const proc = spawnGateway({
        NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40), PUBLIC_BASE_URL: PUBLIC, METRICS_TOKEN: 'scrape-token', PORT: '0', HOST: '127.0.0.1',
        DATABASE_URL: gw.config.database.url, ...env,
      }, cwd);
      expect(await proc.exited).toBe(78);
      expect(proc.stderr().trim()).toMatch(message);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('is picked up by a second instance without a restart, and its removal too', async () => {
    // The second instance loaded the account when the change reached it (the store's version, polled).
    expect((await sendSms(other, acme, '+14155552675')).status).toBe(202);
    expect(twilio.messages.at(-1)!.account).toBe(ACME_SID);

    expect((await gw.request('DELETE', '/v1/admin/providers/twilio/credentials', { token: admin })).status).toBe(204);
    expect((await gw.request('DELETE', '/v1/admin/providers/twilio/credentials', { token: admin })).status).toBe(404);
    expect((await gw.request('GET', '/v1/admin/providers/credentials', { token: admin })).body).toEqual({ items: [] });
    expect((await sendSms(gw, acme, '+14155552676')).status).toBe(202);
    expect(twilio.messages.at(-1)!.account).toBe(TWILIO_SID);
    let account = '';
    for (let n = 0; n < 50 && account !== TWILIO_SID; n++) {
      await new Promise((r) => setTimeout(r, 50));
      expect((await sendSms(other, acme, `+1415555${String(2700 + n)}`)).status).toBe(202);
      account = twilio.messages.at(-1)!.account;
    }
    expect(account).toBe(TWILIO_SID);
    expect((await inboundSms(ACME_NUMBER, TWILIO_SID, TWILIO_TOKEN)).status).toBe(200);
  });
});
