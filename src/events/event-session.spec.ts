import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { EventSession } from './event-session';

/**
 * A real `ws` pair on 127.0.0.1: what reaches the server's connection is counted at the socket's
 * own write methods (one call is one system call's worth of frames).
 */
describe('EventSession writes', () => {
  let server: Server;
  let wss: WebSocketServer;
  let client: WebSocket | undefined;

  beforeEach(async () => {
    server = createServer();
    wss = new WebSocketServer({ server });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    client?.terminate();
    wss.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A session on the server's end of a new connection, the connection's writes counted, and the client's received frames. */
  async function open(coalesced: boolean, maxBufferedBytes = 1 << 20) {
    const accepted = new Promise<{ socket: WebSocket; connection: Socket }>((resolve) => {
      wss.once('connection', (socket, request) => resolve({ socket, connection: request.socket as Socket }));
    });
    client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const received: string[] = [];
    client.on('message', (data) => received.push(data.toString()));
    const { socket, connection } = await accepted;
    const writes = { count: 0 };
    const dropped: string[] = [];
    const conn = connection as Socket & { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
    for (const method of ['_write', '_writev'] as const) {
      const original = conn[method].bind(conn);
      conn[method] = (...args: unknown[]) => {
        writes.count++;
        original(...args);
      };
    }
    const session = new EventSession(
      socket,
      { agentId: 'a1', tenantId: 't1', roles: ['agent'], pii: false },
      { maxBufferedBytes, framesPerSecond: 100, frameBurst: 100 },
      { delivered: () => undefined, dropped: (reason) => dropped.push(reason), disposed: () => undefined },
      false,
      coalesced ? connection : undefined,
    );
    return { session, writes, received, dropped };
  }

  const heartbeats = (session: EventSession, count: number) => {
    for (let i = 0; i < count; i++) session.send({ op: 'heartbeat', cursor: String(i) });
  };

  const until = async (done: () => boolean) => {
    while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it.each([
    { coalesced: true, writes: 1 },
    { coalesced: false, writes: 5 },
  ])('five frames sent in one tick, coalesced: $coalesced → $writes write(s), every frame delivered in order', async (c) => {
    const { session, writes, received } = await open(c.coalesced);
    heartbeats(session, 5);
    await until(() => received.length === 5);
    expect(writes.count).toBe(c.writes);
    expect(received.map((r) => JSON.parse(r).cursor)).toEqual(['0', '1', '2', '3', '4']);
  });

  it('writes what it holds once it reaches 16 KiB, so a burst in one tick (a replay) never counts as a slow consumer', async () => {
    // 300 frames of ~1 KiB in one tick against the smallest buffer allowed (16 KiB).
    const { session, writes, received, dropped } = await open(true, 16 * 1024);
    for (let i = 0; i < 300; i++) session.send({ op: 'heartbeat', cursor: `${i}:${'x'.repeat(1000)}` });
    await until(() => received.length === 300 || dropped.length > 0);
    expect(dropped).toEqual([]);
    expect(received).toHaveLength(300);
    expect(writes.count).toBeGreaterThanOrEqual(300 * 1000 / (16 * 1024));
    expect(writes.count).toBeLessThan(300);
  });

  it('frames of separate ticks are written separately (nothing waits beyond its tick)', async () => {
    const { session, writes, received } = await open(true);
    heartbeats(session, 2);
    await until(() => received.length === 2);
    heartbeats(session, 3);
    await until(() => received.length === 5);
    expect(writes.count).toBe(2);
  });
});
