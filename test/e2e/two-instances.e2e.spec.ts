import { startGatewayPair, type GatewayPair } from '../support/gateway-pair';
import { describeWithPostgres } from '../support/postgres';
import { EventClient } from '../support/ws-client';

/**
 * Two gateway processes on one PostgreSQL and one Redis, as behind a load balancer: an event
 * committed through instance A reaches a socket held by instance B, and a cursor from A resumes on B.
 */
describeWithPostgres('two gateway instances on PostgreSQL and Redis', () => {
  let pair: GatewayPair;
  let urlA: string;
  let urlB: string;
  let token: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    // The poll is set to a minute: within the test's seconds, only the Redis signal can deliver.
    pair = await startGatewayPair({ EVENTS_POLL_MS: '60000' });
    ({ urlA, urlB } = pair);
    token = await pair.jwt.sign({ agentId: 'sam', tenantId: 'default', roles: ['supervisor'] }, 3600);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await pair?.close();
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

  it('delivers the events of many concurrent writers on both instances once each, in increasing order, on both', async () => {
    const watchers: EventClient[] = [];
    for (const url of [urlA, urlB]) {
      const watcher = await EventClient.connect(url, token);
      clients.push(watcher);
      watcher.send({ op: 'subscribe', topics: ['tenant'] });
      await watcher.next((f) => f.op === 'subscribed');
      watchers.push(watcher);
    }
    // 40 changes at once, half through each instance: every one commits two events.
    const made = await Promise.all(Array.from({ length: 40 }, (_, n) => create(n % 2 ? urlA : urlB, `burst-${n}`)));
    expect(made.map((m) => m.status)).toEqual(made.map(() => 201));
    const ids = new Set(made.map((m) => m.body.id));
    for (const watcher of watchers) {
      const frames = (await watcher.next(() => watcher.events().filter((f) => ids.has(f.event.conversationId as string)).length >= 80, 10_000)
        .then(() => watcher.events())).filter((f) => ids.has(f.event.conversationId as string));
      const cursors = watcher.events().map((f) => Number(f.cursor));
      expect(cursors.every((c, i) => i === 0 || c > cursors[i - 1]!)).toBe(true);
      expect(frames).toHaveLength(80);
      expect(new Set(frames.map((f) => f.event.id)).size).toBe(80);
    }
    // A replay from the start on either instance gives the same sequence as live delivery did.
    const replaying = await EventClient.connect(urlA, token);
    clients.push(replaying);
    replaying.send({ op: 'subscribe', topics: ['tenant'], since: '0' });
    const seenOnB = watchers[1]!.events().map((f) => Number(f.cursor));
    const last = seenOnB.at(-1)!;
    await replaying.next(() => replaying.events().some((f) => Number(f.cursor) >= last), 10_000);
    const replayed = replaying.events().map((f) => Number(f.cursor)).filter((c) => c >= seenOnB[0]! && c <= last);
    expect(replayed).toEqual(seenOnB);
  });
});
