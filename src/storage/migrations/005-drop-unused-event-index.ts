import { Kysely } from 'kysely';

/**
 * No query reads events by conversation (replays read a tenant's log by sequence), yet every event
 * written put a row on a random leaf of this index: about one WAL page in ten of an inbound-SMS
 * commit on SQLite.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('events_conversation_idx').ifExists().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('events_conversation_idx').on('events').columns(['tenant_id', 'conversation_id', 'seq']).execute();
}
