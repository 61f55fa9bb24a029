import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Telnyx signs every webhook with the account's Ed25519 key (its Messaging webhook docs and the
 * telnyx-node SDK's `lib/webhooks.ts`, which we follow):
 *
 * - `telnyx-timestamp`: unix seconds, digits only;
 * - `telnyx-signature-ed25519`: base64 of the 64-byte signature of `${timestamp}|${raw body}`;
 * - the public key shown in the portal is base64 of the raw 32-byte key.
 *
 * The SDK refuses a timestamp more than 300 s away from its clock, either way; so do we. Node's
 * own crypto verifies Ed25519, so no dependency is needed.
 */
export const TELNYX_TOLERANCE_SECONDS = 300;

export type TelnyxVerdict = 'valid' | 'missing' | 'malformed' | 'stale' | 'mismatch';

/** The raw 32-byte Ed25519 key from its base64 text; throws on anything else (config is checked at boot). */
export function telnyxPublicKey(base64: string): KeyObject {
  const raw = strictBase64(base64.trim());
  if (raw?.length !== 32) throw new Error('a Telnyx public key is the base64 of 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** Checks the signature over the raw body, the timestamp within the tolerance. */
export function verifyTelnyx(
  headers: { signature?: string; timestamp?: string },
  rawBody: string | Buffer,
  key: KeyObject,
  nowSeconds = Math.floor(Date.now() / 1000),
): TelnyxVerdict {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) return 'missing';
  const bytes = strictBase64(signature);
  if (!/^\d{1,12}$/.test(timestamp) || bytes?.length !== 64) return 'malformed';
  if (Math.abs(nowSeconds - Number(timestamp)) > TELNYX_TOLERANCE_SECONDS) return 'stale';
  // Over the bytes as they came: decoding and re-encoding could change a body that is not clean UTF-8.
  const signed = Buffer.concat([Buffer.from(`${timestamp}|`, 'utf8'), typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody]);
  return verify(null, signed, key, bytes) ? 'valid' : 'mismatch';
}

/** The two headers Telnyx would send with `rawBody` (the fake and the tests sign with this). */
export function signTelnyx(rawBody: string, privateKey: KeyObject, timestamp = Math.floor(Date.now() / 1000)): { 'telnyx-signature-ed25519': string; 'telnyx-timestamp': string } {
  const signature = sign(null, Buffer.from(`${timestamp}|${rawBody}`, 'utf8'), privateKey).toString('base64');
  return { 'telnyx-signature-ed25519': signature, 'telnyx-timestamp': String(timestamp) };
}

/** Padded standard base64 only (as the SDK insists): Buffer.from would silently skip bad characters. */
function strictBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
