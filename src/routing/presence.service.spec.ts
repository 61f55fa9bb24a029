import { memoryUnitOfWork, type MemoryUnitOfWork } from '../../test/support/memory-unit-of-work';
import { aPrincipal, quietLogger } from '../../test/support/service-doubles';
import type { AppConfig } from '../config/config.schema';
import { PresenceService } from './presence.service';

/** Agent presence across instances, each instance a PresenceService over one shared store. */
describe('PresenceService', () => {
  let uow: MemoryUnitOfWork;
  const config = { events: { heartbeatMs: 1000 } } as AppConfig;
  const instance = () => new PresenceService(uow, config, quietLogger());
  const presence = () => uow.emitted('agent.presence').map((e) => [e.data.agentId, e.data.status]);

  beforeEach(() => { uow = memoryUnitOfWork(); });

  it('announces an agent online at their first socket and offline when their last one closes', async () => {
    const here = instance();
    const first = here.connect(aPrincipal({ agentId: 'alice' }));
    const second = here.connect(aPrincipal({ agentId: 'alice' }));
    await here.flush();
    expect(presence()).toEqual([['alice', 'online']]);

    first();
    first();
    await here.flush();
    expect(presence()).toEqual([['alice', 'online']]);

    second();
    await here.flush();
    expect(presence()).toEqual([['alice', 'online'], ['alice', 'offline']]);
    expect(uow.state.presence).toEqual([]);
  });

  it('stays silent while another instance still holds a socket of the agent', async () => {
    const a = instance();
    const b = instance();
    const leaveA = a.connect(aPrincipal({ agentId: 'alice' }));
    await a.flush();
    const leaveB = b.connect(aPrincipal({ agentId: 'alice' }));
    await b.flush();
    leaveA();
    await a.flush();
    expect(presence()).toEqual([['alice', 'online']]);
    expect(await a.isOnline(uow.direct, { tenantId: 'acme', agentId: 'alice' })).toBe(true);

    leaveB();
    await b.flush();
    expect(presence()).toEqual([['alice', 'online'], ['alice', 'offline']]);
    expect(await a.isOnline(uow.direct, { tenantId: 'acme', agentId: 'alice' })).toBe(false);
  });

  it('counts only agents: a supervisor coming and going is no news', async () => {
    const here = instance();
    here.connect(aPrincipal({ agentId: 'sue', roles: ['supervisor'] }))();
    await here.flush();
    expect(uow.emitted()).toEqual([]);
    expect(uow.runs).toBe(0);
  });

  it('lists the online agents of a tenant with how many instances hold them', async () => {
    const a = instance();
    const b = instance();
    a.connect(aPrincipal({ agentId: 'bob' }));
    a.connect(aPrincipal({ agentId: 'alice' }));
    b.connect(aPrincipal({ agentId: 'alice' }));
    a.connect(aPrincipal({ agentId: 'zed', tenantId: 'other' }));
    await Promise.all([a.flush(), b.flush()]);

    expect((await a.list('acme')).map((p) => [p.agentId, p.instances])).toEqual([['alice', 2], ['bob', 1]]);
  });
});
