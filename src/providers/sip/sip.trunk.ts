import { parseTrunk } from './sip.mapper';
import type { UacOptions } from './srf.types';

/** The account the trunk challenges for (`SIP_TRUNK_USERNAME` / `SIP_TRUNK_PASSWORD`). */
export interface TrunkCredentials {
  username: string;
  password: string;
}

/** The trunk and, when it asks for them, the credentials it takes. */
export interface Trunk {
  uri: string;
  credentials?: TrunkCredentials;
}

/**
 * The credentials for an INVITE to `target`, only when the target is the trunk (its host and
 * port): drachtio-srf answers any 401/407 with what it is given, and a `sip:` agent endpoint on
 * another host must not be handed a digest of the trunk's password to try offline.
 */
export function trunkAuth(target: string, trunk: Trunk): TrunkCredentials | undefined {
  if (!trunk.credentials) return undefined;
  const at = /^sips?:(?:[^@;?]*@)?([^;?]+)/i.exec(target.trim());
  return at && at[1].toLowerCase() === parseTrunk(trunk.uri).hostport.toLowerCase() ? trunk.credentials : undefined;
}

/**
 * What the customer's INVITE through the trunk carries besides its SDP: our Call-ID (the call's
 * providerRef), the caller ID as the From user (drachtio-server puts its own address in place of
 * srf's `localhost`) and as P-Asserted-Identity (RFC 3325: what carriers take as the calling
 * number from a trusted trunk, and what they check against the numbers of the account), and the
 * trunk's credentials for its digest challenge (401 or 407).
 *
 * The Call-ID is keyed `call-id`, as drachtio-srf's digest client writes it into the same headers
 * when it resends the INVITE with credentials: with a `Call-ID` key beside it, srf hands
 * drachtio-server a retry with two Call-ID lines (the server we test against keeps one; a
 * stricter parser need not).
 */
export function customerInviteOptions(callId: string, callerId: string, trunk: Trunk): UacOptions {
  const { scheme, hostport } = parseTrunk(trunk.uri);
  const host = hostport.replace(/:\d+$/, '');
  const options: UacOptions = {
    callingNumber: callerId,
    headers: { 'call-id': callId, 'P-Asserted-Identity': `<${scheme}:${callerId}@${host}>` },
  };
  if (trunk.credentials) options.auth = trunk.credentials;
  return options;
}
