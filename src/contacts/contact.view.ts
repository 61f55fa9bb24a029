import type { Contact } from './domain/contact';

/** A contact as clients see it: everything but the tenant. */
export type ContactView = Omit<Contact, 'tenantId'>;

export function contactView(c: Contact): ContactView {
  return {
    id: c.id, name: c.name, phone: c.phone, email: c.email, externalId: c.externalId,
    optedOutAt: c.optedOutAt, createdAt: c.createdAt, updatedAt: c.updatedAt,
  };
}
