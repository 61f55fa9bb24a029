import type { SimulatorMediaTable } from '../storage/schema';
import type { Executor } from '../storage/store';

/** A simulated MMS picture as stored: the row itself. */
export type StoredMedia = SimulatorMediaTable;

export class SimulatorMediaRepository {
  constructor(private readonly db: Executor) {}

  async insert(media: StoredMedia[]): Promise<void> {
    if (media.length === 0) return;
    await this.db.insertInto('simulatorMedia').values(media).execute();
  }

  async find(tenantId: string, id: string): Promise<StoredMedia | undefined> {
    const row = await this.db
      .selectFrom('simulatorMedia')
      .select(['id', 'tenantId', 'contentType', 'size', 'data', 'createdAt'])
      .where('tenantId', '=', tenantId).where('id', '=', id)
      .executeTakeFirst();
    // better-sqlite3 and pg both give a Buffer; a Uint8Array would do as well.
    return row && { ...row, data: Buffer.from(row.data) };
  }

  async delete(tenantId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom('simulatorMedia').where('tenantId', '=', tenantId).where('id', 'in', ids).execute();
  }
}
