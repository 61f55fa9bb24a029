import { Kysely } from 'kysely';

/**
 * Tenants managed through the admin API. `tenant_settings`: one JSON document per tenant (its
 * providers and policies) with a version bumped by every change, which instances compare to
 * reload what another instance changed; an empty table is seeded from the configuration.
 * `tenant_numbers.provider`: which provider owns the number (null: not said).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenant_settings')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('tenant_numbers').addColumn('provider', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tenant_numbers').dropColumn('provider').execute();
  await db.schema.dropTable('tenant_settings').execute();
}
