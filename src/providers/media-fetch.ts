import { urlShapeProblem } from '../common/net/public-url';

/**
 * Where a provider's media may be fetched from. The gateway is no open proxy: a URL is fetched only
 * when it is one of the provider's own media resources (with its credentials) or lies under an
 * operator-configured prefix (its CDN, a carrier's media host — never with credentials). Every
 * redirect is judged again by the same rules, so credentials never leave the provider's API host.
 */
export interface MediaPolicy {
  /** The provider's own media resources, fetched with its credentials; null when it serves none. */
  own: { isMediaUrl(url: URL): boolean; authorization: string } | null;
  /** Prefixes (`https://mms.twiliocdn.com/`) fetched without credentials. */
  anonymous: readonly MediaPrefix[];
}

export interface MediaPrefix {
  origin: string;
  /** Always ends in `/`, so `/cdn/` does not admit `/cdn-admin/`. */
  path: string;
}

export type MediaAccess = 'credentialed' | 'anonymous';

/** A prefix from configuration (validated there as an http(s) URL whose path ends in `/`). */
export function mediaPrefix(text: string): MediaPrefix {
  const url = new URL(text);
  return { origin: url.origin, path: url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/` };
}

/** How `raw` may be fetched under `policy`, or undefined when it may not be fetched at all. */
export function mediaAccess(raw: string, policy: MediaPolicy): MediaAccess | undefined {
  if (urlShapeProblem(raw, { allowHttp: true })) return undefined;
  const url = new URL(raw);
  if (policy.own?.isMediaUrl(url)) return 'credentialed';
  const under = policy.anonymous.some((p) => url.origin === p.origin && url.pathname.startsWith(p.path));
  return under ? 'anonymous' : undefined;
}

/** The provider answered with a redirect the policy does not allow (or too many of them). */
export class MediaRedirectRefused extends Error {
  override name = 'MediaRedirectRefused';
}

export const MAX_MEDIA_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches `url` as `policy` allows, following at most {@link MAX_MEDIA_REDIRECTS} redirects by
 * hand; undefined when `url` itself is not allowed. Rejects with {@link MediaRedirectRefused} when
 * a redirect leads anywhere the policy does not allow.
 */
export function fetchMedia(url: string, method: 'GET' | 'HEAD', policy: MediaPolicy, timeoutMs = 15_000): Promise<Response> | undefined {
  const access = mediaAccess(url, policy);
  if (!access) return undefined;
  return follow(url, access, method, policy, AbortSignal.timeout(timeoutMs));
}

async function follow(url: string, access: MediaAccess, method: 'GET' | 'HEAD', policy: MediaPolicy, signal: AbortSignal): Promise<Response> {
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = access === 'credentialed' && policy.own ? { authorization: policy.own.authorization } : {};
    const response = await fetch(url, { method, headers, redirect: 'manual', signal });
    if (!REDIRECTS.has(response.status)) return response;
    await response.body?.cancel().catch(() => undefined);
    if (hop >= MAX_MEDIA_REDIRECTS) throw new MediaRedirectRefused(`more than ${MAX_MEDIA_REDIRECTS} redirects`);
    const location = response.headers.get('location');
    let next: string;
    try {
      next = new URL(location ?? '', url).href;
    } catch {
      throw new MediaRedirectRefused('a redirect without a usable Location');
    }
    const nextAccess = location ? mediaAccess(next, policy) : undefined;
    if (!nextAccess) throw new MediaRedirectRefused('a redirect off the provider\'s media hosts');
    url = next;
    access = nextAccess;
  }
}
