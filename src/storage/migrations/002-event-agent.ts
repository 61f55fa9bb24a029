import { Kysely } from 'kysely';

/** Events remember the agent of their conversation, so `agent:<id>` topics can be matched. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('agent_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('agent_id').execute();
}
