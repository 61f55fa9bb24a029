import type { Principal } from '../auth/principal';
import { maskPhone, maskSensitiveText } from './sensitive';

/**
 * The gateway's own identifiers, left as they are where the gateway's shapes put them: ids it
 * minted (ULIDs), the agent id of a token (desktops match assignments and topics with it), and
 * cursors and links the client passes back. Nothing else is spared: every other string value and
 * every object key goes through the detectors, so a new field is masked without being listed.
 * Provider and chat references (`providerRef`, `sessionId`) are not listed: they come from outside
 * and may carry a customer's address (`whatsapp:+44…`).
 */
const STRUCTURAL = new Set(['id', 'conversationId', 'interactionId', 'contactId', 'agentId', 'cursor', 'nextCursor', 'href', 'topic', 'topics']);

/**
 * Data a client wrote in whatever shape it liked (the screen-pop `context`): below it no key is
 * structural, and whole numbers of 7 or more digits (a phone number sent as a JSON number) are
 * masked too. Fractions (a GPS position) stay.
 */
const FREE_FORM = new Set(['context']);
const LARGE_INTEGER = 1_000_000;

/**
 * Whether this caller sees personal data in clear. With the tenant's `maskSensitiveData` on, only
 * supervisors and admins whose token carries `pii: true` do; the stored data is never changed.
 */
export function seesClearData(principal: Principal, maskSensitiveData: boolean): boolean {
  if (!maskSensitiveData) return true;
  return principal.pii && (principal.roles.includes('supervisor') || principal.roles.includes('admin'));
}

/** A copy of a JSON answer, event or frame with every personal datum in it masked (./sensitive). */
export function maskView<T>(value: T): T {
  return mask(value, false) as T;
}

function mask(value: unknown, free: boolean): unknown {
  if (typeof value === 'string') return maskSensitiveText(value);
  if (typeof value === 'number') return free && Number.isInteger(value) && Math.abs(value) >= LARGE_INTEGER ? maskPhone(String(value)) : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => mask(item, free));
  // What JSON.stringify would write: a Date, or anything else with toJSON, by its JSON form.
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return mask(json.call(value), free);
  if (ArrayBuffer.isView(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const inner = free || FREE_FORM.has(key);
    const spared = !inner && STRUCTURAL.has(key) && (typeof item === 'string' || isStringArray(item));
    define(out, uniqueKey(out, maskSensitiveText(key)), spared ? item : mask(item, inner));
  }
  return out;
}

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** An own property even for a key such as `__proto__` (client JSON may hold one). */
function define(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** Two keys that mask alike (`+447966197542`, `+447900007542`) both stay, the second as `… (2)`. */
function uniqueKey(out: Record<string, unknown>, key: string): string {
  if (!Object.hasOwn(out, key)) return key;
  let n = 2;
  while (Object.hasOwn(out, `${key} (${n})`)) n += 1;
  return `${key} (${n})`;
}
