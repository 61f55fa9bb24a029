import { aContact, aConversation, memoryUnitOfWork, type MemoryUnitOfWork } from '../../test/support/memory-unit-of-work';
import { aPrincipal, aTenant, quietLogger, tenantsOf } from '../../test/support/service-doubles';
import type { CallsService } from '../calls/calls.service';
import type { AppConfig } from '../config/config.schema';
import { DomainError } from '../common/errors/domain-error';
import { PresenceService } from '../routing/presence.service';
import { requestCallback } from './callback-request';
import { CallbacksService } from './callbacks.service';

describe('CallbacksService', () => {
  let uow: MemoryUnitOfWork;
  const config = { routing: { ringNoAnswerSweepMs: 1000, callbackOfflineGraceMs: 60_000 }, events: { heartbeatMs: 1000 } } as AppConfig;
  const placed: Array<{ agentId: string; conversationId: string; to: string | undefined }> = [];
  let refusePlacement = false;
  const calls = {
    async place(principal: { agentId: string }, conversationId: string, body: { to?: string }) {
      if (refusePlacement) throw new DomainError('unprocessable' as never, 'no device');
      placed.push({ agentId: principal.agentId, conversationId, to: body.to });
      return { id: `call-${placed.length}` };
    },
  } as unknown as CallsService;
  /** One gateway instance: its own presence service and callbacks service over the shared store. */
  const instance = () => new CallbacksService(uow, tenantsOf(aTenant()), new PresenceService(uow, config, quietLogger()), calls, config, quietLogger());
  const far = new Date(Date.now() + 3_600_000).toISOString();
  const online = (agentId: string, since = '2026-12-04T09:00:00.000Z') => uow.direct.presence.hold('other-instance', [{ tenantId: 'acme', agentId, since }], far);

  beforeEach(() => {
    uow = memoryUnitOfWork();
    placed.length = 0;
    refusePlacement = false;
  });

  async function requested(conversationAgent: string | null = null, n = 1): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const contact = aContact({ phone: `+1415555${1000 + i}` });
      uow.state.contacts.set(contact.id, contact);
      const conversation = aConversation(contact, { agentId: conversationAgent });
      await uow.direct.conversations.insert(conversation);
      const task = await uow.run((w) => requestCallback(w, { tenantId: 'acme', conversationId: conversation.id, callId: `call-in-${i}-${contact.id}`, number: contact.phone! }, `2026-12-04T10:00:0${i}.000Z`));
      ids.push(task.id);
    }
    return ids;
  }

  it('two instances sweeping at once give each pending task to one agent, the fewest-holding first', async () => {
    await online('alice');
    await online('bob', '2026-12-04T09:30:00.000Z');
    const ids = await requested(null, 3);
    await Promise.all([instance().assignPending('acme'), instance().assignPending('acme')]);
    const assigned = uow.emitted('callback.assigned');
    expect(assigned.map((e) => e.data.callbackId).sort()).toEqual([...ids].sort());
    const tasks = ids.map((id) => uow.state.callbackTasks.get(id)!);
    expect(tasks.every((t) => t.state === 'assigned')).toBe(true);
    const counts = tasks.reduce<Record<string, number>>((c, t) => ({ ...c, [t.agentId!]: (c[t.agentId!] ?? 0) + 1 }), {});
    expect(counts).toEqual({ alice: 2, bob: 1 });
    expect(uow.state.timeline.filter((e) => e.kind === 'callback_assigned')).toHaveLength(3);
  });

  it('prefers the conversation’s agent when available; skips agents who are away; leaves the task pending with nobody available', async () => {
    const [first] = await requested('bob');
    await online('alice');
    await instance().assignPending('acme');
    expect(uow.state.callbackTasks.get(first!)!.agentId).toBe('alice'); // bob is offline

    const [second] = await requested('carol');
    await uow.direct.agents.setAway('acme', 'alice', '2026-12-04T10:00:00.000Z', '2026-12-04T10:00:00.000Z');
    await online('carol');
    await instance().assignPending('acme');
    expect(uow.state.callbackTasks.get(second!)!.agentId).toBe('carol');

    const [third] = await requested(null);
    await uow.direct.presence.drop('other-instance', { tenantId: 'acme', agentId: 'carol' });
    expect(await instance().assignPending('acme')).toBe(0);
    expect(uow.state.callbackTasks.get(third!)).toMatchObject({ state: 'pending', agentId: null });
  });

  it('dial: the assigned agent places the call to the caller’s number in the conversation; a refused placement gives the task back', async () => {
    await online('alice');
    const [id] = await requested(null);
    await instance().assignPending('acme');
    const service = instance();
    const alice = aPrincipal({ agentId: 'alice', roles: ['agent'] });
    refusePlacement = true;
    await expect(service.dial(alice, id!)).rejects.toThrow('no device');
    expect(uow.state.callbackTasks.get(id!)).toMatchObject({ state: 'assigned', agentId: 'alice' });
    refusePlacement = false;
    // One after another here (the in-memory store rolls a failed unit back over its neighbours'); the e2e suites race them on SQLite and PostgreSQL.
    await service.dial(alice, id!);
    await expect(service.dial(alice, id!)).rejects.toThrow('the callback is dialed already');
    expect(placed).toEqual([{ agentId: 'alice', conversationId: uow.state.callbackTasks.get(id!)!.conversationId, to: '+14155551000' }]);
    expect(uow.state.callbackTasks.get(id!)).toMatchObject({ state: 'dialed', dialedCallId: 'call-1', closedBy: 'alice' });
    expect(uow.emitted('callback.dialed').map((e) => e.data)).toEqual([{ callbackId: id, callId: 'call-1', by: 'alice' }]);
  });

  it('an agent offline past the grace loses their callbacks to the next available agent; one back in time keeps them', async () => {
    await online('alice');
    const [kept, moved] = await requested(null, 2);
    const service = instance();
    await service.assignPending('acme');
    expect([uow.state.callbackTasks.get(kept!)!.agentId, uow.state.callbackTasks.get(moved!)!.agentId]).toEqual(['alice', 'alice']);
    const offline = () => uow.direct.presence.drop('other-instance', { tenantId: 'acme', agentId: 'alice' });
    const t0 = Date.parse('2026-12-04T11:00:00.000Z');

    // A reload: offline at one sweep, back before the grace ran out: nothing moves, and the clock starts again.
    await offline();
    expect(await service.releaseOffline('acme', t0)).toBe(0);
    await online('alice');
    expect(await service.releaseOffline('acme', t0 + 30_000)).toBe(0);
    await offline();
    expect(await service.releaseOffline('acme', t0 + 70_000)).toBe(0);
    expect(await service.releaseOffline('acme', t0 + 129_999)).toBe(0);
    expect(uow.emitted('callback.released')).toEqual([]);

    // Gone for the whole grace: both tasks are pending again, told to alice, and go to bob.
    // Another instance times the absence from when it saw it: not yet.
    expect(await instance().releaseOffline('acme', t0 + 130_000)).toBe(0);
    expect(await service.releaseOffline('acme', t0 + 130_000)).toBe(2);
    expect(await service.releaseOffline('acme', t0 + 200_000)).toBe(0);
    expect(uow.emitted('callback.released').map((e) => [e.agentId, e.data])).toEqual([
      ['alice', { callbackId: kept, agentId: 'alice', offlineSeconds: 60 }], ['alice', { callbackId: moved, agentId: 'alice', offlineSeconds: 60 }],
    ]);
    expect(uow.state.callbackTasks.get(kept!)).toMatchObject({ state: 'pending', agentId: null, assignedAt: null });
    expect(uow.state.timeline.filter((e) => e.kind === 'callback_released')).toHaveLength(2);
    await online('bob');
    await service.assignPending('acme');
    expect([uow.state.callbackTasks.get(kept!)!.agentId, uow.state.callbackTasks.get(moved!)!.agentId]).toEqual(['bob', 'bob']);
  });

  it('a request replayed for the same call keeps the first task', async () => {
    const contact = aContact();
    uow.state.contacts.set(contact.id, contact);
    const conversation = aConversation(contact);
    await uow.direct.conversations.insert(conversation);
    const call = { tenantId: 'acme', conversationId: conversation.id, callId: 'call-x', number: '+14155550100' };
    const first = await uow.run((w) => requestCallback(w, call, '2026-12-04T10:00:00.000Z'));
    const again = await uow.run((w) => requestCallback(w, call, '2026-12-04T10:00:05.000Z'));
    expect(again.id).toBe(first.id);
    expect(uow.emitted('callback.requested')).toHaveLength(1);
  });
});
