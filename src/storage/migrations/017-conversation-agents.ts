import { Kysely } from 'kysely';

/**
 * Agents added to a conversation beside its own agent (`conversations.agent_id`, the primary):
 * they receive its events on their `agent:` topics, see it in their inbox and reach its calls'
 * media. One row per agent and conversation; removing the agent deletes the row (the timeline
 * keeps who was added and removed, and when).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('conversation_agents')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_agents_pk', ['tenant_id', 'conversation_id', 'agent_id'])
    .execute();
  // An agent's inbox and their socket's subscription look the other way: by agent.
  await db.schema.createIndex('conversation_agents_agent_idx').on('conversation_agents').columns(['tenant_id', 'agent_id', 'conversation_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('conversation_agents').execute();
}
