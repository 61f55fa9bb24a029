import pino from 'pino';
import { loadConfig, type DeepPartial } from '../config/config.loader';
import type { AppConfig } from '../config/config.schema';
import { CallbackUrls } from './callbacks/callback-urls';
import type { AnyProviderDescriptor, ProviderDescriptor } from './provider-descriptor';
import { ProviderRegistry } from './provider.registry';
import { PROVIDERS } from './providers';
import { TenantAccounts, type TenantAccount, type UnreadableAccount } from './tenant-accounts.port';
import type { TenantSettings } from '../tenants/tenant';

const PUBLIC = 'https://gateway.example';
const SECRET = 'x'.repeat(32);
const callbacks = new CallbackUrls(PUBLIC, SECRET);
const logger = pino({ level: 'silent' });
const TWILIO = { twilio: { accountSid: 'AC1', authToken: 'token' } };
const JAMBONZ = { jambonz: { apiBaseUrl: 'https://jambonz.example', accountSid: 'acc', apiKey: 'key' } };
const SIP = { drachtio: { host: '127.0.0.1' }, sipTrunkUri: 'sip:trunk.example' };

const registry = (providers: DeepPartial<AppConfig['providers']>, list: readonly AnyProviderDescriptor[] = PROVIDERS) =>
  new ProviderRegistry(loadConfig({ overrides: { providers } as DeepPartial<AppConfig> }), logger, callbacks, list);
const tenant = (settings: Partial<TenantSettings> = {}) => ({ id: 't', numbers: [], ...settings }) as TenantSettings;

describe('ProviderRegistry (built from the descriptors)', () => {
  it('builds only the configured providers; the simulator is always there', () => {
    const bare = registry({});
    expect(bare.smsProviders().map((p) => p.name)).toEqual(['simulator']);
    expect(bare.voiceProviders().map((p) => p.name)).toEqual(['simulator']);
    expect(bare.smsByName('twilio')).toBeUndefined();
    expect(() => bare.voiceFor(tenant({ voiceProvider: 'twilio' }))).toThrow('twilio is not configured on this gateway');

    const all = registry({ ...TWILIO, ...JAMBONZ, ...SIP });
    expect(all.smsProviders().map((p) => p.name)).toEqual(['twilio', 'jambonz', 'simulator']);
    expect(all.voiceProviders().map((p) => p.name)).toEqual(['twilio', 'jambonz', 'sip', 'simulator']);
  });

  it('a half-configured account stays unconfigured (no SID, or SIP without a trunk)', () => {
    const half = registry({ twilio: { authToken: 'token' }, drachtio: { host: '127.0.0.1' } });
    expect(half.smsByName('twilio')).toBeUndefined();
    expect(half.voiceByName('sip')).toBeUndefined();
  });

  it.each([
    ['nothing', {}, 'simulator', 'simulator'],
    ['sip', { ...SIP }, 'simulator', 'sip'],
    ['jambonz and sip', { ...JAMBONZ, ...SIP }, 'jambonz', 'jambonz'],
    ['twilio, jambonz and sip', { ...TWILIO, ...JAMBONZ, ...SIP }, 'twilio', 'twilio'],
  ])('with %s configured, the defaults follow the list order (the simulator last)', (_label, providers, sms, voice) => {
    const built = registry(providers);
    expect(built.smsFor(tenant()).name).toBe(sms);
    expect(built.voiceFor(tenant()).name).toBe(voice);
  });

  it('never defaults to the fallback while a real provider is configured, wherever it sits in the list', () => {
    const simulatorFirst = [...PROVIDERS].sort((a) => (a.name === 'simulator' ? -1 : 0));
    expect(simulatorFirst[0]!.name).toBe('simulator');
    expect(registry(TWILIO, simulatorFirst).smsFor(tenant()).name).toBe('twilio');
  });

  it('takes the status callback URL from the descriptor, signed', () => {
    const built = registry({ ...TWILIO, ...JAMBONZ });
    const twilio = new URL(built.smsStatusCallbackUrl('twilio', 'M1'));
    expect(`${twilio.origin}${twilio.pathname}`).toBe(`${PUBLIC}/webhooks/twilio/sms/status`);
    expect(callbacks.verify(twilio.pathname, Object.fromEntries(twilio.searchParams))).toBe('valid');
    expect(twilio.searchParams.get('mid')).toBe('M1');
    expect(new URL(built.smsStatusCallbackUrl('jambonz', 'M2')).pathname).toBe('/webhooks/jambonz/sms/status');
  });

  it('uses whatever URL a descriptor builds, not a path made up from its name', () => {
    const acme: ProviderDescriptor<'acme', 'sms'> = {
      name: 'acme', channels: ['sms'],
      create: () => ({ sms: { name: 'acme', send: async () => ({ providerRef: 'x', state: 'sent' }), fetchMedia: () => undefined } as never }),
      smsStatusCallbackUrl: (urls, id) => urls.url('/webhooks/acme/delivery-receipts', { mid: id }),
    };
    const built = registry({}, [...PROVIDERS, acme]);
    expect(built.smsByName('acme')).toBeDefined();
    expect(new URL(built.smsStatusCallbackUrl('acme', 'M3')).pathname).toBe('/webhooks/acme/delivery-receipts');
  });

  it('answers capability questions from the descriptor: what it lacks, with its reason', () => {
    const built = registry({ ...TWILIO, ...JAMBONZ });
    // jambonz holds, consults and supervises through the call's conference (jambonz.participants.ts).
    expect(built.capabilityRefusal('jambonz', 'hold')).toBeUndefined();
    expect(built.capabilityRefusal('jambonz', 'supervise')).toBeUndefined();
    expect(built.capabilityRefusal('jambonz', 'dtmf')).toBeUndefined();
    expect(built.capabilityRefusal('twilio', 'hold')).toBeUndefined();
    expect(built.capabilityRefusal('nobody', 'hold')).toBe('nobody has no hold');
  });

  it('lets SIP calls record and stream only when the adapter has rtpengine (RTPENGINE_URL), and says what is missing otherwise', async () => {
    const plain = registry(SIP);
    const anchored = registry({ ...SIP, rtpengineUrl: 'udp://127.0.0.1:22222' });
    expect(plain.capabilityRefusal('sip', 'record')).toMatch(/needs rtpengine: set RTPENGINE_URL/);
    expect(plain.capabilityRefusal('sip', 'liveAudio')).toMatch(/needs rtpengine: set RTPENGINE_URL/);
    expect(anchored.capabilityRefusal('sip', 'record')).toBeUndefined();
    expect(anchored.capabilityRefusal('sip', 'liveAudio')).toBeUndefined();
    expect(anchored.capabilityRefusal('sip', 'conference')).toMatch(/mixer/); // rtpengine does not make the rest possible
    await Promise.all([plain, anchored].map((r) => r.voiceByName('sip')?.close()));
  });

  it('gives the stand-in sender only for the simulator', () => {
    const built = registry(TWILIO);
    expect(built.standInSender('simulator')).toBe('+15550100000');
    expect(built.standInSender('twilio')).toBeUndefined();
  });

  it('lists a readiness check for each real voice provider and each account probe, none for the simulator', () => {
    expect(registry({ ...TWILIO, ...SIP }).readinessChecks().map(([name]) => name)).toEqual(['voice:twilio', 'voice:sip', 'provider:twilio']);
    expect(registry({}).readinessChecks()).toEqual([]);
  });
});

