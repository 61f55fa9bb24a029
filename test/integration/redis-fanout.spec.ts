import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { StoredEvent } from '../../src/events/domain/event';
import { RedisFanout } from '../../src/events/fanout/redis.fanout';
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
    // Subscribed once a probe published from here is heard there.
    const probe = tenant();
    here.publish(probe, 1);
    await eventually(() => expect(heardThere.some((h) => h.tenantId === probe)).toBe(true), 10_000);
    heardHere.length = 0;
    heardThere.length = 0;
  });

  afterEach(async () => {
    await here.close();
    await there.close();
  });

  it('signals its own instance at once, with the events it committed', () => {
    const t = tenant();
    const committed = [event(t, 7, 'sms.received')];
    here.publish(t, 7, committed);
    here.publish(t, 8);
    expect(heardHere).toEqual([{ tenantId: t, seq: 7, committed, types: undefined }, { tenantId: t, seq: 8, committed: undefined, types: undefined }]);
  });

  it('sends the signals of one turn to the other instances as one per tenant, with the highest seq', async () => {
    const [a, b] = [tenant(), tenant()];
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

  it('names every signalled type of the turn, and only those', async () => {
    const t = tenant();
    here.publish(t, 10, [event(t, 10, 'sms.received')]);
    here.publish(t, 12, [event(t, 11, 'tenant.updated'), event(t, 12, 'tenant.updated')]);
    await eventually(() => expect(heardThere).toEqual([{ tenantId: t, seq: 12, committed: undefined, types: ['tenant.updated'] }]));
  });

  it('publishes a later turn\'s signals apart', async () => {
    const t = tenant();
    here.publish(t, 1);
    await eventually(() => expect(heardThere).toHaveLength(1));
    here.publish(t, 2);
    await eventually(() => expect(heardThere.map((h) => h.seq)).toEqual([1, 2]));
  });

  it('publishes the pending signals when closed, and nothing after', async () => {
    const t = tenant();
    here.publish(t, 1);
    await here.close(); // closed again after the test: a second close does nothing
    here.publish(t, 2);
    await eventually(() => expect(heardThere).toHaveLength(1));
    await sleep(200);
    expect(heardThere).toEqual([{ tenantId: t, seq: 1, committed: undefined, types: undefined }]);
  });
});
