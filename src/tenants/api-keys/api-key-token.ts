import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * An API key is `gk_<id>_<secret>`: the id (16 hex characters) finds the stored row, the secret
 * (43 base64url characters, 256 random bits) proves the holder. Only the SHA-256 of the secret is
 * stored: with 256 random bits there is nothing to guess, so neither a slow hash nor a server-side
 * pepper would add anything, and a copy of the store alone lets no one call the API.
 */
export const API_KEY_PREFIX = 'gk_'; // what common/auth/api-key-verifier.ts tells keys from JWTs by
const FORMAT = /^gk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface MintedKey {
  id: string;
  /** The whole key, shown once. */
  token: string;
  secretHash: string;
}

export function mintApiKey(random: (size: number) => Buffer = randomBytes): MintedKey {
  const id = random(8).toString('hex');
  const secret = random(32).toString('base64url');
  return { id, token: `${API_KEY_PREFIX}${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** The key's id and secret, or undefined when the token is not a well-formed key. */
export function parseApiKey(token: string): { id: string; secret: string } | undefined {
  const match = FORMAT.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares a presented secret with a stored hash in constant time (both are 32-byte digests). */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
