import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Provider credentials at rest: AES-256-GCM with a 32-byte key from the environment
 * (CREDENTIALS_KEY). An envelope is `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts):
 * the key id (the first 8 hex characters of the key's SHA-256) tells a wrong key from a tampered
 * envelope, and the additional data binds it to its tenant and provider, so a row copied to
 * another tenant does not open.
 */
export type SealFailure = 'malformed' | 'wrong-key' | 'tampered';

export class UnsealError extends Error {
  constructor(readonly reason: SealFailure) {
    super(UNSEAL_DETAIL[reason]);
  }
}

const UNSEAL_DETAIL: Record<SealFailure, string> = {
  'malformed': 'the stored envelope is not one this gateway writes',
  'wrong-key': 'it was sealed with another CREDENTIALS_KEY',
  'tampered': 'the stored envelope was altered (its authentication tag does not match)',
};

export interface SealingKey {
  readonly key: Buffer;
  /** The first 8 hex characters of the key's SHA-256: written beside each envelope. */
  readonly id: string;
}

/** CREDENTIALS_KEY as 64 hex characters or base64/base64url of 32 bytes; undefined when it is neither. */
export function parseSealingKey(text: string): SealingKey | undefined {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  return key?.length === 32 ? sealingKey(key) : undefined;
}

/**
 * Outside production without CREDENTIALS_KEY: a key derived from the JWT secret (HKDF-SHA256), so a
 * development machine works without another setting. Changing the JWT secret then makes stored
 * credentials unreadable, which the start-up says.
 */
export function derivedSealingKey(jwtSecret: string): SealingKey {
  return sealingKey(Buffer.from(hkdfSync('sha256', jwtSecret, 'gateway', 'provider-credentials', 32)));
}

function sealingKey(key: Buffer): SealingKey {
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 8) };
}

/** `aad`: what the envelope belongs to (`<tenant>/<provider>`); the same must be given to open it. */
export function seal(key: SealingKey, plaintext: string, aad: string, iv: Buffer = randomBytes(12)): string {
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', key.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export function unseal(key: SealingKey, envelope: string, aad: string): string {
  const parts = envelope.split('.');
  if (parts.length !== 5 || parts[0] !== 'v1') throw new UnsealError('malformed');
  const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
  if (keyId !== key.id) throw new UnsealError('wrong-key');
  const ivBytes = Buffer.from(iv, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (ivBytes.length !== 12 || tagBytes.length !== 16) throw new UnsealError('malformed');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, ivBytes);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new UnsealError('tampered');
  }
}

/** What an envelope's random IV makes unique: tells one sealing of an account from the next. */
export function envelopeStamp(envelope: string): string {
  return envelope.split('.')[2] ?? envelope;
}
