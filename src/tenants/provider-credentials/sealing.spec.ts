import { randomBytes } from 'node:crypto';
import { derivedSealingKey, parseSealingKey, seal, unseal, UnsealError, type SealFailure } from './sealing';

const KEY = parseSealingKey('11'.repeat(32))!;
const OTHER = parseSealingKey(Buffer.alloc(32, 2).toString('base64'))!;
const SECRET = '{"accountSid":"AC0123","authToken":"s3cret-token"}';
const AAD = 'acme/twilio';

function failure(work: () => unknown): SealFailure | 'opened' {
  try {
    work();
    return 'opened';
  } catch (error) {
    if (error instanceof UnsealError) return error.reason;
    throw error;
  }
}

/** Changes one base64url character of the envelope's part `n`. */
function flip(envelope: string, n: number): string {
  const parts = envelope.split('.');
  const part = parts[n]!;
  parts[n] = (part[0] === 'A' ? 'B' : 'A') + part.slice(1);
  return parts.join('.');
}

describe('sealing provider credentials (AES-256-GCM)', () => {
  it.each<[string, string, SealingCase]>([
    ['64 hex characters', 'ab'.repeat(32), 'key'],
    ['base64 of 32 bytes', Buffer.alloc(32, 7).toString('base64'), 'key'],
    ['base64url of 32 bytes', Buffer.alloc(32, 255).toString('base64url'), 'key'],
    ['31 bytes of hex', 'ab'.repeat(31), 'none'],
    ['base64 of 31 bytes', Buffer.alloc(31, 7).toString('base64'), 'none'],
    ['a passphrase', 'correct horse battery staple', 'none'],
    ['empty', '', 'none'],
  ])('reads %s as a key: %s', (_name, text, expected) => {
    expect(parseSealingKey(text) === undefined ? 'none' : 'key').toBe(expected);
  });

  it('opens what it sealed, and never writes the secret in clear', () => {
    const envelope = seal(KEY, SECRET, AAD);
    expect(envelope).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(envelope).not.toContain('s3cret');
    expect(Buffer.from(envelope.split('.')[4]!, 'base64url').toString('utf8')).not.toContain('s3cret');
    expect(unseal(KEY, envelope, AAD)).toBe(SECRET);
    expect(seal(KEY, SECRET, AAD)).not.toBe(envelope); // a fresh IV each time
  });

  const envelope = seal(KEY, SECRET, AAD);
  it.each<[string, () => unknown, SealFailure]>([
    ['another key', () => unseal(OTHER, envelope, AAD), 'wrong-key'],
    ['another key claiming the same id', () => unseal({ key: randomBytes(32), id: KEY.id }, envelope, AAD), 'tampered'],
    ['another tenant', () => unseal(KEY, envelope, 'globex/twilio'), 'tampered'],
    ['another provider', () => unseal(KEY, envelope, 'acme/jambonz'), 'tampered'],
    ['an altered IV', () => unseal(KEY, flip(envelope, 2), AAD), 'tampered'],
    ['an altered tag', () => unseal(KEY, flip(envelope, 3), AAD), 'tampered'],
    ['an altered ciphertext', () => unseal(KEY, flip(envelope, 4), AAD), 'tampered'],
    ['a truncated ciphertext', () => unseal(KEY, envelope.slice(0, -2), AAD), 'tampered'],
    ['a short tag', () => unseal(KEY, envelope.replace(/\.([\w-]{22})\./, '.AAAA.'), AAD), 'malformed'],
    ['another version', () => unseal(KEY, envelope.replace(/^v1/, 'v2'), AAD), 'malformed'],
    ['no envelope', () => unseal(KEY, 'plain text', AAD), 'malformed'],
  ])('refuses %s', (_name, open, reason) => {
    expect(failure(open)).toBe(reason);
  });

  it('derives a stable development key from the JWT secret, and another from another secret', () => {
    const a = derivedSealingKey('x'.repeat(48));
    expect(derivedSealingKey('x'.repeat(48))).toEqual(a);
    expect(derivedSealingKey('y'.repeat(48)).id).not.toBe(a.id);
    expect(failure(() => unseal(derivedSealingKey('y'.repeat(48)), seal(a, SECRET, AAD), AAD))).toBe('wrong-key');
  });
});

type SealingCase = 'key' | 'none';
