import { newId } from '../common/ids';
import type { ContactsStore } from '../unit-of-work/unit-of-work';
import type { Contact } from './domain/contact';

export interface ContactFacts {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  externalId?: string | null;
}

/**
 * Finds the tenant's contact by external id, then phone, then e-mail; creates one when none
 * matches. A found contact is returned as stored: changing it is PATCH's job.
 */
export async function findOrCreateContact(
  repo: ContactsStore,
  tenantId: string,
  facts: ContactFacts,
  at: string,
): Promise<Contact> {
  return (await repo.findByKeys(tenantId, facts)) ?? createContact(repo, tenantId, facts, at);
}

/** Stores a new contact from these facts (the caller looked and found none). */
export async function createContact(repo: ContactsStore, tenantId: string, facts: ContactFacts, at: string): Promise<Contact> {
  const contact: Contact = {
    id: newId(),
    tenantId,
    name: facts.name ?? null,
    phone: facts.phone ?? null,
    email: facts.email ?? null,
    externalId: facts.externalId ?? null,
    optedOutAt: null,
    createdAt: at,
    updatedAt: at,
  };
  await repo.insert(contact);
  return contact;
}
