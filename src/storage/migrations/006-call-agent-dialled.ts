import { Kysely } from 'kysely';

/**
 * When the agent of a call was dialled. Twilio fetches a call's TwiML once per answer, but a
 * signed request can be replayed at will: this column lets exactly one fetch add the agent,
 * claimed by a conditional update that is atomic on SQLite and PostgreSQL alike.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('calls').addColumn('agent_dialled_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('calls').dropColumn('agent_dialled_at').execute();
}
