import { JwtService } from '../../src/common/auth/jwt.service';
import type { Role } from '../../src/common/auth/principal';
import type { GatewayProcess } from '../support/gateway-process';
import { startGatewayPair, type GatewayPair } from '../support/gateway-pair';
import { describeWithPostgres } from '../support/postgres';
import { EventClient, type Frame } from '../support/ws-client';

/**
 * Routing with two gateway processes on one PostgreSQL and one Redis, as behind a load balancer:
 * an agent online on one instance gets a returning customer's text that arrived at the other,
 * presence ends when their socket closes or their instance dies, and claims sent to both
 * instances at once have one winner.
 */
describeWithPostgres('routing across two gateway instances on PostgreSQL and Redis', () => {
  let pair: GatewayPair;
  let b: GatewayProcess;
  let urlA: string;
  let urlB: string;
  let jwt: JwtService;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    // A short heartbeat, so presence rows of a killed instance expire within the test (3 heartbeats).
    pair = await startGatewayPair({ EVENTS_HEARTBEAT_MS: '500' });
    ({ b, urlA, urlB, jwt } = pair);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await pair?.close();
  });

  const token = (agentId: string, role: Role = 'agent') => jwt.sign({ agentId, tenantId: 'default', roles: [role] }, 3600);
  const call = async (url: string, method: string, path: string, as: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${as}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const socket = async (url: string, as: string, topics: string[]) => {
    const client = await EventClient.connect(url, as);
    clients.push(client);
    client.send({ op: 'subscribe', topics });
    await client.next((f) => f.op === 'subscribed');
    return client;
  };
  const online = async (url: string, supervisor: string) =>
    ((await call(url, 'GET', '/v1/agents', supervisor)).body.items as Array<{ agentId: string }>).map((x) => x.agentId);
  const until = async (probe: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 200; i++) {
      if (await probe()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const presence = (agentId: string, status: string) => (f: Frame) =>
    f.event?.type === 'agent.presence' && f.event.data.agentId === agentId && f.event.data.status === status;

  it('routes a text arriving at A to the agent online on B, and forgets the agent when the socket closes', async () => {
    const sam = await token('sam', 'supervisor');
    const alice = await token('alice');
    const watch = await socket(urlA, sam, ['tenant']);
    const first = await call(urlA, 'POST', '/v1/conversations', alice, { contact: { phone: '+14155553001' } });
    expect(first.status).toBe(201);
    expect((await call(urlA, 'POST', `/v1/conversations/${first.body.id}/wrap-up`, alice, { disposition: 'resolved' })).status).toBe(200);

    const desk = await socket(urlB, alice, ['agent:alice']);
    await watch.next(presence('alice', 'online'));
    expect(await online(urlA, sam)).toContain('alice');

    const sent = await call(urlA, 'POST', '/v1/simulator/inbound-sms', sam, { from: '+14155553001', to: '+14155550100', body: 'It happened again' });
    expect(sent.status).toBe(202);
    expect((await call(urlA, 'GET', `/v1/conversations/${sent.body.conversationId}`, sam)).body.agentId).toBe('alice');
    const received = await desk.next((f) => f.event?.type === 'sms.received' && f.event.conversationId === sent.body.conversationId);
    expect(received.topic).toBe('agent:alice');

    desk.close();
    await watch.next(presence('alice', 'offline'));
    expect(await online(urlA, sam)).not.toContain('alice');
    const later = await call(urlB, 'POST', '/v1/simulator/inbound-sms', sam, { from: '+14155553001', to: '+14155550100', body: 'Anyone?' });
    // The conversation of the earlier text is still open: the text joins it, assigned as it is.
    expect(later.body.conversationId).toBe(sent.body.conversationId);
  });

  it('lets one of twenty claims sent to both instances at once win', async () => {
    const sam = await token('sam', 'supervisor');
    const queue = await socket(urlB, await token('quinn'), ['queue']);
    const sent = await call(urlA, 'POST', '/v1/simulator/inbound-sms', sam, { from: '+14155553002', to: '+14155550100', body: 'Hello?' });
    const id = sent.body.conversationId as string;
    await queue.next((f) => f.event?.type === 'sms.received' && f.event.conversationId === id);
    const agents = await Promise.all(Array.from({ length: 20 }, (_, i) => token(`agent-${i + 1}`)));
    const answers = await Promise.all(agents.map((t, i) => call(i % 2 ? urlB : urlA, 'POST', `/v1/conversations/${id}/claim`, t)));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(19);
    const winner = answers.find((r) => r.status === 200)!.body.agentId as string;
    const assigned = await queue.next((f) => f.event?.type === 'conversation.assigned' && f.event.conversationId === id);
    expect(assigned.event.data).toMatchObject({ agentId: winner, previousAgentId: null });
    expect((await call(urlB, 'GET', `/v1/conversations/${id}`, sam)).body.agentId).toBe(winner);
  });

  it('ends the presence of an agent whose instance died, once its rows expire', async () => {
    const sam = await token('sam', 'supervisor');
    const watch = await socket(urlA, sam, ['tenant']);
    await socket(urlB, await token('bruno'), ['agent:bruno']);
    await watch.next(presence('bruno', 'online'));
    b.child.kill('SIGKILL');
    await b.exited;
    await watch.next(presence('bruno', 'offline'), 10_000);
    await until(async () => !(await online(urlA, sam)).includes('bruno'), 'bruno to leave the list');
    expect(watch.events().filter(presence('bruno', 'offline'))).toHaveLength(1);
  });
});
