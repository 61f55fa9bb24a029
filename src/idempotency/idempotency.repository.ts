import type { Executor } from '../storage/store';

export interface IdempotencyRecord {
  requestHash: string;
  state: 'pending' | 'done';
  statusCode: number | null;
  responseBody: string | null;
  createdAt: string;
}

export class IdempotencyRepository {
  constructor(private readonly db: Executor) {}

  /** Reserves the key; false when another request holds it already. */
  async reserve(tenantId: string, key: string, requestHash: string, createdAt: string): Promise<boolean> {
    const result = await this.db
      .insertInto('idempotencyKeys')
      .values({ tenantId, key, requestHash, state: 'pending', statusCode: null, responseBody: null, createdAt })
      .onConflict((oc) => oc.columns(['tenantId', 'key']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async find(tenantId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.db
      .selectFrom('idempotencyKeys')
      .select(['requestHash', 'state', 'statusCode', 'responseBody', 'createdAt'])
      .where('tenantId', '=', tenantId).where('key', '=', key)
      .executeTakeFirst();
    return row && { ...row, state: row.state as IdempotencyRecord['state'] };
  }

  async complete(tenantId: string, key: string, statusCode: number, responseBody: string): Promise<void> {
    await this.db
      .updateTable('idempotencyKeys')
      .set({ state: 'done', statusCode, responseBody })
      .where('tenantId', '=', tenantId).where('key', '=', key)
      .execute();
  }

  async release(tenantId: string, key: string): Promise<void> {
    await this.db.deleteFrom('idempotencyKeys').where('tenantId', '=', tenantId).where('key', '=', key).execute();
  }

  /** Drops keys created before `cutoff`; returns how many. */
  async purgeBefore(cutoff: string): Promise<number> {
    const result = await this.db.deleteFrom('idempotencyKeys').where('createdAt', '<', cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
