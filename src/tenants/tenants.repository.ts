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

  async replaceNumbers(tenantId: string, numbers: string[]): Promise<void> {
    await this.db.deleteFrom('tenantNumbers').where('tenantId', '=', tenantId).execute();
    if (numbers.length > 0) {
      await this.db.insertInto('tenantNumbers').values(numbers.map((number) => ({ number, tenantId }))).execute();
    }
  }
}
