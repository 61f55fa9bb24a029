import type { Executor } from '../../storage/store';

/** A tenant's credentials for one provider as stored: sealed, with the hints the API may show. */
export interface StoredCredentials {
  tenantId: string;
  provider: string;
  sealed: string;
  /** Field → its last characters. */
  hints: Record<string, string>;
  updatedAt: string;
}

export class ProviderCredentialsRepository {
  constructor(private readonly db: Executor) {}

  async put(row: StoredCredentials): Promise<void> {
    const values = { ...row, hints: JSON.stringify(row.hints) };
    await this.db.insertInto('tenantProviderCredentials').values(values)
      .onConflict((oc) => oc.columns(['tenantId', 'provider']).doUpdateSet({ sealed: values.sealed, hints: values.hints, updatedAt: values.updatedAt }))
      .execute();
  }

  /** The credentials of the given tenants (all of them without `tenantIds`). */
  async list(tenantIds?: readonly string[]): Promise<StoredCredentials[]> {
    if (tenantIds?.length === 0) return [];
    let query = this.db.selectFrom('tenantProviderCredentials').selectAll();
    if (tenantIds) query = query.where('tenantId', 'in', tenantIds);
    const rows = await query.orderBy('tenantId').orderBy('provider').execute();
    return rows.map((row) => ({ ...row, hints: JSON.parse(row.hints) as Record<string, string> }));
  }

  /** Removes a tenant's credentials for one provider; false when it had none. */
  async delete(tenantId: string, provider: string): Promise<boolean> {
    const result = await this.db.deleteFrom('tenantProviderCredentials').where('tenantId', '=', tenantId).where('provider', '=', provider).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
