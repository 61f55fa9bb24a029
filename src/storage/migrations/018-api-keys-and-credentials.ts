import { Kysely } from 'kysely';

/**
 * What tenants' machine clients and provider accounts need (src/tenants/api-keys,
 * src/tenants/provider-credentials).
 *
 * `api_keys`: one row per live key; revoking deletes it. `secret_hash` is the SHA-256 of the key's
 * secret part (the secret itself is shown once and never stored); `roles` a JSON list.
 *
 * `tenant_provider_credentials`: one row per tenant and provider; `sealed` is the AES-256-GCM
 * envelope of the JSON fields (CREDENTIALS_KEY), `hints` a JSON map of the last characters the
 * admin API may show.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('api_keys_tenant').on('api_keys').columns(['tenant_id', 'created_at']).execute();
  await db.schema
    .createTable('tenant_provider_credentials')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('hints', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tenant_provider_credentials_pk', ['tenant_id', 'provider'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tenant_provider_credentials').execute();
  await db.schema.dropTable('api_keys').execute();
}
