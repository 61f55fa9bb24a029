import { Kysely } from 'kysely';

/** SMS/MMS: the text and cost of each message interaction, its attachments, and contact opt-out. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('messages')
    .addColumn('interaction_id', 'text', (c) => c.primaryKey().references('interactions.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('segments', 'integer', (c) => c.notNull())
    .addColumn('encoding', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .execute();

  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('interaction_id', 'text', (c) => c.notNull().references('interactions.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attachments_interaction_idx').on('attachments').columns(['interaction_id']).execute();

  await db.schema.alterTable('contacts').addColumn('opted_out_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('contacts').dropColumn('opted_out_at').execute();
  await db.schema.dropTable('attachments').execute();
  await db.schema.dropTable('messages').execute();
}
