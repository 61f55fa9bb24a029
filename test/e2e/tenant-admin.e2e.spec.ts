import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient } from '../support/ws-client';

const ACME_NUMBER = '+14155550100';
const NEW_NUMBER = '+14155550102';
const GLOBEX_NUMBER = '+14155550199';

/**
 * The admin API over tenants: an admin reads and changes their own tenant only; a change is
 * stored, announced to admins as `tenant.updated` and applied without a restart, by this instance
 * and by another one sharing the store; a restart keeps it, whatever the seed says.
 */
describe('the tenant admin API', () => {
  let gw: TestGateway;
  let admin: string;
  let supervisor: string;
  let agent: string;
  let globexAdmin: string;
  const clients: EventClient[] = [];
  const tenants = (maxComposeLength: number) => [
    { id: 'acme', name: 'Acme', numbers: [ACME_NUMBER], smsProvider: 'simulator' as const, voiceProvider: 'simulator' as const, maxComposeLength, ringNoAnswerSeconds: 15 },
    { id: 'globex', numbers: [GLOBEX_NUMBER], smsProvider: 'simulator' as const },
  ];

  beforeAll(async () => {
    gw = await startTestGateway({ tenants: tenants(500), events: { pollMs: 100 } });
    admin = await gw.token({ tenantId: 'acme', agentId: 'ada', roles: ['admin'], pii: true });
    supervisor = await gw.token({ tenantId: 'acme', agentId: 'sam', roles: ['supervisor'] });
    agent = await gw.token({ tenantId: 'acme', agentId: 'alice', roles: ['agent'] });
    globexAdmin = await gw.token({ tenantId: 'globex', agentId: 'gil', roles: ['admin'] });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  const acme = (token = admin) => gw.request('GET', '/v1/admin/tenants/acme', { token });
  const patch = (body: unknown, token = admin, path = '/v1/admin/tenants/acme') => gw.request('PATCH', path, { token, body });
  const send = (conversationId: string, body: string) =>
    gw.request('POST', `/v1/conversations/${conversationId}/messages`, { token: agent, body: { body } });

  it('answers the admin their tenant as seeded: providers, numbers, policies and a version', async () => {
    const res = await acme();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: 'acme', name: 'Acme', defaultRegion: 'US', smsProvider: 'simulator', voiceProvider: 'simulator',
      numbers: [{ number: ACME_NUMBER, provider: null }], version: 1,
    });
    expect(res.body.policies).toMatchObject({ maxComposeLength: 500, requireConsent: false, doNotCall: [], recordCalls: 'off' });
    const list = await gw.request('GET', '/v1/admin/tenants', { token: admin });
    expect(list.body.items.map((t: { id: string }) => t.id)).toEqual(['acme']);
  });

  it('refuses agents and supervisors, and an admin of another tenant whether it exists or not', async () => {
    for (const token of [agent, supervisor]) expect((await acme(token)).status).toBe(403);
    expect((await acme(globexAdmin)).status).toBe(403);
    expect((await gw.request('GET', '/v1/admin/tenants/nobody', { token: globexAdmin })).status).toBe(403);
    expect((await patch({ name: 'Taken' }, globexAdmin)).status).toBe(403);
    expect((await gw.request('PUT', `/v1/admin/tenants/acme/numbers/${NEW_NUMBER}`, { token: globexAdmin, body: {} })).status).toBe(403);
    expect((await gw.request('DELETE', `/v1/admin/tenants/acme/numbers/${encodeURIComponent(ACME_NUMBER)}`, { token: globexAdmin })).status).toBe(403);
    const list = await gw.request('GET', '/v1/admin/tenants', { token: globexAdmin });
    expect(list.body.items.map((t: { id: string }) => t.id)).toEqual(['globex']);
    expect((await acme()).body).toMatchObject({ name: 'Acme', version: 1, numbers: [{ number: ACME_NUMBER }] });
  });

  it('applies a policy change at once and announces it to admins only', async () => {
    const adminSocket = await EventClient.connect(gw.url, admin);
    const supervisorSocket = await EventClient.connect(gw.url, supervisor);
    clients.push(adminSocket, supervisorSocket);
    for (const socket of [adminSocket, supervisorSocket]) {
      socket.send({ op: 'subscribe', topics: ['tenant'] });
      await socket.next((f) => f.op === 'subscribed');
    }
    const conversationId = (await gw.request('POST', '/v1/conversations', { token: agent, body: { contact: { phone: '+14155552671' } } })).body.id as string;
    for (const socket of [adminSocket, supervisorSocket]) await socket.next((f) => f.op === 'event' && f.event.type === 'conversation.created');
    expect((await send(conversationId, 'x'.repeat(20))).status).toBe(202);

    const changed = await patch({ policies: { maxComposeLength: 10, doNotCall: ['+14155552671'] } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ version: 2, policies: { maxComposeLength: 10, doNotCall: ['+14155552671'] } });
    const refused = await send(conversationId, 'x'.repeat(20));
    expect([refused.status, refused.body.errors?.[0]?.field]).toEqual([422, 'body']);
    expect((await gw.request('GET', '/v1/me', { token: agent })).body.tenant.maxComposeLength).toBe(10);

    const announced = await adminSocket.next((f) => f.op === 'event' && f.event.type === 'tenant.updated');
    expect(announced.event.data).toEqual({ version: 2, changed: ['policies.doNotCall', 'policies.maxComposeLength'], by: 'ada' });
    // Events reach a socket in log order: once the supervisor has the next conversation's creation
    // (logged after the change), the change would have come before it. It never did. (The first
    // message's delivery report may arrive in between: it is not the point here.)
    const second = (await gw.request('POST', '/v1/conversations', { token: agent, body: { contact: { phone: '+14155552672' } } })).body.id as string;
    await supervisorSocket.next((f) => f.op === 'event' && f.event.type === 'conversation.created' && f.event.conversationId === second, 5000);
    expect(supervisorSocket.events().some((f) => f.event.type === 'tenant.updated')).toBe(false);
  });

  it('refuses a change made on an older version, and bad input, precisely', async () => {
    const stale = await patch({ name: 'Acme Old', version: 1 });
    expect([stale.status, stale.body.errors?.[0]?.field]).toEqual([409, 'version']);
    const cases: Array<[unknown, number, string]> = [
      [{ policies: { maxComposeLength: null } }, 400, 'policies.maxComposeLength'],
      [{ policies: { maxComposeLength: 1601 } }, 400, 'policies.maxComposeLength'],
      [{ policies: { doNotCall: ['12345'] } }, 400, 'policies.doNotCall'],
      [{ policies: [] }, 400, 'policies'],
      [{ policies: { unknown: 1 } }, 400, 'policies.unknown'],
      [{ tenantId: 'globex' }, 400, 'tenantId'],
      [{ name: null }, 400, 'name'],
      [{ smsProvider: 'carrier-pigeon' }, 400, 'smsProvider'],
      [{ voiceProvider: 'twilio' }, 422, 'voiceProvider'],
      [{ version: 0 }, 400, 'version'],
    ];
    for (const [body, status, field] of cases) {
      const res = await patch(body);
      expect([JSON.stringify(body), res.status, res.body.errors?.[0]?.field]).toEqual([JSON.stringify(body), status, field]);
    }
    expect((await acme()).body).toMatchObject({ name: 'Acme', version: 2 });
    const current = await patch({ name: 'Acme Ltd', version: 2 });
    expect(current.body).toMatchObject({ name: 'Acme Ltd', version: 3 });
    const same = await patch({ name: 'Acme Ltd' });
    expect(same.body.version).toBe(3);
  });

  it('reads and changes the inbound call settings, validated, and the next inbound call follows them without a restart', async () => {
    const before = (await acme()).body;
    // The seed's ringNoAnswerSeconds, the defaults for the rest.
    expect(before.policies).toMatchObject({
      ringNoAnswerSeconds: 15, queueTimeoutSeconds: 0, holdMusicUrl: null,
      inboundGreeting: expect.stringMatching(/^Thank you for calling/), voicemailPrompt: expect.stringMatching(/leave a message/),
    });
    const inboundCall = (from: string) => gw.request('POST', '/v1/simulator/inbound-call', { token: supervisor, body: { from, to: ACME_NUMBER } });
    const first = await inboundCall('+14155556101');
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ greeting: before.policies.inboundGreeting, holdMusicUrl: null });

    const cases: Array<[unknown, number, string]> = [
      [{ policies: { ringNoAnswerSeconds: 0 } }, 400, 'policies.ringNoAnswerSeconds'],
      [{ policies: { ringNoAnswerSeconds: 601 } }, 400, 'policies.ringNoAnswerSeconds'],
      [{ policies: { ringNoAnswerSeconds: 2.5 } }, 400, 'policies.ringNoAnswerSeconds'],
      [{ policies: { queueTimeoutSeconds: -1 } }, 400, 'policies.queueTimeoutSeconds'],
      [{ policies: { queueTimeoutSeconds: 86_401 } }, 400, 'policies.queueTimeoutSeconds'],
      [{ policies: { inboundGreeting: '' } }, 400, 'policies.inboundGreeting'],
      [{ policies: { inboundGreeting: 'x'.repeat(501) } }, 400, 'policies.inboundGreeting'],
      [{ policies: { inboundGreeting: 'hello\u0000' } }, 400, 'policies.inboundGreeting'],
      [{ policies: { voicemailPrompt: null } }, 400, 'policies.voicemailPrompt'],
      [{ policies: { voicemailPrompt: 7 } }, 400, 'policies.voicemailPrompt'],
      [{ policies: { holdMusicUrl: 'ftp://media.example/hold.mp3' } }, 400, 'policies.holdMusicUrl'],
      [{ policies: { holdMusicUrl: `https://media.example/${'a'.repeat(2000)}` } }, 400, 'policies.holdMusicUrl'],
      [{ policies: { holdMusicUrl: 'https://user:secret@media.example/hold.mp3' } }, 422, 'policies.holdMusicUrl'],
      [{ policies: { holdMusicUrl: 'https://[bad/hold.mp3' } }, 422, 'policies.holdMusicUrl'],
    ];
    for (const [body, status, field] of cases) {
      const res = await patch(body);
      expect([JSON.stringify(body), res.status, res.body.errors?.[0]?.field]).toEqual([JSON.stringify(body), status, field]);
    }
    expect((await acme()).body.version).toBe(before.version);

    const inbound = {
      ringNoAnswerSeconds: 30, queueTimeoutSeconds: 120, inboundGreeting: 'Welcome to Acme.',
      holdMusicUrl: 'https://media.example/hold.mp3', voicemailPrompt: 'Leave us a message.',
    };
    const changed = await patch({ policies: inbound });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ version: before.version + 1, policies: inbound });
    const second = await inboundCall('+14155556102');
    expect(second.body).toMatchObject({ greeting: 'Welcome to Acme.', holdMusicUrl: 'https://media.example/hold.mp3' });

    // null: back to the provider's own hold music.
    expect((await patch({ policies: { holdMusicUrl: null } })).body.policies.holdMusicUrl).toBeNull();
    expect((await inboundCall('+14155556103')).body).toMatchObject({ greeting: 'Welcome to Acme.', holdMusicUrl: null });
  });

  it('gives the tenant a number and takes it away; another tenant’s number is refused', async () => {
    const inbound = (to: string) => gw.request('POST', '/v1/simulator/inbound-sms', { token: admin, body: { from: '+14155552690', to, body: 'hello' } });
    expect((await inbound(NEW_NUMBER)).status).toBe(404);
    const added = await gw.request('PUT', `/v1/admin/tenants/acme/numbers/${encodeURIComponent(NEW_NUMBER)}`, { token: admin, body: { provider: 'simulator' } });
    expect(added.status).toBe(200);
    expect(added.body.numbers).toEqual([{ number: ACME_NUMBER, provider: null }, { number: NEW_NUMBER, provider: 'simulator' }]);
    expect((await inbound(NEW_NUMBER)).status).toBe(202);

    const taken = await gw.request('PUT', `/v1/admin/tenants/acme/numbers/${encodeURIComponent(GLOBEX_NUMBER)}`, { token: admin, body: {} });
    expect([taken.status, taken.body.errors?.[0]?.field]).toEqual([409, 'number']);
    const globex = await gw.request('GET', '/v1/admin/tenants/globex', { token: globexAdmin });
    expect(globex.body.numbers).toEqual([{ number: GLOBEX_NUMBER, provider: null }]);
    expect((await gw.request('PUT', '/v1/admin/tenants/acme/numbers/12345', { token: admin, body: {} })).status).toBe(400);
    expect((await gw.request('PUT', `/v1/admin/tenants/acme/numbers/${NEW_NUMBER}`, { token: admin, body: { provider: 'twilio' } })).status).toBe(422);
    expect((await gw.request('PUT', `/v1/admin/tenants/acme/numbers/${NEW_NUMBER}`, { token: admin, body: { provider: 7 } })).status).toBe(400);

    expect((await gw.request('DELETE', `/v1/admin/tenants/acme/numbers/${encodeURIComponent(NEW_NUMBER)}`, { token: admin })).status).toBe(204);
    expect((await gw.request('DELETE', `/v1/admin/tenants/acme/numbers/${encodeURIComponent(NEW_NUMBER)}`, { token: admin })).status).toBe(404);
    expect((await gw.request('DELETE', `/v1/admin/tenants/acme/numbers/${encodeURIComponent(GLOBEX_NUMBER)}`, { token: admin })).status).toBe(404);
    expect((await inbound(NEW_NUMBER)).status).toBe(404);
  });

  it('reaches another instance on the same store, and outlives a restart whatever the seed says', async () => {
    // A second instance on the same SQLite file, seeded with another compose limit: the store's tenant wins.
    const other = await startTestGateway({ tenants: tenants(999), events: { pollMs: 100 }, database: { url: gw.config.database.url }, auth: { jwtSecret: gw.config.auth.jwtSecret } });
    try {
      const seen = await other.request('GET', '/v1/admin/tenants/acme', { token: admin });
      expect(seen.body).toMatchObject({ name: 'Acme Ltd', policies: { maxComposeLength: 10 } });
      const version = seen.body.version as number;

      expect((await patch({ policies: { maxComposeLength: 42 } })).status).toBe(200);
      const me = async () => (await other.request('GET', '/v1/me', { token: agent })).body.tenant.maxComposeLength as number;
      await until(async () => (await me()) === 42);
      expect((await other.request('GET', '/v1/admin/tenants/acme', { token: admin })).body.version).toBe(version + 1);
      // And back the other way, through the other instance, with the version it shows.
      expect((await other.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { maxComposeLength: 43 }, version: version + 1 } })).status).toBe(200);
      await until(async () => (await gw.request('GET', '/v1/me', { token: agent })).body.tenant.maxComposeLength === 43);

      // Admins changing different fields at once on both instances, without `version`: no change is lost.
      const start = (await gw.request('GET', '/v1/admin/tenants/acme', { token: admin })).body.version as number;
      const templates = Array.from({ length: 8 }, (_, i) => `Template ${i}`);
      const results = await Promise.all([
        ...templates.map((_t, i) => (i % 2 ? other : gw).request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { stickyDays: 10 + i } } })),
        gw.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { smsTemplates: templates } } }),
        other.request('PATCH', '/v1/admin/tenants/acme', { token: admin, body: { policies: { dispositions: ['resolved'] } } }),
      ]);
      expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
      const after = (await gw.request('GET', '/v1/admin/tenants/acme', { token: admin })).body;
      expect(after.policies).toMatchObject({ smsTemplates: templates, dispositions: ['resolved'], maxComposeLength: 43 });
      // Every one of the ten changed something, and each moved the version once.
      expect(after.version).toBe(start + 10);
    } finally {
      await other.close();
    }
  });
});

async function until(probe: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
