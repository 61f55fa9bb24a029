/**
 * Whether a URL someone handed us may be fetched on our behalf (by a provider, or by the gateway):
 * no credentials in it, no address inside a private network, no name that only resolves locally.
 * Pure: it looks at the URL as WHATWG URL parsing normalises it (`https://2130706433/`,
 * `https://0x7f.1/` and `https://[::ffff:127.0.0.1]/` all become loopback), never at DNS — a
 * public name that resolves to a private address is the fetcher's allow-list's business.
 */

export const MAX_URL_LENGTH = 2000;

export interface PublicUrlOptions {
  /** Accept plain http as well as https (https only by default). */
  allowHttp?: boolean;
}

/** Why `raw` may not be fetched, as a message to follow a field name; null when it may. */
export function publicUrlProblem(raw: string, options: PublicUrlOptions = {}): string | null {
  const shape = urlShapeProblem(raw, options);
  if (shape) return shape;
  const host = new URL(raw).hostname.toLowerCase();
  if (host.startsWith('[')) {
    return isPublicIpv6(host.slice(1, -1)) ? null : 'must not name a private, loopback, link-local or multicast address';
  }
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
    return isPublicIpv4(host) ? null : 'must not name a private, loopback, link-local or multicast address';
  }
  return isPublicName(host) ? null : 'must not name a local or internal host';
}

/** The scheme, length and userinfo rules alone (for URLs whose host an allow-list decides). */
export function urlShapeProblem(raw: string, options: PublicUrlOptions = {}): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) return `must be a URL of at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  const schemes = options.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) return options.allowHttp ? 'must be an http(s) URL' : 'must be an https URL';
  if (url.username || url.password) return 'must not carry a user name or password';
  return null;
}

/** Names that resolve only inside a host or a site (RFC 6761, RFC 6762, RFC 8375, ICANN .internal). */
const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal', '.localdomain', '.home.arpa', '.lan', '.intranet', '.corp'];

function isPublicName(host: string): boolean {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  // A single label (`https://metadata/`, `https://intranet/`) resolves through local search domains.
  if (!name.includes('.')) return false;
  return !LOCAL_SUFFIXES.some((suffix) => name.endsWith(suffix) || name === suffix.slice(1));
}

/** IPv4 ranges that are not globally reachable unicast (IANA special-purpose registry). */
const BLOCKED_V4: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];

export function isPublicIpv4(address: string): boolean {
  const value = ipv4Value(address);
  if (value === undefined) return false;
  return !BLOCKED_V4.some(([base, bits]) => inV4Range(value, ipv4Value(base)!, bits));
}

/**
 * Only global unicast (2000::/3) is public, less documentation, the IETF protocol block (Teredo,
 * benchmarking) and 6to4 around a non-public IPv4; an IPv4-mapped address is judged as its IPv4.
 */
export function isPublicIpv6(address: string): boolean {
  const groups = ipv6Groups(address);
  if (!groups) return false;
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (isMapped) return isPublicIpv4(v4From(groups[6]!, groups[7]!));
  const first = groups[0]!;
  if ((first & 0xe000) !== 0x2000) return false; // not 2000::/3: loopback, ULA, link-local, multicast, NAT64, …
  if (first === 0x2001 && groups[1]! < 0x0200) return false; // 2001::/23 IETF protocol assignments
  if (first === 0x2001 && groups[1] === 0x0db8) return false; // 2001:db8::/32 documentation
  if (first === 0x3fff && groups[1]! < 0x1000) return false; // 3fff::/20 documentation
  if (first === 0x2002) return isPublicIpv4(v4From(groups[1]!, groups[2]!)); // 6to4 carries an IPv4
  return true;
}

function ipv4Value(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function inV4Range(value: number, base: number, bits: number): boolean {
  const size = 2 ** (32 - bits);
  return Math.floor(value / size) === Math.floor(base / size);
}

function v4From(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** Eight 16-bit groups of an IPv6 address (with `::` and a dotted IPv4 tail), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const value = ipv4Value(tail[1]!);
    if (value === undefined) return undefined;
    text = `${text.slice(0, -tail[1]!.length)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.map((g) => parseInt(g, 16));
}
