import { loadConfig } from './config.loader';
import { productionRefusal, storedCredentialsRefusal } from './production-guards';

const PRODUCTION = { NODE_ENV: 'production', METRICS_TOKEN: 'scrape-token', JWT_SECRET: 'j'.repeat(40), PUBLIC_BASE_URL: 'https://gateway.example.com' };
const refusal = (env: Record<string, string>) => productionRefusal(loadConfig({ env }));

describe('productionRefusal: production settings that would start but not work, or not safely', () => {
  it.each<[string, Record<string, string>, RegExp | undefined]>([
    ['a public URL and an own secret', PRODUCTION, undefined],
    ['the documentation\'s sample secret', { ...PRODUCTION, JWT_SECRET: 'change-me-to-at-least-32-characters-long' }, /^Invalid configuration: JWT_SECRET \(auth\.jwtSecret\) is the sample from the documentation/],
    ['PUBLIC_BASE_URL left at localhost', { ...PRODUCTION, PUBLIC_BASE_URL: 'http://localhost:3000' }, /^Invalid configuration: PUBLIC_BASE_URL \(http\.publicBaseUrl\) is http:\/\/localhost:3000: providers cannot call back/],
    ['a loopback address', { ...PRODUCTION, PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }, /PUBLIC_BASE_URL/],
    ['IPv6 loopback', { ...PRODUCTION, PUBLIC_BASE_URL: 'http://[::1]:3000' }, /PUBLIC_BASE_URL/],
    ['a name that merely starts with localhost', { ...PRODUCTION, PUBLIC_BASE_URL: 'https://localhost.example.com' }, undefined],
    ['development keeps its localhost default', { PUBLIC_BASE_URL: 'http://localhost:3000', JWT_SECRET: 'change-me-to-at-least-32-characters-long' }, undefined],
  ])('%s', (_case, env, expected) => {
    const answer = refusal(env);
    if (expected) expect(answer).toMatch(expected);
    else expect(answer).toBeUndefined();
  });
});

describe('storedCredentialsRefusal: tenants’ provider credentials in the store need their key', () => {
  it.each<[string, 'production' | 'development', number, boolean, RegExp | undefined]>([
    ['none stored, no key, production', 'production', 0, false, undefined],
    ['some stored, a key', 'production', 2, true, undefined],
    ['some stored, no key, production', 'production', 2, false, /^Invalid configuration: the store holds 2 tenant provider credential\(s\).*CREDENTIALS_KEY \(auth\.credentialsKey\) is not set \(production never derives one\)/],
    ['some stored, no key, development', 'development', 1, false, /CREDENTIALS_KEY \(auth\.credentialsKey\) is not set$/],
  ])('%s', (_case, env, stored, key, expected) => {
    const answer = storedCredentialsRefusal({ env }, stored, key);
    if (expected) expect(answer).toMatch(expected);
    else expect(answer).toBeUndefined();
  });
});
