import type { Executor } from '../../storage/store';

export interface AddedAgent {
  conversationId: string;
  agentId: string;
  addedBy: string;
  addedAt: string;
}

/** The agents added to conversations beside their own agent (migration 017). */
export class ConversationAgentsRepository {
  constructor(private readonly db: Executor) {}

  /** The added agents of these conversations, in the order they were added. */
  async of(tenantId: string, conversationIds: readonly string[]): Promise<AddedAgent[]> {
    if (conversationIds.length === 0) return [];
    return this.db.selectFrom('conversationAgents').select(['conversationId', 'agentId', 'addedBy', 'addedAt'])
      .where('tenantId', '=', tenantId).where('conversationId', 'in', [...conversationIds])
      .orderBy('addedAt').orderBy('agentId').execute();
  }

  /** The conversations an agent was added to. */
  async conversationsOf(tenantId: string, agentId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('conversationAgents').select('conversationId')
      .where('tenantId', '=', tenantId).where('agentId', '=', agentId).execute();
    return rows.map((r) => r.conversationId);
  }

  /** False when the agent was already added (the primary key): a racing add lost. */
  async add(tenantId: string, row: AddedAgent): Promise<boolean> {
    const result = await this.db.insertInto('conversationAgents').values({ tenantId, ...row })
      .onConflict((oc) => oc.columns(['tenantId', 'conversationId', 'agentId']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** False when the agent was not added (or a racing removal came first). */
  async remove(tenantId: string, conversationId: string, agentId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('conversationAgents')
      .where('tenantId', '=', tenantId).where('conversationId', '=', conversationId).where('agentId', '=', agentId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
