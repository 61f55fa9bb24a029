import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import { RedisFanout, tenantChannel } from '../../src/events/fanout/redis.fanout';
import { describeIfEnv } from '../support/describe-if';
import { eventually } from '../support/eventually';
import { proxyInFront, type TcpProxy } from '../support/tcp-proxy';

/**
 * An instance whose Redis goes away: a tenant it starts following meanwhile cannot be subscribed
 * (its SUBSCRIBE fails after ioredis's one retry), and must be once Redis is back, or that
 * instance would read the tenant only at its poll for as long as its sockets stay.
 */
describeIfEnv('TEST_REDIS_URL')('RedisFanout when Redis goes away and comes back', () => {
  const logger = pino({ level: 'silent' });
  let proxy: TcpProxy;
  let behindProxy: RedisFanout;
  let publisher: RedisFanout;
  let inspector: Redis;
  const heard: Array<{ tenantId: string; seq: number }> = [];
  const t = `${randomBytes(6).toString('hex')}-outage`;

  beforeAll(async () => {
    const line = await proxyInFront(process.env.TEST_REDIS_URL!, 6379);
    proxy = line.proxy;
    behindProxy = new RedisFanout(line.url, logger);
    behindProxy.onSignal((tenantId, seq) => { if (tenantId === t) heard.push({ tenantId, seq }); });
    publisher = new RedisFanout(process.env.TEST_REDIS_URL!, logger);
    inspector = new Redis(process.env.TEST_REDIS_URL!);
    await eventually(async () => {
      await behindProxy.check();
      await publisher.check();
    }, 10_000);
  });

  afterAll(async () => {
    await behindProxy.close();
    await publisher.close();
    inspector.disconnect();
    await proxy.stop();
  });

  it('subscribes a tenant it began to follow while Redis was away, once Redis is back', async () => {
    proxy.cut();
    await eventually(() => expect(behindProxy.check()).rejects.toThrow(/redis (publisher|subscriber) is/), 10_000);
    // Settles once ioredis gives the SUBSCRIBE up (the instance then reads the tenant at its poll).
    await behindProxy.follow(t);
    expect(await inspector.pubsub('NUMSUB', tenantChannel(t))).toEqual([tenantChannel(t), 0]);

    proxy.restore();
    await eventually(async () => {
      expect(await inspector.pubsub('NUMSUB', tenantChannel(t))).toEqual([tenantChannel(t), 1]);
    }, 15_000);
    // Its announcement ended any quiet: another instance's next signal reaches it.
    await eventually(async () => {
      publisher.publish(t, 42);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(heard).toContainEqual({ tenantId: t, seq: 42 });
    }, 10_000);
  });
});
