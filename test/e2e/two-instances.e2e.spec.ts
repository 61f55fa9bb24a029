import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtService } from '../../src/common/auth/jwt.service';
import { spawnGateway, type GatewayProcess } from '../support/gateway-process';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { EventClient } from '../support/ws-client';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL;

/**
 * Two gateway processes on one PostgreSQL and one Redis, as behind a load balancer: an event
 * committed through instance A reaches a socket held by instance B, and a cursor from A resumes on B.
 */
describeWithPostgres('two gateway instances on PostgreSQL and Redis', () => {
  let db: TestDatabase;
  let cwd: string;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let urlA: string;
  let urlB: string;
  let token: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    if (!TEST_REDIS_URL) throw new Error('TEST_REDIS_URL must be set with TEST_POSTGRES_URL (see .ci/run)');
    db = await createTestDatabase();
    cwd = mkdtempSync(join(tmpdir(), 'gateway-pair-'));
    const secret = randomBytes(32).toString('hex');
    // The poll is set to a minute: within the test's seconds, only the Redis signal can deliver.
    const env = { NODE_ENV: 'test', EVENTS_POLL_MS: '60000', PORT: '0', DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, JWT_SECRET: secret, LOG_LEVEL: 'info' };
    a = spawnGateway(env, cwd);
    urlA = await a.url();
    b = spawnGateway(env, cwd);
    urlB = await b.url();
    token = await new JwtService(secret).sign({ agentId: 'sam', tenantId: 'default', roles: ['supervisor'] }, 3600);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  const create = (url: string, sessionId: string) =>
    fetch(`${url}/v1/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contact: { phone: '+14155552671' }, chat: { sessionId } }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id: string } }));

  it('both instances are ready with the Redis bus connected', async () => {
    for (const url of [urlA, urlB]) {
      const ready = await (await fetch(`${url}/health/ready`)).json();
      expect(ready).toEqual({ status: 'ok', ready: true, checks: { store: { status: 'up' }, events: { status: 'up' } } });
    }
  });

  it('delivers an event committed on A to a socket on B, and resumes a cursor from A on B', async () => {
    const onB = await EventClient.connect(urlB, token);
    clients.push(onB);
    onB.send({ op: 'subscribe', topics: ['tenant'] });
    await onB.next((f) => f.op === 'subscribed');

    const made = await create(urlA, 'pair-1');
    expect(made.status).toBe(201);
    const [created, linked] = await onB.eventCount(2, 3000);
    expect(created!.event).toMatchObject({ type: 'conversation.created', conversationId: made.body.id });
    expect(linked!.event.type).toBe('chat.linked');

    const onA = await EventClient.connect(urlA, token);
    clients.push(onA);
    onA.send({ op: 'subscribe', topics: ['tenant'] });
    await onA.next((f) => f.op === 'subscribed');
    const second = await create(urlB, 'pair-2');
    const fromA = await onA.eventCount(2, 3000);
    expect(fromA.map((f) => f.event.conversationId)).toEqual([second.body.id, second.body.id]);

    // A desktop that was on A reconnects to B with its last cursor and misses nothing.
    const cursor = linked!.cursor as string;
    const resumed = await EventClient.connect(urlB, token);
    clients.push(resumed);
    resumed.send({ op: 'subscribe', topics: ['tenant'], since: cursor });
    const replayed = await resumed.eventCount(2, 3000);
    expect(replayed.map((f) => f.cursor)).toEqual(fromA.map((f) => f.cursor));
  });
});
