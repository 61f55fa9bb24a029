export interface Contact {
  id: string;
  tenantId: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  externalId: string | null;
  /** When the contact texted STOP (or alike); null while SMS may be sent. */
  optedOutAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What identifies a contact within a tenant, strongest first. */
export interface ContactKeys {
  externalId?: string | null;
  phone?: string | null;
  email?: string | null;
}
