import { bootSummary, withoutCredentials, type BootFacts, type TenantRoute } from './boot-summary';

const tenant = (over: Partial<TenantRoute> = {}): TenantRoute => ({ id: 'acme', numbers: 1, sms: 'twilio', smsIsSimulator: false, voice: 'twilio', ...over });
const facts = (over: Partial<BootFacts> = {}): BootFacts => ({
  env: 'production', store: 'postgres://db:5432/gateway', redis: 'redis://redis:6379', publicBaseUrl: 'https://gw.example.com', tenants: [tenant()], ...over,
});

describe('bootSummary', () => {
  it('names the store, Redis, the public URL and each tenant\'s providers', () => {
    expect(bootSummary(facts({ redis: undefined })).summary).toEqual({
      env: 'production', store: 'postgres://db:5432/gateway', redis: 'none (one instance)', publicBaseUrl: 'https://gw.example.com',
      tenants: { acme: { sms: 'twilio', voice: 'twilio', numbers: 1 } },
    });
  });

  it.each<[string, Partial<BootFacts>, string | undefined]>([
    ['every tenant has a number', {}, undefined],
    ['a tenant on a real SMS provider without numbers', { tenants: [tenant(), tenant({ id: 'beta', numbers: 0, sms: 'telnyx' })] },
      'Invalid configuration: tenant beta sends SMS through telnyx but has no number to send from (tenants[].numbers)'],
    ['the simulator needs no number', { tenants: [tenant({ numbers: 0, sms: 'simulator', smsIsSimulator: true })] }, undefined],
    ['development only reports it', { env: 'development', tenants: [tenant({ numbers: 0 })] }, undefined],
  ])('refusal: %s', (_case, over, refusal) => {
    expect(bootSummary(facts(over)).refusal).toBe(refusal);
  });
});

describe('withoutCredentials', () => {
  it.each([
    ['redis://:s3cret@redis:6379', 'redis://redis:6379'],
    ['postgres://gateway:pw@db:5432/gateway', 'postgres://db:5432/gateway'],
    ['not a url', '(unparsable URL)'],
  ])('%s → %s', (url, logged) => expect(withoutCredentials(url)).toBe(logged));
});
