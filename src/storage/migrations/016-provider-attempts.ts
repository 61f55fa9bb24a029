import { Kysely } from 'kysely';

/**
 * Provider failover: which providers a message was handed to, and why each one before the last
 * failed (JSON `[{ provider, error, code }]`, failover/domain/failover.ts). Null: sent before
 * failover existed, read as no attempts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('attempts', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('attempts').execute();
}
