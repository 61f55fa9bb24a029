import type { Contact } from './domain/contact';

export interface ContactView {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
}

export function contactView(c: Contact): ContactView {
  return { id: c.id, name: c.name, phone: c.phone, email: c.email, externalId: c.externalId, createdAt: c.createdAt, updatedAt: c.updatedAt };
}
