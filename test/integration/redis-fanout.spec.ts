import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import type { StoredEvent } from '../../src/events/domain/event';
import { RedisFanout, tenantChannel } from '../../src/events/fanout/redis.fanout';
import { describeIfEnv } from '../support/describe-if';
import { eventually } from '../support/eventually';

interface Heard {
  tenantId: string;
  seq: number;
  committed?: StoredEvent[];
  types?: readonly string[];
}

/** Two instances' fanouts on a real Redis: what one publishes, what the other hears, and when. */
describeIfEnv('TEST_REDIS_URL')('RedisFanout between two instances', () => {
  const logger = pino({ level: 'silent' });
  let here: RedisFanout;
  let there: RedisFanout;
  /** Looks at Redis itself: subscriptions (PUBSUB NUMSUB). */
  let inspector: Redis;
  /** The channel of every PUBLISH this test's fanouts send (Redis's MONITOR races ioredis's ready check). */
  let published: string[];
  let heardHere: Heard[];
  let heardThere: Heard[];
  // Other suites' gateways share the channel: each test listens for tenants of its own.
  let tenant: () => string;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const event = (tenantId: string, seq: number, type: string): StoredEvent =>
    ({ tenantId, seq, id: `e${seq}`, type, conversationId: null, interactionId: null, agentId: null, at: '2026-12-05T00:00:00.000Z', data: {} }) as unknown as StoredEvent;

  beforeEach(async () => {
    const prefix = randomBytes(6).toString('hex');
    let n = 0;
    tenant = () => `${prefix}-${n++}`;
    here = new RedisFanout(process.env.TEST_REDIS_URL!, logger);
    there = new RedisFanout(process.env.TEST_REDIS_URL!, logger);
    heardHere = [];
    heardThere = [];
    const mine = (heard: Heard[]) => (tenantId: string, seq: number, committed?: StoredEvent[], types?: readonly string[]) => {
      if (tenantId.startsWith(prefix)) heard.push({ tenantId, seq, committed, types });
    };
    here.onSignal(mine(heardHere));
    there.onSignal(mine(heardThere));
    await eventually(async () => {
      await here.check();
      await there.check();
    }, 10_000);
    // Subscribed once a probe published from here is heard there (a named type: every instance hears it).
    const probe = tenant();
    here.publish(probe, 1, [event(probe, 1, 'tenant.updated')]);
    await eventually(() => expect(heardThere.some((h) => h.tenantId === probe)).toBe(true), 10_000);
    heardHere.length = 0;
    heardThere.length = 0;
    inspector = new Redis(process.env.TEST_REDIS_URL!);
    published = [];
    const publish = Redis.prototype.publish;
    jest.spyOn(Redis.prototype, 'publish').mockImplementation(function (this: Redis, ...args: Parameters<Redis['publish']>) {
      if (String(args[0]).includes(prefix)) published.push(String(args[0]));
      return publish.apply(this, args);
    });
  });

  afterEach(async () => {
    await here.close();
    await there.close();
    jest.restoreAllMocks();
    inspector.disconnect();
  });

  /** `fanout` follows the tenant: once that settles, Redis has its subscription. */
  async function follows(fanout: RedisFanout, t: string): Promise<void> {
    await fanout.follow(t);
    expect(await inspector.pubsub('NUMSUB', tenantChannel(t))).toEqual([tenantChannel(t), 1]);
  }

  it('signals its own instance at once, with the events it committed', () => {
    const t = tenant();
    const committed = [event(t, 7, 'sms.received')];
    here.publish(t, 7, committed);
    here.publish(t, 8);
    expect(heardHere).toEqual([{ tenantId: t, seq: 7, committed, types: undefined }, { tenantId: t, seq: 8, committed: undefined, types: undefined }]);
  });

  it('sends the signals of one turn to the other instances as one per tenant, with the highest seq', async () => {
    const [a, b] = [tenant(), tenant()];
    await follows(there, a);
    await follows(there, b);
    here.publish(a, 3);
    here.publish(a, 5);
    here.publish(b, 2);
    here.publish(a, 4);
    await eventually(() => expect(heardThere.map((h) => h.tenantId).sort()).toEqual([a, b].sort()));
    await sleep(100); // a second signal for either would have arrived by now
    expect(heardThere).toEqual(expect.arrayContaining([
      { tenantId: a, seq: 5, committed: undefined, types: undefined },
      { tenantId: b, seq: 2, committed: undefined, types: undefined },
    ]));
    expect(heardThere).toHaveLength(2);
  });

  it('names every signalled type of the turn, and only those, to every instance, following or not', async () => {
    const t = tenant();
    here.publish(t, 10, [event(t, 10, 'sms.received')]);
    here.publish(t, 12, [event(t, 11, 'tenant.updated'), event(t, 12, 'tenant.updated')]);
    await eventually(() => expect(heardThere).toEqual([{ tenantId: t, seq: 12, committed: undefined, types: ['tenant.updated'] }]));
  });

  it('publishes a later turn\'s signals apart', async () => {
    const t = tenant();
    await follows(there, t);
    here.publish(t, 1);
    await eventually(() => expect(heardThere).toHaveLength(1));
    here.publish(t, 2);
    await eventually(() => expect(heardThere.map((h) => h.seq)).toEqual([1, 2]));
  });

  it('publishes the pending signals when closed, and nothing after', async () => {
    const t = tenant();
    await follows(there, t);
    here.publish(t, 1);
    await here.close(); // closed again after the test: a second close does nothing
    here.publish(t, 2);
    await eventually(() => expect(heardThere).toHaveLength(1));
    await sleep(200);
    expect(heardThere).toEqual([{ tenantId: t, seq: 1, committed: undefined, types: undefined }]);
  });

  it('stops publishing a tenant\'s signals once Redis answers that no other instance follows it', async () => {
    const t = tenant();
    await follows(here, t); // its own subscription does not count as a listener
    await sleep(100); // its announcement has gone by
    here.publish(t, 1);
    await eventually(() => expect(published).toEqual([tenantChannel(t)]));
    await sleep(100); // PUBLISH's answer (nobody else listened) is back
    here.publish(t, 2);
    await sleep(20);
    here.publish(t, 3);
    await sleep(200);
    expect(published).toEqual([tenantChannel(t)]);
    expect(heardThere).toEqual([]);
    // Its own sockets are signalled all the same (and its subscription heard the one published).
    expect(heardHere.map((h) => h.seq)).toEqual([1, 1, 2, 3]);
  });

  it('publishes again as soon as another instance announces that it follows the tenant', async () => {
    const t = tenant();
    here.publish(t, 1);
    await eventually(() => expect(published).toHaveLength(1));
    await sleep(100); // quiet now, for seconds unless told otherwise
    await follows(there, t);
    // Well within the quiet period: only the announcement can end it this soon.
    let seq = 2;
    await eventually(() => {
      here.publish(t, seq++);
      expect(heardThere.map((h) => h.tenantId)).toContain(t);
    }, 2_000, 50);
    expect(published).toContain(tenantChannel(t));
  });

  it('no longer hears a tenant it unfollowed', async () => {
    const t = tenant();
    await follows(there, t);
    here.publish(t, 1);
    await eventually(() => expect(heardThere.map((h) => h.seq)).toEqual([1]));
    there.unfollow(t);
    await eventually(async () => expect(await inspector.pubsub('NUMSUB', tenantChannel(t))).toEqual([tenantChannel(t), 0]));
    here.publish(t, 2);
    await eventually(() => expect(published.filter((c) => c === tenantChannel(t))).toHaveLength(2));
    await sleep(200);
    expect(heardThere.map((h) => h.seq)).toEqual([1]);
  });
});
