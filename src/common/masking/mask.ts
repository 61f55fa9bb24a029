import { maskEmail, maskPhone, maskSensitiveText } from './sensitive';

/**
 * Masking of personal data in logs: always on, with the very rules agents' views use (./sensitive).
 *   +447966197542      -> *********7542   (every digit but the last four)
 *   melissa@gmail.com  -> m******@gmail.com
 */
export { maskEmail, maskPhone };

/** Masks IBANs, cards, SSNs, e-mails and every number of 7 or more digits inside free text (also `%2B…` in URLs). */
export function maskText(text: string): string {
  return maskSensitiveText(text);
}

/** Returns a copy of a log record with every string and key masked (depth-limited, cycle-safe). */
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
  for (const [k, v] of Object.entries(value)) out[maskText(k)] = maskDeep(v, depth + 1, seen);
  return out;
}