describe('ProviderRegistry: tenants’ own accounts', () => {
  /** A descriptor that records the settings each build was given. */
  const built: Array<Record<string, unknown>> = [];
  const recording: AnyProviderDescriptor = {
    name: 'twilio', channels: ['sms', 'voice'],
    create: (settings: { twilio: Record<string, unknown> }) => {
      built.push(settings.twilio);
      if (!settings.twilio.accountSid) return undefined;
      const name = 'twilio';
      return { sms: { name, account: settings.twilio.accountSid } as never, voice: { name, account: settings.twilio.accountSid, close: async () => undefined } as never };
    },
  };
  const own: Record<string, TenantAccount | UnreadableAccount> = {};
  class Accounts extends TenantAccounts {
    accountOf(tenantId: string) { return own[tenantId]; }
    ownerOfNumber() { return undefined; }
    tenantWithAccount() { return undefined; }
    accountsWith() { return []; }
  }
  const withAccounts = (providers: DeepPartial<AppConfig['providers']>) =>
    new ProviderRegistry(loadConfig({ overrides: { providers } as DeepPartial<AppConfig> }), logger, callbacks, [recording, ...PROVIDERS.filter((p) => p.name === 'simulator')], undefined, new Accounts());
  const account = (p: unknown) => (p as { account?: string } | undefined)?.account;

  it('uses a tenant’s own account over the gateway’s, built once per setting of it, the gateway’s settings underneath', () => {
    built.length = 0;
    const reg = withAccounts({ twilio: { accountSid: 'AC-gw', authToken: 'gw', apiBaseUrl: 'https://api.example' } });
    own.acme = { fields: { accountSid: 'AC-acme', authToken: 'acme' }, stamp: 'one' };
    expect(account(reg.smsFor(tenant({ id: 'acme', smsProvider: 'twilio' })))).toBe('AC-acme');
    expect(account(reg.voiceByName('twilio', 'acme'))).toBe('AC-acme');
    expect(account(reg.smsChainFor(tenant({ id: 'acme', smsProviders: ['twilio'] }))[0])).toBe('AC-acme');
    expect(built.at(-1)).toMatchObject({ accountSid: 'AC-acme', authToken: 'acme', apiBaseUrl: 'https://api.example' });
    const builds = built.length;
    reg.smsByName('twilio', 'acme');
    expect(built.length).toBe(builds); // same account: the same adapters
    own.acme = { fields: { accountSid: 'AC-acme2', authToken: 'acme2' }, stamp: 'two' };
    expect(account(reg.smsByName('twilio', 'acme'))).toBe('AC-acme2');
    // Other tenants, and callers naming no tenant, keep the gateway's.
    expect(account(reg.smsFor(tenant({ id: 'globex', smsProvider: 'twilio' })))).toBe('AC-gw');
    expect(account(reg.voiceByName('twilio'))).toBe('AC-gw');
  });

  it('refuses a tenant’s account it cannot open, never falling back to the gateway’s', () => {
    const reg = withAccounts({ twilio: { accountSid: 'AC-gw', authToken: 'gw' } });
    own.initech = { unreadable: 'the tenant\'s twilio credentials cannot be opened on this instance (wrong key)' };
    expect(() => reg.smsFor(tenant({ id: 'initech', smsProvider: 'twilio' }))).toThrow(/cannot be opened on this instance/);
    expect(() => reg.voiceByName('twilio', 'initech')).toThrow(/cannot be opened/);
  });

  it('serves a tenant’s own account where the gateway has none of that provider', () => {
    const reg = withAccounts({});
    own.acme = { fields: { accountSid: 'AC-acme', authToken: 'acme' }, stamp: 'three' };
    expect(reg.smsByName('twilio')).toBeUndefined();
    expect(account(reg.smsFor(tenant({ id: 'acme', smsProvider: 'twilio' })))).toBe('AC-acme');
  });
});
