import type { Executor } from '../../storage/store';

/** A stored key as the service reads it (never the secret, which is not stored). */
export interface StoredApiKey {
  id: string;
  tenantId: string;
  name: string;
  roles: string[];
  agentId: string | null;
  secretHash: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export class ApiKeysRepository {
  constructor(private readonly db: Executor) {}

  async insert(key: StoredApiKey): Promise<void> {
    await this.db.insertInto('apiKeys').values({ ...key, roles: JSON.stringify(key.roles) }).execute();
  }

  /** One key by id, whichever tenant holds it (the auth guard's lookup; the id is the primary key). */
  async find(id: string): Promise<StoredApiKey | undefined> {
    const row = await this.db.selectFrom('apiKeys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { ...row, roles: JSON.parse(row.roles) as string[] } : undefined;
  }

  async list(tenantId: string): Promise<StoredApiKey[]> {
    const rows = await this.db.selectFrom('apiKeys').selectAll().where('tenantId', '=', tenantId).orderBy('createdAt').orderBy('id').execute();
    return rows.map((row) => ({ ...row, roles: JSON.parse(row.roles) as string[] }));
  }

  /** Revokes one of the tenant's keys; false when it had none of that id. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('apiKeys').where('tenantId', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.updateTable('apiKeys').set({ lastUsedAt: at }).where('id', '=', id).execute();
  }
}
