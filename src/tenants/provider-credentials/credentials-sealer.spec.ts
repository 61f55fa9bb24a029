import { ConfigError, loadConfig } from '../../config/config.loader';
import { CredentialsSealer } from './credentials-sealer';

const KEY_A = 'a1'.repeat(32);
const KEY_B = Buffer.alloc(32, 3).toString('base64');
const JWT = 'j'.repeat(40);
const PRODUCTION = { NODE_ENV: 'production', METRICS_TOKEN: 'scrape-token', JWT_SECRET: JWT, PUBLIC_BASE_URL: 'https://gateway.example.com' };
const sealer = (env: Record<string, string>) => new CredentialsSealer(loadConfig({ env }));
const FIELDS = { accountSid: `AC${'0'.repeat(32)}`, authToken: 'tenant-token-0123456789' };

function startUp(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

describe('CredentialsSealer: the key, and what a start-up finds in the store', () => {
  const stored = [{ tenantId: 'acme', provider: 'twilio', sealed: sealer({ ...PRODUCTION, CREDENTIALS_KEY: KEY_A }).seal('acme', 'twilio', FIELDS) }];

  it('opens what it sealed, for the tenant and provider it was sealed for', () => {
    const a = sealer({ ...PRODUCTION, CREDENTIALS_KEY: KEY_A });
    expect(a.open('acme', 'twilio', stored[0]!.sealed)).toEqual(FIELDS);
    expect(() => a.open('globex', 'twilio', stored[0]!.sealed)).toThrow(/altered/);
  });

  it.each<[string, Record<string, string>, typeof stored, RegExp | undefined]>([
    ['the key they were sealed with', { ...PRODUCTION, CREDENTIALS_KEY: KEY_A }, stored, undefined],
    ['another key', { ...PRODUCTION, CREDENTIALS_KEY: KEY_B },
      stored, /^Invalid configuration: the stored twilio credentials of tenant acme cannot be opened: it was sealed with another CREDENTIALS_KEY\. Start with the CREDENTIALS_KEY they were stored with \(now CREDENTIALS_KEY\)/],
    ['an altered row', { ...PRODUCTION, CREDENTIALS_KEY: KEY_A }, [{ ...stored[0]!, sealed: stored[0]!.sealed.slice(0, -3) + 'AAA' }], /cannot be opened: the stored envelope was altered/],
    ['no key in production, credentials stored', PRODUCTION, stored, /store holds 1 tenant provider credential\(s\).*CREDENTIALS_KEY .* is not set \(production never derives one\)/],
    ['no key in production, none stored', PRODUCTION, [], undefined],
    ['no key in development: the derived key is another one', { JWT_SECRET: JWT }, stored, /sealed with another CREDENTIALS_KEY.*\(now derived from JWT_SECRET\)/],
  ])('starts or refuses with %s', (_case, env, rows, expected) => {
    const answer = startUp(() => sealer(env).checkStored(rows));
    if (expected) expect(answer).toMatch(expected);
    else expect(answer).toBeUndefined();
  });

  it('refuses a key that is not 32 bytes, as a configuration error', () => {
    expect(() => loadConfig({ env: { ...PRODUCTION, CREDENTIALS_KEY: 'short' } })).toThrow(/CREDENTIALS_KEY|credentialsKey/);
    expect(sealer({ JWT_SECRET: JWT }).available).toBe(true);
    expect(sealer(PRODUCTION).available).toBe(false);
  });
});
