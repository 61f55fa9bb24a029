import type { CallFact, EndReason } from '../../calls/domain/call-state';
import { VoiceProviderError } from '../voice-provider.port';

/**
 * How a final failure response (≥ 300) to the customer INVITE ends the call. The one place SIP
 * statuses become our end reasons.
 */
export function sipEndReason(status: number): EndReason {
  switch (status) {
    case 486: // Busy Here
    case 600: // Busy Everywhere
      return 'busy';
    case 408: // Request Timeout (also what the stack reports when Timer C fires)
    case 480: // Temporarily Unavailable: rang out, phone off
      return 'no-answer';
    case 603: // Decline
      return 'rejected';
    case 487: // Request Terminated: our CANCEL took effect
      return 'canceled';
    default: // 3xx we do not follow, 404/484 bad number, 5xx trunk trouble, 604 …
      return 'failed';
  }
}

/** What a response to the customer INVITE tells about the call; undefined when it tells nothing. */
export function sipProgress(status: number): CallFact | undefined {
  if (status === 180 || status === 183) return { kind: 'ringing' };
  if (status < 200) return undefined; // 100 Trying and other provisional responses
  if (status < 300) return { kind: 'answered' };
  return { kind: 'ended', reason: sipEndReason(status) };
}

// ── Addresses ───────────────────────────────────────────────────────────────────────────────────

const E164 = /^\+[1-9]\d{6,14}$/;
const SIP_URI = /^sips?:[^\s<>"]+$/i;

/** Parses the configured trunk (`sip:trunk.example.com:5060[;transport=tcp]`, scheme optional). */
export function parseTrunk(trunkUri: string): { scheme: string; hostport: string; params: string } {
  const match = /^(?:(sips?):)?(?:[^@\s]*@)?([^;?\s@]+)([^\s]*)$/i.exec(trunkUri.trim());
  if (!trunkUri.trim() || !match) throw new Error(`providers.sipTrunkUri must be a SIP URI such as sip:trunk.example.com:5060 (got "${trunkUri}")`);
  return { scheme: (match[1] ?? 'sip').toLowerCase(), hostport: match[2], params: match[3] };
}

/** `sip:<E.164>@<trunk host:port>` (with the trunk's URI parameters). */
export function viaTrunk(trunkUri: string, number: string): string {
  const trunk = parseTrunk(trunkUri);
  return `${trunk.scheme}:${number}@${trunk.hostport}${trunk.params}`;
}

/** The customer: an E.164 number, dialled through the trunk. */
export function customerUri(to: string, trunkUri: string): string {
  if (!E164.test(to)) throw new VoiceProviderError(`the customer number must be E.164 to be dialled through the SIP trunk (got "${to}")`);
  return viaTrunk(trunkUri, to);
}

/**
 * An agent endpoint or transfer target: a `sip:`/`sips:` URI as is, an E.164 number through the
 * trunk. `user:<name>` (a registered WebRTC/SDK user) has no SIP address here and is refused.
 */
export function endpointUri(endpoint: string, trunkUri: string, what = 'agent endpoint'): string {
  const value = endpoint.trim();
  if (SIP_URI.test(value)) return value;
  if (E164.test(value)) return viaTrunk(trunkUri, value);
  if (value.startsWith('user:')) {
    throw new VoiceProviderError(`the SIP provider cannot reach ${what} "${value}": user: addresses need a provider with registered users (twilio, jambonz); give a sip: URI or an E.164 number`);
  }
  throw new VoiceProviderError(`${what} "${value}" is neither a sip: URI nor an E.164 number`);
}

// ── SDP ─────────────────────────────────────────────────────────────────────────────────────────

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
const DIRECTION = /^a=(sendrecv|sendonly|recvonly|inactive)$/;

/**
 * The same session description with every stream set to `direction` and the o= version raised
 * by one (RFC 3264 §8: a changed offer must carry a higher version, or the peer may ignore it).
 * Where the description relies on the default direction, the attribute is added to each stream.
 */
export function withDirection(sdp: string, direction: SdpDirection): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  const explicit = lines.some((line) => DIRECTION.test(line));
  const out: string[] = [];
  let inMedia = false;
  for (const line of lines) {
    if (!explicit && inMedia && line.startsWith('m=')) out.push(`a=${direction}`);
    if (line.startsWith('m=')) inMedia = true;
    const origin = /^o=(\S+) (\S+) (\d+) (.*)$/.exec(line);
    if (origin) out.push(`o=${origin[1]} ${origin[2]} ${BigInt(origin[3]) + 1n} ${origin[4]}`);
    else out.push(DIRECTION.test(line) ? `a=${direction}` : line);
  }
  if (!explicit) out.push(`a=${direction}`);
  return out.join(eol) + eol;
}

