import { EventLogRepository } from '../../src/events/event-log.repository';
import type { DatabaseHandle } from '../../src/storage/database';
import { DATABASE } from '../../src/storage/storage.module';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient, type Frame } from '../support/ws-client';

const TENANTS = [{ id: 'acme', defaultRegion: 'GB' }, { id: 'globex', defaultRegion: 'US' }];

describe('live events over WebSocket', () => {
  let gw: TestGateway;
  let alice: string;
  let supervisor: string;
  let globex: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ tenants: TENANTS });
    alice = await gw.token({ tenantId: 'acme', agentId: 'alice' });
    supervisor = await gw.token({ tenantId: 'acme', agentId: 'sam', roles: ['supervisor'] });
    globex = await gw.token({ tenantId: 'globex', agentId: 'bob' });
  });
  afterEach(() => { for (const c of clients.splice(0)) c.close(); });
  afterAll(() => gw.close());

  const connect = async (token: string, via: 'header' | 'query' = 'header') => {
    const client = await EventClient.connect(gw.url, token, via);
    clients.push(client);
    return client;
  };
  let session = 0;
  const newConversation = async (token = alice) => {
    const res = await gw.request('POST', '/v1/conversations', {
      token, body: { contact: { phone: '+447911123456' }, chat: { sessionId: `ws-${++session}` } },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  /** Positions of acme's log after `after` (positions increase but are not consecutive: tenants share a counter). */
  const logged = async (after: number | string) =>
    (await new EventLogRepository(gw.app.get<DatabaseHandle>(DATABASE).db).readAfter('acme', Number(after), 100_000)).map((e) => e.seq);
  const subscribe = async (client: EventClient, topics: string[], since?: string) => {
    const from = client.frames.length;
    client.send({ op: 'subscribe', topics, ...(since === undefined ? {} : { since }) });
    return client.next((f) => f.op === 'subscribed' || f.op === 'error', 5000, from);
  };

  it('refuses a forged, expired or missing token before the upgrade completes', async () => {
    // A character in the middle of the signature: the last one may only hold padding bits.
    const real = await gw.token({ tenantId: 'acme' });
    const at = real.lastIndexOf('.') + 10;
    const forged = real.slice(0, at) + (real[at] === 'A' ? 'B' : 'A') + real.slice(at + 1);
    for (const token of [forged, 'not-a-token', '']) {
      await expect(EventClient.connect(gw.url, token)).rejects.toMatchObject({ status: 401 });
      await expect(EventClient.connect(gw.url, token, 'query')).rejects.toMatchObject({ status: 401 });
    }
  });

  it('accepts the token in the header or as access_token, and answers ping', async () => {
    for (const via of ['header', 'query'] as const) {
      const client = await connect(alice, via);
      client.send({ op: 'ping' });
      expect(await client.next((f) => f.op === 'pong')).toEqual({ op: 'pong' });
    }
  });

  it('delivers live events of a subscribed conversation, in order, with cursors', async () => {
    const id = await newConversation();
    const client = await connect(alice);
    expect(await subscribe(client, [`conversation:${id}`])).toEqual({ op: 'subscribed', topics: [`conversation:${id}`] });
    await gw.request('POST', `/v1/conversations/${id}/chat/end`, { token: alice });
    const [ended, updated] = await client.eventCount(2);
    expect(ended).toMatchObject({
      op: 'event', topic: `conversation:${id}`,
      event: { type: 'chat.ended', conversationId: id, interactionId: expect.any(String), at: expect.any(String), data: { endReason: 'completed' } },
    });
    expect(updated!.event).toMatchObject({ type: 'conversation.updated', data: { status: 'wrap-up' } });
    expect(Number(updated!.cursor)).toBe(Number(ended!.cursor) + 1);
    expect(Object.keys(ended!.event).sort()).toEqual(['at', 'conversationId', 'data', 'id', 'interactionId', 'type']);
  });

  it("refuses another tenant's conversation and the tenant topic to an agent, and keeps the socket open", async () => {
    const id = await newConversation();
    const foreign = await connect(globex);
    expect(await subscribe(foreign, [`conversation:${id}`])).toEqual({
      op: 'error', status: 404, detail: 'conversation not found', topic: `conversation:${id}`,
    });
    const agent = await connect(alice);
    expect(await subscribe(agent, ['tenant'])).toMatchObject({ op: 'error', status: 403, topic: 'tenant' });
    expect(await subscribe(agent, ['agent:bob'])).toMatchObject({ op: 'error', status: 403, topic: 'agent:bob' });
    expect(await subscribe(agent, ['agent:alice', 'tenant'])).toMatchObject({ op: 'error', topic: 'tenant' });
    expect(await agent.next((f) => f.op === 'subscribed')).toEqual({ op: 'subscribed', topics: ['agent:alice'] });
    // Nothing of acme ever reaches the globex socket.
    await gw.request('POST', `/v1/conversations/${id}/chat/end`, { token: alice });
    await agent.eventCount(2);
    foreign.send({ op: 'ping' });
    await foreign.next((f) => f.op === 'pong');
    expect(foreign.events()).toEqual([]);
  });

  it.each<[string, unknown, number]>([
    ['not JSON', '{"op":', 400],
    ['an array', '[1]', 400],
    ['no op', { topics: ['tenant'] }, 400],
    ['an unknown op', { op: 'publish' }, 400],
    ['topics not an array', { op: 'subscribe', topics: 'tenant' }, 400],
    ['no topics', { op: 'subscribe', topics: [] }, 400],
    ['a bad topic', { op: 'subscribe', topics: ['calls'] }, 400],
    ['a bad cursor', { op: 'subscribe', topics: ['agent:alice'], since: 'yesterday' }, 400],
    ['a cursor ahead of the log', { op: 'subscribe', topics: ['agent:alice'], since: '999999999' }, 400],
  ])('answers %s with an error frame and stays open', async (_name, frame, status) => {
    const client = await connect(alice);
    client.send(frame);
    expect(await client.next((f) => f.op === 'error')).toMatchObject({ op: 'error', status });
    client.send({ op: 'ping' });
    await client.next((f) => f.op === 'pong');
  });

  it('replays exactly the events missed while disconnected, in order, then goes live', async () => {
    const first = await connect(supervisor);
    await subscribe(first, ['tenant']);
    const id = await newConversation();
    const seen = await first.eventCount(2);
    const cursor = seen[seen.length - 1]!.cursor as string;
    first.close();

    // While disconnected: three more changes of two conversations, and one of another tenant.
    const other = await newConversation();
    await gw.request('POST', `/v1/conversations/${id}/wrap-up`, { token: alice, body: { disposition: 'done' } });
    await newConversation(globex);
    const missed = 2 + 2; // other: created + linked; id: chat.ended + conversation.closed

    const again = await connect(supervisor);
    await subscribe(again, ['tenant'], cursor);
    const replayed = await again.eventCount(missed);
    expect(replayed.map((f) => f.event.type)).toEqual(['conversation.created', 'chat.linked', 'chat.ended', 'conversation.closed']);
    const positions = await logged(cursor);
    expect(replayed.map((f) => Number(f.cursor))).toEqual(positions.slice(0, 4));
    expect(replayed[0]!.event.conversationId).toBe(other);

    await gw.request('POST', `/v1/conversations/${other}/chat/end`, { token: alice });
    const live = await again.eventCount(missed + 2);
    expect(live.slice(missed).map((f) => Number(f.cursor))).toEqual((await logged(cursor)).slice(4, 6));
    expect(new Set(live.map((f) => f.cursor)).size).toBe(live.length);
  });

  it('has no gap and no duplicate at the seam between replay and live, under concurrent writes', async () => {
    const watcher = await connect(supervisor);
    await subscribe(watcher, ['tenant']);
    const writes = (async () => {
      for (let n = 0; n < 40; n++) await newConversation();
    })();
    // Join mid-stream with a replay from the start of the log.
    await new Promise((r) => setTimeout(r, 30));
    const late = await connect(supervisor);
    await subscribe(late, ['tenant'], '0');
    await writes;
    const expected = await watcher.eventCount(80, 10_000);
    const lastCursor = Number(expected[expected.length - 1]!.cursor);
    const got = await late.next(() => Number(late.events().at(-1)?.cursor ?? 0) >= lastCursor, 10_000)
      .then(() => late.events());
    const cursors = got.map((f: Frame) => Number(f.cursor));
    // Every event of the log, once, in order: nothing skipped or repeated at the seam.
    expect(cursors).toEqual((await logged(0)).filter((seq) => seq <= lastCursor));
    expect(cursors.at(-1)).toBe(lastCursor);
  });

  it('closes a socket whose peer stops answering pings', async () => {
    const quick = await startTestGateway({ events: { heartbeatMs: 150 } });
    try {
      const client = await EventClient.connect(quick.url, await quick.token());
      client.send({ op: 'ping' });
      await client.next((f) => f.op === 'pong');
      await client.next((f) => f.op === 'heartbeat', 2000);
      // The client's TCP socket stops reading: no pong goes back any more.
      (client.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      const deadline = Date.now() + 5000;
      let metrics = '';
      while (Date.now() < deadline && !/gateway_ws_dropped_total\{reason="dead-peer"\} 1/.test(metrics)) {
        await new Promise((r) => setTimeout(r, 100));
        metrics = (await quick.request('GET', '/metrics', { token: null })).text;
      }
      expect(metrics).toMatch(/gateway_ws_dropped_total\{reason="dead-peer"\} 1/);
      expect(metrics).toMatch(/gateway_ws_open_sockets 0/);
      client.close();
    } finally {
      await quick.close();
    }
  });

  it('disconnects a slow consumer with 4008 and a cursor to resume from, keeping memory bounded', async () => {
    const small = await startTestGateway({ events: { maxBufferedBytes: 16 * 1024 } });
    try {
      const token = await small.token({ roles: ['supervisor'] });
      const client = await EventClient.connect(small.url, token);
      client.send({ op: 'subscribe', topics: ['tenant'] });
      await client.next((f) => f.op === 'subscribed');
      (client.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
      const context = { blob: 'x'.repeat(15_000) };
      let metrics = '';
      for (let n = 0; n < 2000 && !/reason="slow-consumer"\} 1/.test(metrics); n++) {
        await small.request('POST', '/v1/conversations', { token, body: { contact: { name: `n${n}` }, context } });
        if (n % 50 === 49) metrics = (await small.request('GET', '/metrics', { token: null })).text;
      }
      expect(metrics).toMatch(/gateway_ws_dropped_total\{reason="slow-consumer"\} 1/);
      (client.socket as unknown as { _socket: { resume(): void } })._socket.resume();
      const closed = await client.closedWith(10_000);
      expect(closed.code).toBe(4008);
      expect(closed.reason).toMatch(/^slow consumer: reconnect with since=\d+$/);
    } finally {
      await small.close();
    }
  });

  it('closes sockets with 1012 and a cursor when the gateway shuts down', async () => {
    const own = await startTestGateway();
    const client = await EventClient.connect(own.url, await own.token());
    client.send({ op: 'subscribe', topics: ['agent:a1'] });
    await client.next((f) => f.op === 'subscribed');
    await own.close();
    expect(await client.closedWith()).toEqual({ code: 1012, reason: expect.stringMatching(/^service restart: reconnect with since=\d+$/) });
  });
});
