import { Kysely } from 'kysely';

/**
 * Routing an inbound message from a contact with no open conversation reads the contact's latest
 * conversation (by activity). With only (tenant, contact, id) and (tenant, activity, id) indexes,
 * SQLite walked the tenant's whole activity index looking for that contact: every such message
 * cost time in proportion to the tenant's conversations (measured: 250 µs at 1,000, against 11 µs
 * for the open-conversation lookup). This index answers it with one seek.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('conversations_contact_activity_idx')
    .on('conversations')
    .columns(['tenant_id', 'contact_id', 'last_activity_at', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversations_contact_activity_idx').execute();
}
