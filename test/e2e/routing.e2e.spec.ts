import type { DatabaseHandle } from '../../src/storage/database';
import { DATABASE } from '../../src/storage/storage.module';
import { EventLogRepository } from '../../src/events/event-log.repository';
import { TimelineRepository } from '../../src/conversations/timeline/timeline.repository';
import { UnattendedSweeper } from '../../src/routing/unattended.service';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient, type Frame } from '../support/ws-client';

const ACME = '+14155550100';
const FIFO = '+14155550200';
const VEIL = '+14155550300';

/**
 * Nobody misses a customer: a returning customer's text reaches their last agent when online
 * (sticky) or the queue, which agents claim with exactly one winner; supervisors assign, agents
 * release, and a conversation left waiting is announced once.
 */
describe('routing of customers to agents', () => {
  let gw: TestGateway;
  const clients: EventClient[] = [];
  const tokens = new Map<string, Promise<string>>();
  const token = (tenantId: string, agentId: string, role: 'agent' | 'supervisor' = 'agent') => {
    const key = `${tenantId}/${agentId}/${role}`;
    if (!tokens.has(key)) tokens.set(key, gw.token({ tenantId, agentId, roles: [role] }));
    return tokens.get(key)!;
  };

  beforeAll(async () => {
    gw = await startTestGateway({
      tenants: [
        { id: 'acme', numbers: [ACME] },
        { id: 'fifo', numbers: [FIFO], inboundRouting: 'queue', unattendedAlertSeconds: 1 },
        { id: 'veil', numbers: [VEIL], maskSensitiveData: true },
      ],
      routing: { unattendedSweepMs: 100 },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await gw.close();
  });

  const as = async (tenantId: string, agentId: string, role: 'agent' | 'supervisor' = 'agent') => token(tenantId, agentId, role);
  const open = async (tenantId: string, agentId: string, phone: string) => {
    const res = await gw.request('POST', '/v1/conversations', { token: await as(tenantId, agentId), body: { contact: { phone } } });
    expect(res.status).toBe(201);
    return res.body as { id: string; contact: { id: string } };
  };
  const wrapUp = async (tenantId: string, agentId: string, id: string) =>
    expect((await gw.request('POST', `/v1/conversations/${id}/wrap-up`, { token: await as(tenantId, agentId), body: { disposition: 'resolved' } })).status).toBe(200);
  const text = async (tenantId: string, from: string, to: string, body = 'Hello again') => {
    const res = await gw.request('POST', '/v1/simulator/inbound-sms', { token: await as(tenantId, 'sam', 'supervisor'), body: { from, to, body } });
    expect(res.status).toBe(202);
    return res.body as { conversationId: string };
  };
  const get = async (tenantId: string, id: string) => (await gw.request('GET', `/v1/conversations/${id}`, { token: await as(tenantId, 'sam', 'supervisor') })).body;
  const socket = async (tenantId: string, agentId: string, topics: string[], role: 'agent' | 'supervisor' = 'agent') => {
    const client = await EventClient.connect(gw.url, await as(tenantId, agentId, role));
    clients.push(client);
    client.send({ op: 'subscribe', topics });
    await client.next((f) => f.op === 'subscribed');
    return client;
  };
  const agentsOnline = async (tenantId: string) =>
    ((await gw.request('GET', '/v1/agents', { token: await as(tenantId, 'sam', 'supervisor') })).body.items as Array<{ agentId: string }>).map((a) => a.agentId);
  const until = async <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> => {
    for (let i = 0; i < 100; i++) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const log = async (tenantId: string, conversationId: string) =>
    (await new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter(tenantId, 0, 100_000)).filter((e) => e.conversationId === conversationId);
  const ofType = (type: string, conversationId: string) => (f: Frame) => f.event?.type === type && f.event.conversationId === conversationId;

  it('gives a returning customer to their last agent when that agent is online (sticky)', async () => {
    const first = await open('acme', 'alice', '+14155552001');
    await wrapUp('acme', 'alice', first.id);
    const desk = await socket('acme', 'alice', ['agent:alice']);

    const { conversationId } = await text('acme', '+14155552001', ACME);
    expect(conversationId).not.toBe(first.id);
    expect((await get('acme', conversationId)).agentId).toBe('alice');
    const received = await desk.next(ofType('sms.received', conversationId));
    expect(received.topic).toBe('agent:alice');
    expect(received.event.data.body).toBe('Hello again');
    const created = await desk.next(ofType('conversation.created', conversationId));
    expect(created.event.data).toMatchObject({
      channel: 'sms', assignment: { agentId: 'alice', via: 'sticky' }, contact: { id: first.contact.id, phone: '+14155552001' },
    });
  });

  it('puts the text on the queue when the last agent is offline, and agents on the queue get it', async () => {
    const first = await open('acme', 'bob', '+14155552002');
    await wrapUp('acme', 'bob', first.id);
    // Bob was online, then his socket closed: he is offline again.
    const gone = await socket('acme', 'bob', ['agent:bob']);
    await until(async () => ((await agentsOnline('acme')).includes('bob') ? true : undefined), 'bob online');
    gone.close();
    await until(async () => ((await agentsOnline('acme')).includes('bob') ? undefined : true), 'bob offline');
    const queue = await socket('acme', 'carol', ['queue']);

    const { conversationId } = await text('acme', '+14155552002', ACME);
    expect((await get('acme', conversationId)).agentId).toBeNull();
    const received = await queue.next(ofType('sms.received', conversationId));
    expect(received.topic).toBe('queue');
    const created = await queue.next(ofType('conversation.created', conversationId));
    expect(created.event.data).toMatchObject({ channel: 'sms', assignment: { agentId: null, via: 'queue' }, contact: { phone: '+14155552002' } });
  });

  it('tells supervisors who comes online and goes offline, and lists who is online', async () => {
    const watch = await socket('acme', 'sam', ['tenant'], 'supervisor');
    const desk = await socket('acme', 'dora', ['agent:dora']);
    const online = await watch.next((f) => f.event?.type === 'agent.presence' && f.event.data.agentId === 'dora');
    expect(online).toMatchObject({ topic: 'tenant', event: { data: { agentId: 'dora', status: 'online' } } });
    expect(await agentsOnline('acme')).toContain('dora');
    const listed = (await gw.request('GET', '/v1/agents', { token: await as('acme', 'sam', 'supervisor') })).body.items;
    expect(listed.find((a: { agentId: string }) => a.agentId === 'dora')).toMatchObject({ status: 'online', instances: 1 });
    expect((await gw.request('GET', '/v1/agents', { token: await as('acme', 'dora') })).status).toBe(403);
    desk.close();
    await watch.next((f) => f.event?.type === 'agent.presence' && f.event.data.agentId === 'dora' && f.event.data.status === 'offline');
    expect(await agentsOnline('acme')).not.toContain('dora');
  });

  it('leaves every new conversation to the queue under inboundRouting: queue, even with the last agent online', async () => {
    const first = await open('fifo', 'fay', '+14155552003');
    await wrapUp('fifo', 'fay', first.id);
    const desk = await socket('fifo', 'fay', ['agent:fay', 'queue']);
    const { conversationId } = await text('fifo', '+14155552003', FIFO);
    expect((await get('fifo', conversationId)).agentId).toBeNull();
    expect((await desk.next(ofType('sms.received', conversationId))).topic).toBe('queue');
  });

  it('announces the new conversation with its contact, masked for agents of a masking tenant', async () => {
    const queue = await socket('veil', 'vera', ['queue']);
    const { conversationId } = await text('veil', '+14155552007', VEIL);
    const created = await queue.next(ofType('conversation.created', conversationId));
    expect(created.event.data.contact.id).toEqual(expect.any(String));
    expect(created.event.data.contact.phone).not.toContain('4155552007');
    expect(created.event.data.contact.phone).toMatch(/2007$/);
  });

  it('lets exactly one of twenty agents claiming at once have the conversation; the others get 409', async () => {
    const { conversationId } = await text('fifo', '+14155552004', FIFO);
    const agents = Array.from({ length: 20 }, (_, i) => `agent-${i + 1}`);
    const answers = await Promise.all(agents.map(async (agentId) =>
      [agentId, await gw.request('POST', `/v1/conversations/${conversationId}/claim`, { token: await as('fifo', agentId) })] as const));
    const winners = answers.filter(([, r]) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(answers.filter(([, r]) => r.status === 409)).toHaveLength(19);
    const [winner, won] = winners[0]!;
    expect(won.body.agentId).toBe(winner);
    expect((await get('fifo', conversationId)).agentId).toBe(winner);
    expect((await log('fifo', conversationId)).filter((e) => e.type === 'conversation.assigned')).toEqual([
      expect.objectContaining({ agentId: winner, data: { agentId: winner, by: winner, previousAgentId: null } }),
    ]);
    const timeline = await new TimelineRepository(gw.app.get<DatabaseHandle>(DATABASE).db).ofConversation('fifo', conversationId);
    expect(timeline.filter((t) => t.kind === 'assigned').map((t) => t.data)).toEqual([{ agentId: winner, by: winner }]);
    // The winner claiming again changes nothing.
    expect((await gw.request('POST', `/v1/conversations/${conversationId}/claim`, { token: await as('fifo', winner) })).status).toBe(200);
  });

  it('lets a supervisor assign and an agent release their own conversation, with events on the queue', async () => {
    const { conversationId } = await text('fifo', '+14155552005', FIFO);
    const queue = await socket('fifo', 'quinn', ['queue']);
    const post = async (what: string, tokenOf: Promise<string>, body?: object) =>
      gw.request('POST', `/v1/conversations/${conversationId}/${what}`, { token: await tokenOf, body });
    const supervisor = as('fifo', 'sam', 'supervisor');

    expect((await post('assign', as('fifo', 'dave'), { agentId: 'dave' })).status).toBe(403);
    expect((await post('assign', supervisor, {})).status).toBe(400);
    expect((await post('assign', supervisor, { agentId: 'no spaces' })).status).toBe(400);
    expect((await post('release', as('fifo', 'dave'))).status).toBe(409);

    expect((await post('claim', as('fifo', 'erin'))).status).toBe(200);
    const assigned = await post('assign', supervisor, { agentId: 'dave' });
    expect(assigned.status).toBe(200);
    expect(assigned.body.agentId).toBe('dave');
    const released = await queue.next(ofType('conversation.released', conversationId));
    expect(released.event.data).toEqual({ agentId: 'erin', by: 'sam' });
    const handed = await queue.next(ofType('conversation.assigned', conversationId), 5000, queue.frames.indexOf(released));
    expect(handed.event.data).toEqual({ agentId: 'dave', by: 'sam', previousAgentId: 'erin' });

    expect((await post('release', as('fifo', 'erin'))).status).toBe(403);
    const back = await post('release', as('fifo', 'dave'));
    expect(back.status).toBe(200);
    expect(back.body.agentId).toBeNull();
    const entered = await queue.next((f) => ofType('conversation.released', conversationId)(f) && f.event.data.agentId === 'dave');
    expect(entered.event.data).toEqual({ agentId: 'dave', by: 'dave' });
    expect((await post('release', as('fifo', 'dave'))).status).toBe(409);

    const timeline = await new TimelineRepository(gw.app.get<DatabaseHandle>(DATABASE).db).ofConversation('fifo', conversationId);
    expect(timeline.filter((t) => t.kind === 'assigned' || t.kind === 'released').map((t) => [t.kind, t.data])).toEqual([
      ['assigned', { agentId: 'erin', by: 'erin' }],
      ['released', { agentId: 'erin', by: 'sam' }],
      ['assigned', { agentId: 'dave', by: 'sam' }],
      ['released', { agentId: 'dave', by: 'dave' }],
    ]);

    expect((await post('claim', as('fifo', 'erin'))).status).toBe(200);
    await wrapUp('fifo', 'erin', conversationId);
    expect((await post('release', as('fifo', 'erin'))).status).toBe(409);
    expect((await gw.request('POST', '/v1/conversations/01ARZ3NDEKTSV4RRFFQ69G5FAV/claim', { token: await as('fifo', 'erin') })).status).toBe(404);
  });

  it('announces a conversation left unassigned once on the tenant topic, and again after it is released', async () => {
    const watch = await socket('fifo', 'sam', ['tenant'], 'supervisor');
    const { conversationId } = await text('fifo', '+14155552006', FIFO);
    const alert = await watch.next(ofType('conversation.unattended', conversationId));
    expect(alert.topic).toBe('tenant');
    expect(alert.event.data).toMatchObject({ alertSeconds: 1 });
    expect(alert.event.data.waitedSeconds).toBeGreaterThanOrEqual(1);
    // More sweeps, here and as another instance would run them, announce nothing more.
    const sweeper = gw.app.get(UnattendedSweeper);
    await sweeper.sweep();
    await sweeper.sweep();
    expect((await log('fifo', conversationId)).filter((e) => e.type === 'conversation.unattended')).toHaveLength(1);

    // Claimed and released: a new wait, and a new alert.
    expect((await gw.request('POST', `/v1/conversations/${conversationId}/claim`, { token: await as('fifo', 'gil') })).status).toBe(200);
    expect((await gw.request('POST', `/v1/conversations/${conversationId}/release`, { token: await as('fifo', 'gil') })).status).toBe(200);
    await watch.next(ofType('conversation.unattended', conversationId), 5000, watch.frames.indexOf(alert) + 1);
    expect((await log('fifo', conversationId)).filter((e) => e.type === 'conversation.unattended')).toHaveLength(2);
  });

  it('lists conversations by last activity, newest first, filtered by assignment, paging without gaps or repeats', async () => {
    const lena = as('acme', 'lena');
    const desk = await socket('acme', 'lena', ['agent:lena']);
    const c1 = await open('acme', 'lena', '+14155552101');
    const c2 = await open('acme', 'lena', '+14155552102');
    const c3 = await open('acme', 'lena', '+14155552103');
    const queued = await text('acme', '+14155552104', ACME);
    const list = async (query: string) => (await gw.request('GET', `/v1/conversations?${query}`, { token: await lena }));
    const ids = (page: { items: Array<{ id: string }> }) => page.items.map((c) => c.id);

    expect(ids((await list('assigned=me')).body)).toEqual([c3.id, c2.id, c1.id]);

    // A call on c2, then a text out on c1: each moves its conversation to the top.
    const before = await get('acme', c2.id);
    const call = await gw.request('POST', `/v1/conversations/${c2.id}/calls`, { token: await lena, body: { agentEndpoint: 'sip:1001@pbx.example' } });
    expect(call.status).toBe(202);
    await desk.next(ofType('call.answered', c2.id));
    const after = await get('acme', c2.id);
    expect(after.lastActivityAt > before.lastActivityAt).toBe(true);
    expect(after.updatedAt > before.updatedAt).toBe(true);
    const sms = await gw.request('POST', `/v1/conversations/${c1.id}/messages`, { token: await lena, body: { body: 'Your claim is approved' } });
    expect(sms.status).toBe(202);
    await desk.next(ofType('sms.delivered', c1.id));
    expect((await get('acme', c1.id)).updatedAt > after.updatedAt).toBe(true);

    const mine = (await list('assigned=me')).body;
    expect(ids(mine)).toEqual([c1.id, c2.id, c3.id]);
    expect(ids((await list('assigned=lena')).body)).toEqual([c1.id, c2.id, c3.id]);
    expect(mine.items[0].lastActivityAt >= mine.items[1].lastActivityAt).toBe(true);
    const unassigned = (await list('assigned=none&limit=100')).body;
    expect(ids(unassigned)).toContain(queued.conversationId);
    expect(unassigned.items.every((c: { agentId: string | null }) => c.agentId === null)).toBe(true);

    const all = ids((await list('limit=100')).body);
    expect(all.indexOf(c1.id)).toBeLessThan(all.indexOf(c2.id));
    expect(all.indexOf(c2.id)).toBeLessThan(all.indexOf(c3.id));
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string }>; nextCursor: string | null } = (await list(`limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
      paged.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);

    expect((await list('cursor=garbage')).status).toBe(400);
    expect((await list('assigned=me&agentId=lena')).status).toBe(400);
  });
});
