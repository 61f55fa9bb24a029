import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { nowIso } from '../common/ids';
import { LOGGER } from '../common/logging/logger.token';
import { PeriodicSweep } from '../common/periodic-sweep';
import { AppConfig } from '../config/config.schema';
import type { CallView } from '../calls/call.view';
import { CallsService } from '../calls/calls.service';
import { PresenceService } from '../routing/presence.service';
import { TenantsService } from '../tenants/tenants.service';
import { UnitOfWork } from '../unit-of-work/unit-of-work';
import { callbackView, type CallbackView } from './callback.view';
import { applyCallback, callbackRefusal, nextAgent, type Actor, type CallbackState, type CallbackTask } from './domain/callback-task';

const BATCH = 50;
const LIST_LIMIT = 200;

/**
 * Callback tasks after a queue timeout (callback-request.ts stores them). A pending task goes to
 * the next available agent — online (a socket open on any instance) and not away — when it is
 * requested, when an agent comes online here, and on every sweep (`routing.ringNoAnswerSweepMs`,
 * which also catches an agent who came back from away or came online on another instance). The
 * assignment is a conditional update, so of instances sweeping at once one gives it out.
 * Dialing is a click-to-call in the task's conversation through CallsService; of dial requests
 * racing, one wins the task (conditional update) and places the one call.
 */
