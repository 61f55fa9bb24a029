import { JwtService } from '../../src/common/auth/jwt.service';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { EventClient, type Frame } from '../support/ws-client';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One socket (or one token) must not be able to slow every tenant down: topics, frames and sockets
 * are capped with small limits here, and a socket is served only while its token is valid.
 */
describe('limits of the live events socket', () => {
  const clients: EventClient[] = [];
  const connect = async (gw: TestGateway, token: string) => {
    const client = await EventClient.connect(gw.url, token);
    clients.push(client);
    return client;
  };
  /** Sends a frame and resolves with the first answer after it. */
  const ask = async (client: EventClient, frame: unknown, match: (f: Frame) => boolean = () => true) => {
    const from = client.frames.length;
    client.send(frame);
    return client.next(match, 5000, from);
  };
  const pong = (client: EventClient) => ask(client, { op: 'ping' });
  afterEach(() => { for (const c of clients.splice(0)) c.close(); });

  describe('topics and sockets', () => {
    let gw: TestGateway;
    let tokens = 0;
    const supervisor = () => gw.token({ agentId: `sam-${++tokens}`, roles: ['supervisor'] });

    beforeAll(async () => {
      gw = await startTestGateway({ events: { maxTopicsPerSocket: 3, maxTopicsPerFrame: 2, maxSocketsPerToken: 2 } });
    });
    afterAll(() => gw.close());

    it('refuses a subscribe beyond the topics a socket may hold, naming the limit, and stays usable', async () => {
      const client = await connect(gw, await supervisor());
      expect(await ask(client, { op: 'subscribe', topics: ['agent:a', 'agent:b'] })).toEqual({ op: 'subscribed', topics: ['agent:a', 'agent:b'] });
      const refused = await ask(client, { op: 'subscribe', topics: ['agent:c', 'agent:d'] });
      expect(refused).toMatchObject({ op: 'error', status: 422, detail: expect.stringContaining('at most 3 topics (events.maxTopicsPerSocket)') });
      // Nothing of the refused frame was taken; topics already held do not count twice.
      expect(await ask(client, { op: 'subscribe', topics: ['agent:a', 'agent:c'] })).toEqual({ op: 'subscribed', topics: ['agent:a', 'agent:c'] });
      expect(await ask(client, { op: 'subscribe', topics: ['tenant'] })).toMatchObject({ op: 'error', status: 422 });
      expect(await ask(client, { op: 'unsubscribe', topics: ['agent:b'] })).toEqual({ op: 'unsubscribed', topics: ['agent:b'] });
      expect(await ask(client, { op: 'subscribe', topics: ['tenant'] })).toEqual({ op: 'subscribed', topics: ['tenant'] });
      expect(await pong(client)).toEqual({ op: 'pong' });
      expect(client.closed).toBeUndefined();
    });

    it('refuses a frame naming more topics than allowed, naming the limit', async () => {
      const client = await connect(gw, await supervisor());
      for (const op of ['subscribe', 'unsubscribe']) {
        expect(await ask(client, { op, topics: ['agent:a', 'agent:b', 'agent:c'] })).toEqual({
          op: 'error', status: 400, detail: 'topics must be an array of 1 to 2 topic names (events.maxTopicsPerFrame)',
        });
      }
      expect(await pong(client)).toEqual({ op: 'pong' });
    });

    it('closes a socket beyond the sockets a token may hold with 4029; others are not affected', async () => {
      const token = await gw.token({ agentId: 'many-sockets' });
      const [first, second] = [await connect(gw, token), await connect(gw, token)];
      const third = await connect(gw, token);
      expect(await third.closedWith()).toEqual({ code: 4029, reason: 'too many sockets for this token: at most 2 (events.maxSocketsPerToken)' });
      expect(await pong(first)).toEqual({ op: 'pong' });
      expect(await pong(second)).toEqual({ op: 'pong' });
      expect(await pong(await connect(gw, await gw.token({ agentId: 'another-agent' })))).toEqual({ op: 'pong' });
    });

    it('frees a place on every ending of a socket, once', async () => {
      const token = await gw.token({ agentId: 'endings' });
      /** Opens a socket with `token` once the server has seen the earlier ones end. */
      const reopen = async () => {
        for (let attempt = 0; ; attempt += 1) {
          const client = await connect(gw, token);
          const answer: Frame = await Promise.race([pong(client), client.closedWith()]);
          if (answer.op === 'pong') return client;
          if (attempt >= 50) throw new Error(`still refused: ${JSON.stringify(answer)}`);
          await sleep(100);
        }
      };
      // A client that goes away.
      const [gone, kept] = [await connect(gw, token), await connect(gw, token)];
      gone.close();
      const replaced = await reopen();
      // A socket that fails (a frame over maxPayload) sees both an error and a close on the server:
      // its place is freed once, so the other two sockets still fill the token's two places.
      replaced.send('x'.repeat(70 * 1024));
      expect((await replaced.closedWith()).code).toBe(1009);
      const third = await reopen();
      const extra = await connect(gw, token);
      expect((await extra.closedWith()).code).toBe(4029);
      expect(await pong(kept)).toEqual({ op: 'pong' });
      expect(await pong(third)).toEqual({ op: 'pong' });
    });

    it('closes a socket with 4001 when its token expires, and refuses the token afterwards', async () => {
      const jwt = new JwtService(gw.config.auth.jwtSecret);
      const shortLived = await jwt.sign({ agentId: 'brief', tenantId: 'default', roles: ['agent'] }, 2);
      const client = await connect(gw, shortLived);
      expect(await ask(client, { op: 'subscribe', topics: ['agent:brief'] })).toEqual({ op: 'subscribed', topics: ['agent:brief'] });
      expect(await client.closedWith(5000)).toEqual({
        code: 4001, reason: expect.stringMatching(/^token expired: reconnect with a new token and since=\d+$/),
      });
      await expect(EventClient.connect(gw.url, shortLived)).rejects.toMatchObject({ status: 401 });
      const renewed = await jwt.sign({ agentId: 'brief', tenantId: 'default', roles: ['agent'] }, 3600);
      expect(await pong(await connect(gw, renewed))).toEqual({ op: 'pong' });
    });
  });

  describe('frame rate', () => {
    let gw: TestGateway;
    let tokens = 0;
    // A token per test: a socket the previous test left may not have been seen closed yet.
    const supervisor = () => gw.token({ agentId: `sam-${++tokens}`, roles: ['supervisor'] });

    beforeAll(async () => {
      gw = await startTestGateway({ events: { framesPerSecond: 1, frameBurst: 4, maxSocketsPerToken: 1 } });
    });
    afterAll(() => gw.close());

    it('answers frames beyond the rate with an error frame naming the limit, and stays usable', async () => {
      const client = await connect(gw, await supervisor());
      for (let i = 0; i < 5; i += 1) client.send({ op: 'ping' });
      await client.next((f) => f.op === 'error');
      expect(client.frames.slice(0, 5)).toEqual([
        ...Array(4).fill({ op: 'pong' }),
        { op: 'error', status: 429, detail: expect.stringContaining('1 a second and 4 at once, a subscribe counting once per topic (events.framesPerSecond, events.frameBurst)') },
      ]);
      await sleep(1100); // the budget refills at one frame a second
      expect(await pong(client)).toEqual({ op: 'pong' });
      expect(client.closed).toBeUndefined();
    });

    it('counts a subscribe once per topic it names', async () => {
      const client = await connect(gw, await supervisor());
      expect(await ask(client, { op: 'subscribe', topics: ['agent:a', 'agent:b', 'agent:c'] })).toEqual({ op: 'subscribed', topics: ['agent:a', 'agent:b', 'agent:c'] });
      // One frame's worth is left: four topics need three more.
      expect(await ask(client, { op: 'subscribe', topics: ['agent:d', 'agent:e', 'agent:f', 'agent:g'] })).toMatchObject({ op: 'error', status: 429 });
      expect(client.closed).toBeUndefined();
    });

    it('closes a socket that keeps sending past the limit with 4029, and frees its place', async () => {
      const token = await supervisor();
      const client = await connect(gw, token);
      for (let i = 0; i < 50; i += 1) client.send({ op: 'ping' });
      expect(await client.closedWith()).toEqual({ code: 4029, reason: expect.stringMatching(/^too many frames: reconnect later with since=\d+$/) });
      // Answers still queued when it is closed are not sent.
      expect(client.frames.filter((f) => f.op === 'pong').length).toBeLessThanOrEqual(4);
      expect(client.frames.filter((f) => f.op === 'error').length).toBeLessThanOrEqual(4);
      for (let attempt = 0; ; attempt += 1) {
        const again = await connect(gw, token);
        const answer: Frame = await Promise.race([pong(again), again.closedWith()]);
        if (answer.op === 'pong') break;
        if (attempt >= 50) throw new Error(`still refused: ${JSON.stringify(answer)}`);
        await sleep(100);
      }
    });
  });
});
