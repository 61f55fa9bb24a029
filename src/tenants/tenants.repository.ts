import type { Executor } from '../storage/store';
import type { Tenant } from './tenant';

export class TenantsRepository {
  constructor(private readonly db: Executor) {}

  async upsert(tenant: Tenant, createdAt: string): Promise<void> {
    await this.db
      .insertInto('tenants')
      .values({ ...tenant, lastEventSeq: 0, createdAt })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: tenant.name, defaultRegion: tenant.defaultRegion }))
      .execute();
  }

  /**
   * Makes exactly `numbers` the tenant's. A number the store still gives another tenant moves
   * here: the configuration (checked to give each number one tenant) decides, and a number moved
   * between tenants from one start to the next must not stop the start.
   */
  async replaceNumbers(tenantId: string, numbers: string[]): Promise<void> {
    let dropped = this.db.deleteFrom('tenantNumbers').where('tenantId', '=', tenantId);
    if (numbers.length > 0) dropped = dropped.where('number', 'not in', numbers);
    await dropped.execute();
    if (numbers.length > 0) {
      await this.db.insertInto('tenantNumbers').values(numbers.map((number) => ({ number, tenantId })))
        .onConflict((oc) => oc.column('number').doUpdateSet({ tenantId }))
        .execute();
    }
  }

  /** Stores a tenant's first settings; false when it has some already (another instance seeded it first). */
  async insertSettings(tenantId: string, document: string, at: string): Promise<boolean> {
    const result = await this.db.insertInto('tenantSettings')
      .values({ tenantId, version: 1, document, updatedAt: at })
      .onConflict((oc) => oc.column('tenantId').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Every tenant's settings version: what an instance compares with what it has loaded. */
  async settingsVersions(): Promise<Array<{ tenantId: string; version: number }>> {
    const rows = await this.db.selectFrom('tenantSettings').select(['tenantId', 'version']).execute();
    return rows.map((r) => ({ tenantId: r.tenantId, version: Number(r.version) }));
  }

  /** The stored settings of the given tenants (all of them without `tenantIds`). */
  async settings(tenantIds?: readonly string[]): Promise<Array<{ tenantId: string; version: number; document: string; updatedAt: string }>> {
    if (tenantIds?.length === 0) return [];
    let query = this.db.selectFrom('tenantSettings').select(['tenantId', 'version', 'document', 'updatedAt']);
    if (tenantIds) query = query.where('tenantId', 'in', tenantIds);
    const rows = await query.orderBy('tenantId').execute();
    return rows.map((r) => ({ ...r, version: Number(r.version) }));
  }

  /** The numbers of the given tenants (all of them without `tenantIds`). */
  async numbers(tenantIds?: readonly string[]): Promise<Array<{ tenantId: string; number: string; provider: string | null }>> {
    if (tenantIds?.length === 0) return [];
    let query = this.db.selectFrom('tenantNumbers').select(['tenantId', 'number', 'provider']);
    if (tenantIds) query = query.where('tenantId', 'in', tenantIds);
    return query.orderBy('number').execute();
  }

  /** Writes a change made on top of `expectedVersion`; false when another change came first. */
  async updateSettings(tenantId: string, document: string, expectedVersion: number, at: string): Promise<boolean> {
    const result = await this.db.updateTable('tenantSettings')
      .set({ document, version: expectedVersion + 1, updatedAt: at })
      .where('tenantId', '=', tenantId)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Marks a change of the tenant's numbers: the version moves so every instance reloads them. */
  async bumpVersion(tenantId: string, at: string): Promise<number | undefined> {
    const row = await this.db.updateTable('tenantSettings')
      .set((eb) => ({ version: eb('version', '+', 1), updatedAt: at }))
      .where('tenantId', '=', tenantId)
      .returning('version')
      .executeTakeFirst();
    return row ? Number(row.version) : undefined;
  }

  /** The tenant a number belongs to, if any. */
  async ownerOfNumber(number: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('tenantNumbers').select('tenantId').where('number', '=', number).executeTakeFirst();
    return row?.tenantId;
  }

  /**
   * Gives the tenant the number (or sets its provider). Never takes it from another tenant: false
   * when another tenant holds it.
   */
  async putNumber(tenantId: string, number: string, provider: string | null): Promise<boolean> {
    await this.db.insertInto('tenantNumbers').values({ number, tenantId, provider })
      .onConflict((oc) => oc.column('number').doUpdateSet({ provider }).where('tenantNumbers.tenantId', '=', tenantId))
      .execute();
    return (await this.ownerOfNumber(number)) === tenantId;
  }

  /** Removes one of the tenant's numbers; false when it was not the tenant's. */
  async deleteNumber(tenantId: string, number: string): Promise<boolean> {
    const result = await this.db.deleteFrom('tenantNumbers').where('tenantId', '=', tenantId).where('number', '=', number).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
