import { isIP } from 'node:net';
import { isPublicIpv4, isPublicIpv6, publicUrlProblem, urlShapeProblem } from '../../common/net/public-url';

/**
 * Where the gateway may push a call's audio (`POST /v1/calls/:id/streams`). `public`: a `wss:`
 * URL naming a public host (the production setting: the gateway itself connects, so an address
 * inside its network would let a caller of the API reach it); `any`: `ws:` and local hosts too,
 * for development and tests.
 */
export type StreamTargets = 'public' | 'any';

/** Why `raw` is not a receiver the gateway may connect to, as a message to follow `url`; null when it is. */
export function streamTargetProblem(raw: unknown, targets: StreamTargets): string | null {
  if (typeof raw !== 'string') return 'must be a WebSocket URL';
  const scheme = /^(wss?):/i.exec(raw)?.[1]?.toLowerCase();
  if (!scheme) return targets === 'any' ? 'must be a ws: or wss: URL' : 'must be a wss: URL';
  if (scheme === 'ws' && targets === 'public') return 'must be a wss: URL (audio leaves the gateway encrypted)';
  // The https/http rules apply as they are: same length, userinfo and host checks.
  const asHttp = raw.replace(/^wss?:/i, scheme === 'wss' ? 'https:' : 'http:');
  const problem = targets === 'any' ? urlShapeProblem(asHttp, { allowHttp: true }) : publicUrlProblem(asHttp);
  if (problem) return problem.replace('https URL', 'wss: URL').replace('http(s) URL', 'ws: or wss: URL');
  if (new URL(asHttp).hash) return 'must not carry a fragment';
  return null;
}

/** Whether an address a receiver's name resolved to may be connected to under `targets`. */
export function addressAllowed(address: string, targets: StreamTargets): boolean {
  if (targets === 'any') return true;
  const family = isIP(address);
  if (family === 4) return isPublicIpv4(address);
  if (family === 6) return isPublicIpv6(address);
  return false;
}
