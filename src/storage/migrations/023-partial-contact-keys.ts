import { Kysely, sql } from 'kysely';

const KEYS = ['phone', 'email', 'external_id'] as const;

/**
 * A contact's keys (phone, email, external id) stay unique per tenant, now in partial indexes
 * over the rows that have the key. Uniqueness is the same (rows without the key never collided),
 * the indexes are smaller (most contacts have one key of three), and a lookup by one key can only
 * use that key's index: PostgreSQL planned the inbound lookup `tenant_id = $1 and phone = $2` on a
 * near-empty table with the external-id index, filtering every contact of the tenant by phone,
 * and kept that plan for the prepared statement as the table grew (seen on the SMS bench). A
 * partial index is usable only where the query implies its predicate, and `phone = $2` implies
 * `phone is not null`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of KEYS) {
    await db.schema.dropIndex(`contacts_tenant_${column}_uq`).execute();
    await db.schema.createIndex(`contacts_tenant_${column}_uq`).on('contacts').columns(['tenant_id', column]).unique()
      .where(sql.ref(column), 'is not', null).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of KEYS) {
    await db.schema.dropIndex(`contacts_tenant_${column}_uq`).execute();
    await db.schema.createIndex(`contacts_tenant_${column}_uq`).on('contacts').columns(['tenant_id', column]).unique().execute();
  }
}
