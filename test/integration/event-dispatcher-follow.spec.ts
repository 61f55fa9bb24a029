import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { nowIso } from '../../src/common/ids';
import { loadConfig } from '../../src/config/config.loader';
import type { StoredEvent } from '../../src/events/domain/event';
import { EventDispatcher } from '../../src/events/event-dispatcher.service';
import { EventLogRepository } from '../../src/events/event-log.repository';
import type { EventSession } from '../../src/events/event-session';
import { MemoryFanout } from '../../src/events/fanout/memory.fanout';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/storage/database';
import { TenantsRepository } from '../../src/tenants/tenants.repository';
import { eventually } from '../support/eventually';

/** MemoryFanout, except that `follow` settles only when the test says so. */
class GatedFanout extends MemoryFanout {
  readonly followed: string[] = [];
  readonly unfollowed: string[] = [];
  private open!: () => void;
  private readonly gate = new Promise<void>((resolve) => { this.open = resolve; });

  override follow(tenantId: string): Promise<void> {
    this.followed.push(tenantId);
    return this.gate;
  }

  override unfollow(tenantId: string): void {
    this.unfollowed.push(tenantId);
  }

  release(): void {
    this.open();
  }
}

/**
 * Live delivery starts from the log's end as read once the instance follows the tenant: the
 * socket's confirmation waits for that read, so every event committed after it is delivered.
 */
describe('EventDispatcher.follow on a real SQLite file', () => {
  let dir: string;
  let handle: DatabaseHandle;
  let fanout: GatedFanout;
  let dispatcher: EventDispatcher;
  let delivered: number[];
  let session: EventSession;

  const commit = (n: number) => handle.transaction((tx) =>
    new EventLogRepository(tx).append('acme', Array.from({ length: n }, () => ({ type: 'test.unit', conversationId: null, data: {} })), nowIso()));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dispatcher-follow-'));
    handle = openDatabase({ url: `sqlite:${join(dir, 'gateway.db')}` });
    await migrate(handle.db);
    await new TenantsRepository(handle.db).upsert({ id: 'acme', name: 'ACME', defaultRegion: 'US' }, nowIso());
    fanout = new GatedFanout();
    dispatcher = new EventDispatcher(handle, fanout, pino({ level: 'silent' }), loadConfig({ env: { NODE_ENV: 'test' } }));
    dispatcher.onModuleInit();
    delivered = [];
    session = {
      principal: { tenantId: 'acme' }, open: true, position: 0,
      offerLive: (event: StoredEvent) => { delivered.push(event.seq); session.position = event.seq; },
    } as unknown as EventSession;
  });

  afterEach(async () => {
    await dispatcher.onApplicationShutdown();
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('confirms once the instance follows the tenant and the end is read, then delivers every later commit', async () => {
    await commit(1);
    const confirmedAt: number[] = [];
    const following = dispatcher.follow(session, () => confirmedAt.push(session.position));
    expect(fanout.followed).toEqual(['acme']);
    await commit(2); // before the confirmation: part of what the socket does not get live
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(confirmedAt).toEqual([]);

    fanout.release();
    await following;
    expect(confirmedAt).toEqual([3]);
    const [later] = await commit(1);
    fanout.publish('acme', later!.seq);
    await eventually(() => expect(delivered).toEqual([4]), 3_000, 10);
  });

  it('gives up following a tenant whose log end cannot be read, and confirms nothing', async () => {
    fanout.release();
    await handle.close(); // the store is gone
    const confirmed: string[] = [];
    await expect(dispatcher.follow(session, () => confirmed.push('yes'))).rejects.toThrow();
    expect(confirmed).toEqual([]);
    expect(fanout.unfollowed).toEqual(['acme']);
    handle = openDatabase({ url: `sqlite:${join(dir, 'gateway.db')}` }); // for afterEach
  });
});
