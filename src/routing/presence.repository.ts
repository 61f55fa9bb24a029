import type { Executor } from '../storage/store';

export interface PresenceKey {
  tenantId: string;
  agentId: string;
}

export interface AgentPresence {
  agentId: string;
  /** When the agent's earliest socket still open was opened. */
  since: string;
  /** How many gateway instances hold a socket of the agent. */
  instances: number;
}

/** One row per agent and instance holding an open socket of theirs; a row past `expiresAt` no longer counts. */
export class PresenceRepository {
  constructor(private readonly db: Executor) {}

  /** Creates or renews the rows of this instance (the first `since` stays). */
  async hold(instanceId: string, keys: Array<PresenceKey & { since: string }>, expiresAt: string): Promise<void> {
    if (keys.length === 0) return;
    await this.db.insertInto('agentPresence')
      .values(keys.map((k) => ({ tenantId: k.tenantId, agentId: k.agentId, instanceId, since: k.since, expiresAt })))
      .onConflict((oc) => oc.columns(['tenantId', 'agentId', 'instanceId']).doUpdateSet((eb) => ({ expiresAt: eb.ref('excluded.expiresAt') })))
      .execute();
  }

  /** Pushes back the expiry of every row of this instance; returns how many it holds. */
  async renew(instanceId: string, expiresAt: string): Promise<number> {
    const result = await this.db.updateTable('agentPresence').set({ expiresAt }).where('instanceId', '=', instanceId).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async drop(instanceId: string, key: PresenceKey): Promise<void> {
    await this.db.deleteFrom('agentPresence')
      .where('tenantId', '=', key.tenantId).where('agentId', '=', key.agentId).where('instanceId', '=', instanceId)
      .execute();
  }

  /** Whether the agent has a live row, on any instance but `except`. */
  async isOnline(key: PresenceKey, now: string, except?: string): Promise<boolean> {
    let query = this.db.selectFrom('agentPresence').select('instanceId')
      .where('tenantId', '=', key.tenantId).where('agentId', '=', key.agentId).where('expiresAt', '>', now);
    if (except !== undefined) query = query.where('instanceId', '!=', except);
    return (await query.limit(1).executeTakeFirst()) !== undefined;
  }

  async list(tenantId: string, now: string): Promise<AgentPresence[]> {
    const rows = await this.db.selectFrom('agentPresence')
      .select((eb) => ['agentId', eb.fn.min('since').as('since'), eb.fn.countAll().as('instances')])
      .where('tenantId', '=', tenantId).where('expiresAt', '>', now)
      .groupBy('agentId').orderBy('agentId')
      .execute();
    return rows.map((r) => ({ agentId: r.agentId, since: String(r.since), instances: Number(r.instances) }));
  }

  /** Deletes the rows of instances that stopped renewing them; each row is returned to one caller only. */
  async expire(now: string): Promise<PresenceKey[]> {
    return this.db.deleteFrom('agentPresence').where('expiresAt', '<=', now).returning(['tenantId', 'agentId']).execute();
  }
}
