import pino from 'pino';
import { loadConfig, type DeepPartial } from '../config/config.loader';
import type { AppConfig } from '../config/config.schema';
import { CallbackUrls } from './callbacks/callback-urls';
import type { AnyProviderDescriptor, ProviderDescriptor } from './provider-descriptor';
import { ProviderRegistry } from './provider.registry';
import { PROVIDERS } from './providers';
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
    expect(built.capabilityRefusal('jambonz', 'hold')).toBe('jambonz cannot hold a dialled call');
    expect(built.capabilityRefusal('jambonz', 'dtmf')).toBeUndefined();
    expect(built.capabilityRefusal('twilio', 'hold')).toBeUndefined();
    expect(built.capabilityRefusal('nobody', 'hold')).toBe('nobody has no hold');
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
