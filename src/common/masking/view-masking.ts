import type { Principal } from '../auth/principal';
import { maskEmail, maskPhone } from './mask';
import { looksLikePhone, maskSensitiveText } from './sensitive';

/** Fields that hold a phone number (or may: an agent endpoint can be one). */
const PHONE_FIELDS = new Set(['phone', 'from', 'to', 'callerId', 'agentEndpoint', 'number']);
const EMAIL_FIELDS = new Set(['email']);
/** Free text an agent or customer wrote: card, IBAN and SSN-like data inside it is masked. */
const TEXT_FIELDS = new Set(['body', 'notes', 'text', 'preview']);

/**
 * Whether this caller sees personal data in clear. With the tenant's `maskSensitiveData` on, only
 * supervisors and admins whose token carries `pii: true` do; the stored data is never changed.
 */
export function seesClearData(principal: Principal, maskSensitiveData: boolean): boolean {
  if (!maskSensitiveData) return true;
  return principal.pii && (principal.roles.includes('supervisor') || principal.roles.includes('admin'));
}

/** A copy of a response or event with phone numbers, e-mails and sensitive text masked. */
export function maskView<T>(value: T): T {
  return mask(value, undefined) as T;
}

function mask(value: unknown, field: string | undefined): unknown {
  if (typeof value === 'string') return field === undefined ? value : maskField(field, value);
  if (Array.isArray(value)) return value.map((item) => mask(item, field));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = mask(item, key);
  return out;
}

function maskField(field: string, value: string): string {
  if (PHONE_FIELDS.has(field)) return looksLikePhone(value) ? maskPhone(value) : value;
  if (EMAIL_FIELDS.has(field)) return value.includes('@') ? maskEmail(value) : value;
  if (field === 'name') return looksLikePhone(value) ? maskPhone(value) : value;
  if (TEXT_FIELDS.has(field)) return maskSensitiveText(value);
  return value;
}
