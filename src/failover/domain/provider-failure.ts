/**
 * Why a provider failed a call or message, as the API shows it (pure): the provider's own code
 * (a Twilio error code such as 21211, an HTTP status, a SIP final response code) and its message,
 * made safe to show. Provider messages quote what they were sent: callback URLs with our signature,
 * sometimes an account id or a credential a client library echoed. Those go; the customer's number
 * stays, because the API's masking layer masks it for agents who may not see it.
 */

export interface ProviderFailure {
  provider: string;
  /** The provider's code, as text (`21211`, `503`, `486`); null when it gave none (no answer at all). */
  code: string | null;
  message: string;
}

/** Longest message kept: enough for any provider's sentence, not for a body it quoted. */
export const MAX_FAILURE_MESSAGE = 300;

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
const AUTH_SCHEME = /\b(Basic|Bearer|Digest)\s+[^\s,;]+/gi;
const SECRET_PAIR = /\b([\w-]*(?:token|secret|password|passwd|apikey|api_key|api-key|signature|sig|key|auth)[\w-]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi;
/** Twilio account and key SIDs (AC…, SK…) and long hex runs, which are how tokens look. */
const ACCOUNT_ID = /\b(AC|SK)[0-9a-f]{32}\b/g;
const HEX_RUN = /\b[0-9a-f]{32,}\b/gi;

/** The message with links cut to their host, credentials and account ids replaced, trimmed and bounded. */
export function safeProviderMessage(text: string): string {
  const cleaned = text
    .replace(URL_PATTERN, (url) => hostOf(url))
    .replace(AUTH_SCHEME, (_, scheme: string) => `${scheme} [redacted]`)
    .replace(SECRET_PAIR, (_, name: string, sep: string) => `${name}${sep}[redacted]`)
    .replace(ACCOUNT_ID, (_, prefix: string) => `${prefix}[redacted]`)
    .replace(HEX_RUN, '[redacted]')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > MAX_FAILURE_MESSAGE ? `${cleaned.slice(0, MAX_FAILURE_MESSAGE - 1)}…` : cleaned;
}

/** A failure as the API shows it: the message made safe, a code bounded. */
export function providerFailure(provider: string, code: string | number | null | undefined, message: string): ProviderFailure {
  const text = code === null || code === undefined || code === '' ? null : String(code).slice(0, 40);
  return { provider, code: text, message: safeProviderMessage(message) || 'no reason given' };
}

/** The stored form (a JSON column); anything unreadable reads as no failure. */
export function parseFailure(json: string | null | undefined): ProviderFailure | null {
  if (!json) return null;
  try {
    const value = JSON.parse(json) as Partial<ProviderFailure> | null;
    if (!value || typeof value.provider !== 'string' || typeof value.message !== 'string') return null;
    return { provider: value.provider, code: typeof value.code === 'string' ? value.code : null, message: value.message };
  } catch {
    return null;
  }
}

/** `https://user:pw@host:8443/path?sig=…` → `https://host:8443/…`: where, never what. */
function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.length > 1 || parsed.search ? '/…' : ''}`;
  } catch {
    return '[link]';
  }
}
