import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Principal } from '../common/auth/principal';
import { newId, nowIso } from '../common/ids';
import { LOGGER } from '../common/logging/logger.token';
import { AppConfig } from '../config/config.schema';
import type { NewEvent } from '../conversations/domain/conversation';
import { UnitOfWork, type Repositories } from '../unit-of-work/unit-of-work';
import type { AgentPresence, PresenceKey } from './presence.repository';

/** A row not renewed for this many heartbeats belongs to an instance that is gone. */
const TTL_HEARTBEATS = 3;

interface LocalAgent {
  key: PresenceKey;
  since: string;
  sockets: number;
}

/**
 * Agent presence across instances: an agent is online while one of their sockets is open on any
 * instance. Each instance keeps one row per agent it holds a socket of, renews its rows on every
 * heartbeat and deletes a row when the agent's last socket here ends; rows of an instance that died
 * expire after a few heartbeats and are swept by the others. Supervisors hear `agent.presence`
 * (online / offline) on the `tenant` topic.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnApplicationShutdown {
  readonly instanceId = newId();
  private readonly local = new Map<string, LocalAgent>();
  /** Store writes of one agent run one after another, in the order their sockets came and went. */
  private readonly chains = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private readonly arrivals: Array<(key: PresenceKey) => void> = [];

  constructor(
    private readonly uow: UnitOfWork,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.renew(), this.config.events.heartbeatMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * Counts a socket of the principal in; the returned release is safe to call twice. Only tokens
   * with the agent role make someone present: conversations are routed to agents, and a
   * supervisor's wallboard coming and going is no news.
   */
  connect(principal: Principal): () => void {
    if (!principal.roles.includes('agent')) return () => undefined;
    const key: PresenceKey = { tenantId: principal.tenantId, agentId: principal.agentId };
    const id = keyId(key);
    let entry = this.local.get(id);
    if (!entry) {
      entry = { key, since: nowIso(), sockets: 0 };
      this.local.set(id, entry);
    }
    entry.sockets += 1;
    if (entry.sockets === 1) this.enqueue(id, () => this.arrive(key, entry.since));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const current = this.local.get(id)!;
      current.sockets -= 1;
      if (current.sockets > 0) return;
      this.local.delete(id);
      this.enqueue(id, () => this.leave(key));
    };
  }

  /** Called once an agent's arrival here is stored (what waits for an available agent, such as callbacks, can go to them). */
  onArrival(listener: (key: PresenceKey) => void): void {
    this.arrivals.push(listener);
  }

  /** Whether the agent has a socket open here or on another instance. */
  async isOnline(stores: Pick<Repositories, 'presence'>, key: PresenceKey): Promise<boolean> {
    if (this.local.has(keyId(key))) return true;
    return stores.presence.isOnline(key, nowIso());
  }

  list(tenantId: string): Promise<AgentPresence[]> {
    return this.uow.direct.presence.list(tenantId, nowIso());
  }

  /**
   * Resolves once every pending presence write has run (at shutdown, after the sockets closed), or
   * after `maxMs` with the store unreachable: rows left behind expire by themselves.
   */
  async flush(maxMs = 3000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, maxMs); });
    await Promise.race([Promise.all([...this.chains.values()]), timeout]);
    clearTimeout(timer);
  }

  private enqueue(id: string, work: () => Promise<void>): void {
    const next = (this.chains.get(id) ?? Promise.resolve())
      .then(work)
      .catch((error: unknown) => this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'agent presence not stored; the next heartbeat repairs it'))
      .finally(() => { if (this.chains.get(id) === next) this.chains.delete(id); });
    this.chains.set(id, next);
  }

  private expiresAt(now: string): string {
    return new Date(Date.parse(now) + TTL_HEARTBEATS * this.config.events.heartbeatMs).toISOString();
  }

  /** Holds the row; announces the agent only if no live row said so before (idempotent). */
  private async arrive(key: PresenceKey, since: string): Promise<void> {
    await this.uow.run(async (w) => {
      const now = nowIso();
      const wasOnline = await w.presence.isOnline(key, now);
      await w.presence.hold(this.instanceId, [{ ...key, since }], this.expiresAt(now));
      if (!wasOnline) await w.emit(key.tenantId, [presenceEvent(key, 'online')], now);
    });
    for (const listener of this.arrivals) listener(key);
  }

  private leave(key: PresenceKey): Promise<void> {
    return this.uow.run(async (w) => {
      const now = nowIso();
      await w.presence.drop(this.instanceId, key);
      if (!(await w.presence.isOnline(key, now))) await w.emit(key.tenantId, [presenceEvent(key, 'offline')], now);
    });
  }

  /**
   * Renews this instance's rows, re-creates any that went missing (this instance stalled past
   * the TTL and another swept them), and sweeps the rows of instances that stopped renewing: the
   * delete hands each row to one instance, which announces the agent offline if nothing else holds them.
   */
  private async renew(): Promise<void> {
    try {
      const now = nowIso();
      const renewed = await this.uow.direct.presence.renew(this.instanceId, this.expiresAt(now));
      if (renewed < this.local.size) {
        for (const [id, entry] of this.local) this.enqueue(id, () => this.arrive(entry.key, entry.since));
      }
      await this.uow.run(async (w) => {
        const expired = new Map((await w.presence.expire(now)).map((k) => [keyId(k), k]));
        for (const [id, key] of expired) {
          if (!this.local.has(id) && !(await w.presence.isOnline(key, now))) await w.emit(key.tenantId, [presenceEvent(key, 'offline')], now);
        }
      });
    } catch (error) {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'agent presence not renewed; retrying on the next heartbeat');
    }
  }
}

function keyId(key: PresenceKey): string {
  return `${key.tenantId}\u0000${key.agentId}`;
}

/** Tenant-wide (no conversation, no agent topic): supervisors see it on `tenant`. */
function presenceEvent(key: PresenceKey, status: 'online' | 'offline'): NewEvent {
  return { type: 'agent.presence', conversationId: null, agentId: null, data: { agentId: key.agentId, status } };
}
