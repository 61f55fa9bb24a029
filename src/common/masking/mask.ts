import { maskSensitiveText } from './sensitive';

/**
 * Masking of personal data. Logs are always masked; agent views use the same rules.
 *   +447966197542      -> *********7542   (every digit but the last four)
 *   melissa@gmail.com  -> m******@gmail.com
 */
export function maskPhone(value: string): string {
  const compact = value.replace(/[^\d+]/g, '');
  if (compact.length <= 4) return '*'.repeat(compact.length);
  return '*'.repeat(compact.length - 4) + compact.slice(-4);
}

export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return '*'.repeat(value.length);
  return value[0] + '*'.repeat(at - 1) + value.slice(at);
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// A run of 7+ digits, optionally led by + and split by single spaces, dashes, dots or parentheses,
// standing alone (not inside an id such as a ULID).
const DIGIT_RUN = /(?<![A-Za-z0-9])\+?\(?\d(?:[\s\-.()]?\d){6,}(?![A-Za-z0-9])/g;
const ENCODED_PLUS = /%2B(\d{7,})/gi;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Masks IBANs, cards, SSNs, e-mails and every phone- or account-like digit run inside free text (logs). */
export function maskText(text: string): string {
  return maskSensitiveText(text)
    .replace(EMAIL, (m) => maskEmail(m))
    .replace(ENCODED_PLUS, (_m, digits: string) => maskPhone(`+${digits}`))
    .replace(DIGIT_RUN, (m) => (ISO_DATE.test(m) ? m : maskPhone(m)));
}

/** Returns a copy of a log record with every string masked (depth-limited, cycle-safe). */
export function maskDeep(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return maskText(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1, seen));
  if (value instanceof Error) {
    return { type: value.name, message: maskText(value.message), stack: value.stack && maskText(value.stack) };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1, seen);
  return out;
}
