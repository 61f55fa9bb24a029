import { Kysely } from 'kysely';

/**
 * Inbound calls. `agent_profiles`: where an agent's calls ring (their device) and whether they are
 * away (set when they let an offered call ring out: RONA). `inbound_calls`: to whom a customer's
 * call is offered right now (null: the queue) and since when, and the one agent who answered it,
 * claimed by a conditional update so that among agents clicking at once exactly one wins.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agent_profiles')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text')
    .addColumn('away_since', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_profiles_pk', ['tenant_id', 'agent_id'])
    .execute();

  await db.schema
    .createTable('inbound_calls')
    .addColumn('interaction_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('offered_to', 'text')
    .addColumn('offered_at', 'text', (c) => c.notNull())
    .addColumn('answered_by', 'text')
    .addColumn('answered_at', 'text')
    .execute();
  // The RONA sweep: calls still offered to an agent and unanswered, oldest offer first.
  await db.schema.createIndex('inbound_calls_offered_idx').on('inbound_calls').columns(['tenant_id', 'offered_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('inbound_calls').execute();
  await db.schema.dropTable('agent_profiles').execute();
}
