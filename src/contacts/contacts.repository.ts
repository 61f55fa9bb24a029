import type { Executor } from '../storage/store';
import type { Contact, ContactKeys } from './domain/contact';

type ContactChanges = Partial<Pick<Contact, 'name' | 'phone' | 'email' | 'externalId' | 'optedOutAt' | 'updatedAt'>>;

export class ContactsRepository {
  constructor(private readonly db: Executor) {}

  async findById(tenantId: string, id: string): Promise<Contact | undefined> {
    return this.db.selectFrom('contacts').selectAll().where('tenantId', '=', tenantId).where('id', '=', id).executeTakeFirst();
  }

  async findByIds(tenantId: string, ids: string[]): Promise<Contact[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('contacts').selectAll().where('tenantId', '=', tenantId).where('id', 'in', ids).execute();
  }

  /** The contact matching the strongest key given: external id, then phone, then e-mail. */
  async findByKeys(tenantId: string, keys: ContactKeys): Promise<Contact | undefined> {
    for (const column of ['externalId', 'phone', 'email'] as const) {
      const value = keys[column];
      if (!value) continue;
      const found = await this.db
        .selectFrom('contacts').selectAll()
        .where('tenantId', '=', tenantId).where(column, '=', value)
        .executeTakeFirst();
      if (found) return found;
    }
    return undefined;
  }

  async insert(contact: Contact): Promise<void> {
    await this.db.insertInto('contacts').values(contact).execute();
  }

  async update(tenantId: string, id: string, changes: ContactChanges): Promise<void> {
    await this.db.updateTable('contacts').set(changes).where('tenantId', '=', tenantId).where('id', '=', id).execute();
  }
}