/** The direction of a description's first stream (`sendrecv` when it relies on the default). */
export function directionOf(sdp: string): SdpDirection {
  for (const line of sdp.split(/\r?\n/)) {
    const match = DIRECTION.exec(line);
    if (match) return match[1] as SdpDirection;
  }
  return 'sendrecv';
}

/**
 * Our answer to the agent's offer while the customer rings (RFC 3725 §5, the "black hole"): every
 * stream accepted but inactive, at 0.0.0.0 port 9, so the agent's device completes its INVITE at
 * once and neither sends nor expects media. `sessionId` names our side in later offers on that leg.
 */
export function blackHoleAnswer(offer: string, sessionId: string): string {
  const eol = offer.includes('\r\n') ? '\r\n' : '\n';
  const lines = offer.split(/\r?\n/).filter((line) => line !== '');
  const out = lines.map((line) => {
    if (line.startsWith('o=')) return `o=contact-gateway ${sessionId} 1 IN IP4 0.0.0.0`;
    if (line.startsWith('c=')) return 'c=IN IP4 0.0.0.0';
    const media = /^m=(\S+) \d+(\/\d+)? (.*)$/.exec(line);
    return media ? `m=${media[1]} 9 ${media[3]}` : line;
  });
  return withDirection(out.join(eol) + eol, 'inactive').replace(/^o=(\S+ \S+) 2 /m, 'o=$1 1 ');
}

/**
 * `sdp` (a description the other leg gave) as the next description of ours on a leg where we last
 * sent `previous`: the o= line becomes ours with the version raised by one (RFC 3264 §8: one
 * origin per side of a session, a higher version for a changed description).
 */
export function restamp(sdp: string, previous: string): string {
  const origin = /^o=(\S+) (\S+) (\d+) (.*)$/m.exec(previous);
  if (!origin) return sdp;
  return sdp.replace(/^o=.*$/m, `o=${origin[1]} ${origin[2]} ${BigInt(origin[3]) + 1n} ${origin[4]}`);
}

/** Where each stream of a description receives media (`address port`), to see media move. */
export function mediaTargets(sdp: string): string[] {
  let session = '';
  const targets: Array<{ address: string; port: string }> = [];
  for (const line of sdp.split(/\r?\n/)) {
    const connection = /^c=IN IP[46] (\S+)/.exec(line);
    const media = /^m=\S+ (\d+)/.exec(line);
    if (media) targets.push({ address: session, port: media[1] });
    else if (connection && targets.length === 0) session = connection[1];
    else if (connection) targets[targets.length - 1].address = connection[1];
  }
  return targets.map((t) => `${t.address} ${t.port}`);
}

/**
 * The key in a caller's SIP INFO, for callers whose phone or trunk signals keys that way rather
 * than in the media (RFC 4733): `application/dtmf-relay` (`Signal=5`, the common form) or
 * `application/dtmf` (the bare key). Undefined for anything else, or a body that is no key.
 */
export function infoKey(contentType: string | undefined, body: string | undefined): string | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = (body ?? '').trim();
  const key = type === 'application/dtmf-relay' ? /^signal\s*=\s*(\S+)/im.exec(text)?.[1]
    : type === 'application/dtmf' ? text : undefined;
  if (key === undefined) return undefined;
  // Some phones send the event number (RFC 4733: 10 is *, 11 is #).
  const named = key === '10' ? '*' : key === '11' ? '#' : key.toUpperCase();
  return /^[0-9*#A-D]$/.test(named) ? named : undefined;
}
