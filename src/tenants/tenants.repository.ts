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
}
