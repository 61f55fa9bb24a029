import { generateKeyPairSync, verify } from 'node:crypto';
import { signTelnyx, telnyxPublicKey, verifyTelnyx } from './telnyx-signature';

const ours = generateKeyPairSync('ed25519');
const theirs = generateKeyPairSync('ed25519');
const base64Key = (key: typeof ours.publicKey) => Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url').toString('base64');
const key = telnyxPublicKey(base64Key(ours.publicKey));

describe('telnyx-signature-ed25519', () => {
  const now = 1_800_000_000;
  const body = '{"data":{"event_type":"message.received"}}';
  const signed = (at: number, privateKey = ours.privateKey, raw = body) => {
    const h = signTelnyx(raw, privateKey, at);
    return { signature: h['telnyx-signature-ed25519'], timestamp: h['telnyx-timestamp'] };
  };

  it.each<[string, { signature?: string; timestamp?: string }, string, string]>([
    ['valid', signed(now), body, 'valid'],
    ['no signature', { timestamp: String(now) }, body, 'missing'],
    ['no timestamp', { signature: signed(now).signature }, body, 'missing'],
    ['a signature that is not base64', { ...signed(now), signature: 'not*base64' }, body, 'malformed'],
    ['a signature of the wrong length', { ...signed(now), signature: Buffer.alloc(32).toString('base64') }, body, 'malformed'],
    ['a timestamp that is not digits', { ...signed(now), timestamp: '1.8e9' }, body, 'malformed'],
    ['stale (301 s old)', signed(now - 301), body, 'stale'],
    ['within skew (299 s ahead)', signed(now + 299), body, 'valid'],
    ['from the future (301 s ahead)', signed(now + 301), body, 'stale'],
    ['another body', signed(now), '{"data":{"event_type":"message.sent"}}', 'mismatch'],
    ['another key', signed(now, theirs.privateKey), body, 'mismatch'],
    // The timestamp is signed with the body: a fresh stamp on an old signature does not hold.
    ['a timestamp moved on', { ...signed(now - 600), timestamp: String(now) }, body, 'mismatch'],
  ])('%s → %s', (_name, headers, raw, verdict) => expect(verifyTelnyx(headers, raw, key, now)).toBe(verdict));

  it('signs `timestamp|body`, so a verifier of the documented scheme agrees', () => {
    const { signature } = signed(now);
    expect(verify(null, Buffer.from(`${now}|${body}`), ours.publicKey, Buffer.from(signature!, 'base64'))).toBe(true);
  });

  it.each(['', 'abc', Buffer.alloc(31).toString('base64'), `${base64Key(ours.publicKey)}x`])('refuses the public key %j', (text) => {
    expect(() => telnyxPublicKey(text)).toThrow(/32 bytes/);
  });
});
