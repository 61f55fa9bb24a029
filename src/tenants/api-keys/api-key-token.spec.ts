import { looksLikeApiKey } from '../../common/auth/api-key-verifier';
import { hashSecret, mintApiKey, parseApiKey, secretMatches } from './api-key-token';

describe('API key tokens', () => {
  const minted = mintApiKey();

  it('mints gk_<id>_<secret> whose secret only the hash stands for', () => {
    expect(minted.token).toMatch(/^gk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(minted.token)!;
    expect(parsed.id).toBe(minted.id);
    expect(minted.secretHash).toBe(hashSecret(parsed.secret));
    expect(minted.secretHash).not.toContain(parsed.secret);
    expect(mintApiKey().token).not.toBe(minted.token);
  });

  it.each([
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.e30.sig', false, false],
    ['the prefix only', 'gk_', true, false],
    ['a short id', `gk_abc_${'a'.repeat(43)}`, true, false],
    ['an upper-case id', `gk_${'A'.repeat(16)}_${'a'.repeat(43)}`, true, false],
    ['a short secret', `gk_${'a'.repeat(16)}_${'a'.repeat(42)}`, true, false],
    ['a long secret', `gk_${'a'.repeat(16)}_${'a'.repeat(44)}`, true, false],
    ['padding', `gk_${'a'.repeat(16)}_${'a'.repeat(42)}=`, true, false],
    ['a well-formed key', `gk_${'a'.repeat(16)}_${'a'.repeat(43)}`, true, true],
  ])('%s: looks like a key %s, parses %s', (_name, token, looks, parses) => {
    expect(looksLikeApiKey(token)).toBe(looks);
    expect(parseApiKey(token) !== undefined).toBe(parses);
  });

  it('matches the secret it was minted with and nothing else', () => {
    const { secret } = parseApiKey(minted.token)!;
    expect(secretMatches(secret, minted.secretHash)).toBe(true);
    expect(secretMatches(secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A'), minted.secretHash)).toBe(false);
    expect(secretMatches(secret, '')).toBe(false);
    expect(secretMatches(secret, 'zz')).toBe(false);
  });
});
