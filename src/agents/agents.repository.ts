import type { Executor } from '../storage/store';

/** An agent's stored profile: their device (null: none set through the API) and whether they are away. */
export interface AgentProfileRow {
  agentId: string;
  endpoint: string | null;
  awaySince: string | null;
  updatedAt: string;
}

/** One row per agent of a tenant who has a device set through the API or has been marked away. */
export class AgentsRepository {
  constructor(private readonly db: Executor) {}

  async find(tenantId: string, agentId: string): Promise<AgentProfileRow | undefined> {
    return this.db.selectFrom('agentProfiles').select(['agentId', 'endpoint', 'awaySince', 'updatedAt'])
      .where('tenantId', '=', tenantId).where('agentId', '=', agentId).executeTakeFirst();
  }

  /** Sets (or, with null, clears) the agent's device, keeping their away mark. */
  async setEndpoint(tenantId: string, agentId: string, endpoint: string | null, at: string): Promise<void> {
    await this.db.insertInto('agentProfiles').values({ tenantId, agentId, endpoint, awaySince: null, updatedAt: at })
      .onConflict((oc) => oc.columns(['tenantId', 'agentId']).doUpdateSet({ endpoint, updatedAt: at }))
      .execute();
  }

  /** Marks the agent away (since `awaySince`) or available (null), keeping their device. */
  async setAway(tenantId: string, agentId: string, awaySince: string | null, at: string): Promise<void> {
    await this.db.insertInto('agentProfiles').values({ tenantId, agentId, endpoint: null, awaySince, updatedAt: at })
      .onConflict((oc) => oc.columns(['tenantId', 'agentId']).doUpdateSet({ awaySince, updatedAt: at }))
      .execute();
  }
}
