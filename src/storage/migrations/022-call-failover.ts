import { Kysely } from 'kysely';

/**
 * Voice failover and provider failures: which providers a call was handed to and why each one
 * before the last failed (JSON `[{ provider, error, code }]`, as messages keep them since 016), and
 * why the provider failed the call (JSON `{ provider, code, message }`, failover/domain). Null:
 * none (a call of one provider that did not fail, or one placed before this).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('calls').addColumn('attempts', 'text').execute();
  await db.schema.alterTable('calls').addColumn('failure', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('calls').dropColumn('failure').execute();
  await db.schema.alterTable('calls').dropColumn('attempts').execute();
}
