/** True when `url` is https (or the configured base's own scheme) on one of `hosts`. */
export function isAllowedMediaUrl(url: string, hosts: ReadonlySet<string>, allowHttpHosts: ReadonlySet<string>): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  if (parsed.protocol === 'https:') return hosts.has(parsed.host);
  return parsed.protocol === 'http:' && allowHttpHosts.has(parsed.host);
}

/** Hosts of configured base URLs: a plain-http base (a test or on-premises API) is allowed as is. */
export function hostsOf(urls: string[]): { https: Set<string>; http: Set<string> } {
  const https = new Set<string>();
  const http = new Set<string>();
  for (const url of urls) {
    if (!url) continue;
    const parsed = new URL(url);
    (parsed.protocol === 'http:' ? http : https).add(parsed.host);
  }
  return { https, http };
}

/** Fetch with a time limit; redirects are followed (credentials are not sent across origins). */
export function fetchWithTimeout(url: string, init: RequestInit, ms = 15_000): Promise<Response> {
  return fetch(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(ms) });
}
