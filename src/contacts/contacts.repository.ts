import { allColumns, FixedQuery } from '../storage/fixed-query';
import type { ContactsTable } from '../storage/schema';
import type { Executor } from '../storage/store';
import type { Contact, ContactKeys } from './domain/contact';

type ContactChanges = Partial<Pick<Contact, 'name' | 'phone' | 'email' | 'externalId' | 'optedOutAt' | 'updatedAt'>>;

// Every inbound message resolves its sender: these run per message, compiled once (storage/fixed-query.ts).
const KEY_COLUMNS = ['externalId', 'phone', 'email'] as const;
const byKey = Object.fromEntries(KEY_COLUMNS.map((column) => [column, new FixedQuery((db, p: { tenantId: string; value: string }) =>
  db.selectFrom('contacts').selectAll().where('tenantId', '=', p.tenantId).where(column, '=', p.value))]));
const insertContact = new FixedQuery((db, row: ContactsTable) => db.insertInto('contacts').values(allColumns(row, {
  id: true, tenantId: true, name: true, phone: true, email: true, externalId: true, optedOutAt: true, createdAt: true, updatedAt: true,
})));

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
    for (const column of KEY_COLUMNS) {
      const value = keys[column];
      if (!value) continue;
      const found = await byKey[column]!.first(this.db, { tenantId, value });
      if (found) return found;
    }
    return undefined;
  }

  async insert(contact: Contact): Promise<void> {
    await insertContact.execute(this.db, contact);
  }

  async update(tenantId: string, id: string, changes: ContactChanges): Promise<void> {
    await this.db.updateTable('contacts').set(changes).where('tenantId', '=', tenantId).where('id', '=', id).execute();
  }
}
