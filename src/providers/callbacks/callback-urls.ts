import { createHmac, timingSafeEqual } from 'node:crypto';

/** The query parameter that carries the gateway's signature of a callback URL. */
export const CALLBACK_SIGNATURE_PARAM = 'sig';

export type CallbackVerdict = 'unbound' | 'valid' | 'missing' | 'mismatch';

/**
 * Callback URLs that name one of our records (`?cid=` a call, `?mid=` a message, `&transfer=` a
 * dial target) carry an HMAC of their path and parameters made with a key only the gateway holds.
 *
 * A provider's own signature is not enough: jambonz signs only the body, so a signed status body
 * of one call could be replayed against another call's id in the URL (and Twilio's signature
 * holds only for as long as every tenant shares one account). With this, a URL can select only
 * the record the gateway put into it.
 */
export class CallbackUrls {
  private readonly key: Buffer;
  private readonly base: string;

  /** `secret` is shared by every instance (the JWT secret); the key is derived for this one use. */
  constructor(publicBaseUrl: string, secret: string) {
    if (!secret) throw new Error('callback URLs need a secret');
    this.base = publicBaseUrl.replace(/\/+$/, '');
    this.key = createHmac('sha256', secret).update('contact-gateway/callback-url/v1').digest();
  }

  /** The absolute URL of one of our webhook routes, its parameters signed. */
  url(path: string, params: Readonly<Record<string, string>>): string {
    const query = canonical(params);
    return `${this.base}${path}?${query}&${CALLBACK_SIGNATURE_PARAM}=${this.sign(path, query)}`;
  }

  /**
   * Whether a request's URL is one we made. Every query string on a webhook route is ours, so
   * any parameter needs the signature; a URL without parameters selects nothing (`unbound`).
   */
  verify(path: string, query: Readonly<Record<string, unknown>>): CallbackVerdict {
    if (Object.keys(query).length === 0) return 'unbound';
    const given = query[CALLBACK_SIGNATURE_PARAM];
    if (typeof given !== 'string' || given.length === 0) return 'missing';
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(query)) {
      if (name === CALLBACK_SIGNATURE_PARAM) continue;
      if (typeof value !== 'string') return 'mismatch'; // a repeated parameter is not a URL we made
      params[name] = value;
    }
    const expected = Buffer.from(this.sign(path, canonical(params)));
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected) ? 'valid' : 'mismatch';
  }

  private sign(path: string, query: string): string {
    return createHmac('sha256', this.key).update(`${path}?${query}`, 'utf8').digest('base64url');
  }
}

/** Parameters in name order, percent-encoded: the same text whichever order they were written in. */
function canonical(params: Readonly<Record<string, string>>): string {
  return Object.keys(params).sort()
    .map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(params[name]!)}`)
    .join('&');
}
