/**
 * Whom an agent may have the gateway dial and which number the customer sees. Without these
 * limits an agent bridges any two numbers of their choice at the tenant's expense (toll fraud),
 * or shows a customer another tenant's number. Pure: no Nest, no driver.
 */

/**
 * An allowed agent endpoint or transfer target, as configuration writes it: `*` (anything the API
 * accepts), `user:<glob>`, `sip:<glob>` / `sips:<glob>`, or `+<digits and *>`.
 */
export const AGENT_ENDPOINT_PATTERN = /^(\*|user:[A-Za-z0-9._@*-]{1,100}|sips?:[^\s<>"]{1,200}|\+[0-9*]{1,15})$/;

export const AGENT_ENDPOINT_PATTERN_HINT =
  'must hold agent endpoint patterns such as "user:*", "sip:*@pbx.example.com", "+44207183*" or "*"';

/**
 * What `*` stands for inside a pattern: one or more letters, digits, `.`, `_`, `~`, `+` or `-`.
 * It never crosses `@`, `:`, `;`, `?` or `=`, so `sip:*@pbx.acme.example` cannot be stretched to
 * another host, a port or a URI parameter such as `maddr`, which reroutes a SIP request.
 */
const WILDCARD = '[A-Za-z0-9._~+-]+';

const compiled = new Map<string, RegExp>();

/** The pattern as an anchored, case-insensitive expression (schemes and hosts ignore case). */
export function endpointMatcher(pattern: string): RegExp {
  let matcher = compiled.get(pattern);
  if (!matcher) {
    const source = pattern === '*' ? '.+' : pattern.split('*').map(escapeRegExp).join(WILDCARD);
    matcher = new RegExp(`^${source}$`, 'i');
    compiled.set(pattern, matcher);
  }
  return matcher;
}

export function endpointAllowed(patterns: readonly string[], endpoint: string): boolean {
  return patterns.some((pattern) => endpointMatcher(pattern).test(endpoint));
}

/** Why the tenant may not dial an endpoint (an agent leg or a transfer target), or undefined. */
export function endpointRefusal(patterns: readonly string[], endpoint: string): string | undefined {
  if (endpointAllowed(patterns, endpoint)) return undefined;
  const allowed = patterns.length > 0 ? patterns.join(', ') : 'none';
  return `is not one of this tenant's allowed agent endpoints (${allowed})`;
}

export type CallerIdChoice =
  | { callerId: string }
  | { refused: { field: 'callerId' | 'tenant.numbers'; message: string } };

/**
 * The number the customer sees: one of the tenant's own numbers, the first unless one is asked
 * for. `fallback` is a stand-in sender for a tenant with no numbers (the simulator's fake number);
 * callers pass it only where no real network shows it to anyone.
 */
export function chooseCallerId(requested: string | undefined, numbers: readonly string[], fallback?: string): CallerIdChoice {
  const own = numbers.length > 0 ? numbers : fallback ? [fallback] : [];
  if (requested !== undefined) {
    return own.includes(requested) ? { callerId: requested } : { refused: { field: 'callerId', message: "is not one of this tenant's numbers" } };
  }
  const first = own[0];
  return first ? { callerId: first } : { refused: { field: 'tenant.numbers', message: 'the tenant has no number to call from' } };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
