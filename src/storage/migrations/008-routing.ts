import { Kysely, sql } from 'kysely';

/**
 * Routing: each conversation's last activity (lists sort by it), when it entered the queue (no
 * agent) and when its unattended alert was claimed (a conditional update, so one instance of many
 * sends it); and agent presence, one row per agent and instance holding an open socket, kept alive
 * by the socket heartbeat and left to expire when an instance dies.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('last_activity_at', 'text').execute();
  await sql`update conversations set last_activity_at = updated_at`.execute(db);
  await db.schema.alterTable('conversations').addColumn('queued_at', 'text').execute();
  await sql`update conversations set queued_at = created_at where agent_id is null and status <> 'closed'`.execute(db);
  await db.schema.alterTable('conversations').addColumn('unattended_alerted_at', 'text').execute();
  await db.schema.createIndex('conversations_activity_idx').on('conversations')
    .columns(['tenant_id', 'last_activity_at', 'id']).execute();
  await db.schema.createIndex('conversations_queued_idx').on('conversations')
    .columns(['tenant_id', 'queued_at']).execute();

  await db.schema
    .createTable('agent_presence')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_presence_pk', ['tenant_id', 'agent_id', 'instance_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('agent_presence').execute();
  await db.schema.dropIndex('conversations_queued_idx').execute();
  await db.schema.dropIndex('conversations_activity_idx').execute();
  for (const column of ['unattended_alerted_at', 'queued_at', 'last_activity_at']) {
    await db.schema.alterTable('conversations').dropColumn(column).execute();
  }
}