@Injectable()
export class CallbacksService implements OnModuleInit, OnApplicationShutdown {
  private readonly sweeper: PeriodicSweep;
  /** When this instance first saw an agent holding callbacks offline, by tenant and agent. */
  private readonly offlineSince = new Map<string, number>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly presence: PresenceService,
    private readonly calls: CallsService,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.sweeper = new PeriodicSweep('callback-assign', () => this.assignAll(), logger);
  }

  onModuleInit(): void {
    this.sweeper.start(this.config.routing.ringNoAnswerSweepMs);
    this.presence.onArrival((key) => void this.assignPending(key.tenantId).catch((error: unknown) => {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'pending callbacks not assigned; the next sweep retries');
    }));
  }

  onApplicationShutdown(): void {
    this.sweeper.stop();
  }

  sweep(): Promise<void> {
    return this.sweeper.run();
  }

  private async assignAll(): Promise<void> {
    for (const tenant of this.tenants.all()) {
      await this.releaseOffline(tenant.id);
      await this.assignPending(tenant.id);
    }
  }

  /**
   * Hands back the tasks of agents offline (no socket on any instance) for `callbackOfflineGraceMs`
   * in a row, so an agent who ended their shift does not keep callers waiting; a reload or a short
   * network drop keeps them. Each instance times the absence itself; the release is a conditional
   * update, so one instance makes it. The next assignment gives the task out again.
   */
  async releaseOffline(tenantId: string, now = Date.now()): Promise<number> {
    const assigned = await this.uow.direct.callbackTasks.assigned(tenantId, BATCH);
    const online = new Set((await this.presence.list(tenantId)).map((a) => a.agentId));
    for (const key of this.offlineSince.keys()) {
      if (key.startsWith(`${tenantId}\u0000`) && online.has(key.slice(tenantId.length + 1))) this.offlineSince.delete(key);
    }
    let released = 0;
    for (const task of assigned) {
      if (task.agentId === null || online.has(task.agentId)) continue;
      const key = `${tenantId}\u0000${task.agentId}`;
      const since = this.offlineSince.get(key) ?? now;
      this.offlineSince.set(key, since);
      if (now - since < this.config.routing.callbackOfflineGraceMs) continue;
      if (await this.release(task, now - since)) released += 1;
    }
    return released;
  }

  private release(task: CallbackTask, offlineMs: number): Promise<boolean> {
    return this.uow.run(async (w) => {
      const at = nowIso();
      if (!(await w.callbackTasks.transition(applyCallback(task, { kind: 'release' }, at), task))) return false;
      const data = { callbackId: task.id, agentId: task.agentId!, offlineSeconds: Math.round(offlineMs / 1000) };
      await w.timeline.append(task.tenantId, { conversationId: task.conversationId, interactionId: null, kind: 'callback_released', at, data });
      // To the agent who had it (their desktop drops it) and the queue.
      await w.emit(task.tenantId, [{ type: 'callback.released', conversationId: task.conversationId, agentId: task.agentId, data }], at);
      return true;
    });
  }

  /** Gives the tenant's pending tasks, oldest first, to available agents; returns how many it assigned. */
  async assignPending(tenantId: string): Promise<number> {
    const pending = await this.uow.direct.callbackTasks.pending(tenantId, BATCH);
    if (pending.length === 0) return 0;
    const online = await this.presence.list(tenantId);
    const available = [];
    for (const agent of online) {
      if (!(await this.uow.direct.agents.find(tenantId, agent.agentId))?.awaySince) available.push(agent);
    }
    if (available.length === 0) return 0;
    const holding = await this.uow.direct.callbackTasks.holding(tenantId);
    let assigned = 0;
    for (const task of pending) {
      const conversation = await this.uow.direct.conversations.findById(tenantId, task.conversationId);
      const agentId = nextAgent(available.map((a) => ({ agentId: a.agentId, since: a.since, holding: holding.get(a.agentId) ?? 0 })), conversation?.agentId ?? null);
      if (!agentId) break;
      if (await this.assign(task, agentId)) {
        assigned += 1;
        holding.set(agentId, (holding.get(agentId) ?? 0) + 1);
      }
    }
    return assigned;
  }

  /** Assigns a pending task; false when another instance (or sweep) assigned it first. */
  private assign(task: CallbackTask, agentId: string): Promise<boolean> {
    return this.uow.run(async (w) => {
      const at = nowIso();
      const next = applyCallback(task, { kind: 'assign', agentId }, at);
      if (!(await w.callbackTasks.transition(next, task))) return false;
      const data = { callbackId: task.id, agentId, number: task.number };
      await w.timeline.append(task.tenantId, { conversationId: task.conversationId, interactionId: null, kind: 'callback_assigned', at, data });
      // To the agent's topic: their desktop lists it.
      await w.emit(task.tenantId, [{ type: 'callback.assigned', conversationId: task.conversationId, agentId, data }], at);
      return true;
    });
  }

  /** The tenant's tasks, newest first: an agent sees theirs and the pending ones, a supervisor or admin all. */
  async list(principal: Principal, states: readonly CallbackState[]): Promise<{ items: CallbackView[] }> {
    const visibleTo = supervises(principal) ? undefined : principal.agentId;
    const tasks = await this.uow.direct.callbackTasks.list(principal.tenantId, { states, visibleTo, limit: LIST_LIMIT });
    return { items: tasks.map(callbackView) };
  }

  async get(principal: Principal, id: string): Promise<CallbackView> {
    return callbackView(await this.visible(principal, id));
  }

  /**
   * Places the callback: the assigned agent (or a supervisor or admin, whose device it then rings)
   * calls the caller's number in the task's conversation. 409 unless the task is theirs to dial;
   * of concurrent requests exactly one places a call. A refused placement gives the task back.
   */
  async dial(principal: Principal, id: string): Promise<CallbackView & { call: CallView }> {
    const task = await this.visible(principal, id);
    const actor = actorOf(principal);
    const at = nowIso();
    const next = this.claim(task, { kind: 'dial', actor }, at);
    await this.uow.run(async (w) => {
      if (!(await w.callbackTasks.transition(next, task))) throw await this.conflict(task, { kind: 'dial', actor });
    });
    let call: CallView;
    try {
      // The caller asked to be called: that is their consent, for a tenant that needs one.
      call = await this.calls.place(principal, task.conversationId, { to: task.number, consent: { via: 'prior', at: task.requestedAt } });
    } catch (error) {
      await this.uow.direct.callbackTasks.transition({ ...task, updatedAt: nowIso() }, next);
      throw error;
    }
    const dialed = await this.uow.run(async (w) => {
      const when = nowIso();
      await w.callbackTasks.setDialedCall(task.tenantId, task.id, call.id, when);
      const data = { callbackId: task.id, callId: call.id, by: actor.agentId };
      await w.timeline.append(task.tenantId, { conversationId: task.conversationId, interactionId: call.id, kind: 'callback_dialed', at: when, data });
      await w.emit(task.tenantId, [{ type: 'callback.dialed', conversationId: task.conversationId, agentId: actor.agentId, data }], when);
      return { ...next, dialedCallId: call.id };
    });
    return { ...callbackView(dialed), call };
  }

  /** Cancels a task not yet dialed: its agent, or a supervisor or admin (409 otherwise). */
  async cancel(principal: Principal, id: string): Promise<CallbackView> {
    const task = await this.visible(principal, id);
    const actor = actorOf(principal);
    const next = this.claim(task, { kind: 'cancel', actor }, nowIso());
    await this.uow.run(async (w) => {
      if (!(await w.callbackTasks.transition(next, task))) throw await this.conflict(task, { kind: 'cancel', actor });
      const data = { callbackId: task.id, by: actor.agentId };
      await w.timeline.append(task.tenantId, { conversationId: task.conversationId, interactionId: null, kind: 'callback_canceled', at: next.updatedAt, data });
      await w.emit(task.tenantId, [{ type: 'callback.canceled', conversationId: task.conversationId, agentId: task.agentId, data }], next.updatedAt);
    });
    return callbackView(next);
  }

  /** The task of the caller's tenant (404 for another tenant's: ids are never shared across tenants). */
  private async visible(principal: Principal, id: string): Promise<CallbackTask> {
    const task = await this.uow.direct.callbackTasks.find(principal.tenantId, id);
    if (!task) throw DomainError.notFound('callback');
    return task;
  }

  private claim(task: CallbackTask, command: Parameters<typeof applyCallback>[1], at: string): CallbackTask {
    const refused = callbackRefusal(task, command);
    if (refused) throw new DomainError(ErrorCode.Conflict, refused);
    return applyCallback(task, command, at);
  }

  /** The 409 of a command that lost a race: why, as the task is now. */
  private async conflict(task: CallbackTask, command: Parameters<typeof applyCallback>[1]): Promise<DomainError> {
    const now = await this.uow.direct.callbackTasks.find(task.tenantId, task.id);
    return new DomainError(ErrorCode.Conflict, (now && callbackRefusal(now, command)) ?? 'the callback changed meanwhile; try again');
  }
}

function supervises(principal: Principal): boolean {
  return principal.roles.includes('supervisor') || principal.roles.includes('admin');
}

function actorOf(principal: Principal): Actor {
  return { agentId: principal.agentId, supervises: supervises(principal) };
}
