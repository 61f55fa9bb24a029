import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PlaceCallDto } from '../calls/dto/call.dto';
import { ConfigError, ENV_SETTINGS, loadConfig } from '../config/config.loader';
import { SendMessageDto } from '../messaging/dto/send-message.dto';
import type { AnyProviderDescriptor } from './provider-descriptor';
import { descriptorOf, PROVIDERS, SMS_PROVIDERS, VOICE_PROVIDERS } from './providers';

const descriptors = PROVIDERS as readonly AnyProviderDescriptor[];
const isInValues = (cls: new () => object, value: unknown) => {
  const [error] = validateSync(plainToInstance(cls, { provider: value }), { skipMissingProperties: true });
  return error?.constraints?.isIn;
};

describe('the providers list and what derives from it', () => {
  it('derives the SMS and voice name lists in list order (the order the OpenAPI enums show)', () => {
    expect(SMS_PROVIDERS).toEqual(descriptors.filter((d) => d.channels.includes('sms')).map((d) => d.name));
    expect(VOICE_PROVIDERS).toEqual(descriptors.filter((d) => d.channels.includes('voice')).map((d) => d.name));
    // The providers that were there before the list keep their places at its head.
    expect(SMS_PROVIDERS.slice(0, 3)).toEqual(['twilio', 'jambonz', 'simulator']);
    expect(VOICE_PROVIDERS.slice(0, 4)).toEqual(['twilio', 'jambonz', 'sip', 'simulator']);
  });

  it('names each provider once, and every SMS provider says where its delivery reports go', () => {
    expect(new Set(descriptors.map((d) => d.name)).size).toBe(descriptors.length);
    for (const d of descriptors.filter((p) => p.channels.includes('sms'))) expect(d.smsStatusCallbackUrl).toBeInstanceOf(Function);
    for (const d of descriptors.filter((p) => p.channels.includes('voice'))) expect(d.capabilities).toBeDefined();
    expect(descriptorOf('jambonz')?.name).toBe('jambonz');
    expect(descriptorOf('nobody')).toBeUndefined();
  });

  it('the request DTOs accept exactly the derived names', () => {
    expect(isInValues(SendMessageDto, 'simulator')).toBeUndefined();
    expect(isInValues(SendMessageDto, 'sip')).toBe(`provider must be one of the following values: ${SMS_PROVIDERS.join(', ')}`);
    expect(isInValues(PlaceCallDto, 'sip')).toBeUndefined();
    expect(isInValues(PlaceCallDto, 'carrier-pigeon')).toBe(`provider must be one of the following values: ${VOICE_PROVIDERS.join(', ')}`);
  });

  it("maps every descriptor's environment variables, and only to its own settings", () => {
    for (const d of descriptors) {
      for (const [name, path] of Object.entries(d.config?.env ?? {})) {
        expect(ENV_SETTINGS[name]).toBe(path);
        expect(Object.keys(d.config!.properties).some((key) => path.startsWith(`providers.${key}`))).toBe(true);
      }
    }
    expect(ENV_SETTINGS.TWILIO_AUTH_TOKEN).toBe('providers.twilio.authToken');
    expect(ENV_SETTINGS.SIP_TRUNK_URI).toBe('providers.sipTrunkUri');
  });

  it("validates each provider's section with the checks its descriptor declares", () => {
    expect(loadConfig({ env: { DRACHTIO_PORT: '9023', SIP_TRUNK_URI: 'sip:trunk.example' } }).providers).toMatchObject({
      drachtio: { port: 9023 }, sipTrunkUri: 'sip:trunk.example',
    });
    expect(() => loadConfig({ env: { TWILIO_API_BASE_URL: 'twilio' } })).toThrow(
      new ConfigError('Invalid configuration: TWILIO_API_BASE_URL (providers.twilio.apiBaseUrl) must be an absolute http(s) URL, got "twilio"'),
    );
    expect(() => loadConfig({ env: { JAMBONZ_MEDIA_PREFIXES: 'ftp://media.example/' } })).toThrow(/^Invalid configuration: JAMBONZ_MEDIA_PREFIXES \(providers\.jambonz\.mediaPrefixes\) must hold http\(s\) URL prefixes/);
  });

  it('never echoes a secret a descriptor lists', () => {
    expect(() => loadConfig({ env: { DRACHTIO_PORT: '1', DRACHTIO_SECRET: 'hunter2' }, overrides: { providers: { drachtio: { secret: 42 as never } } } }))
      .toThrow(new ConfigError('Invalid configuration: DRACHTIO_SECRET (providers.drachtio.secret) must be a string'));
  });

  it("checks a tenant's providers against the derived names", () => {
    expect(() => loadConfig({ overrides: { tenants: [{ id: 'acme', smsProvider: 'sip' as never }] } })).toThrow(
      `Invalid configuration: tenants.0.smsProvider must be one of the following values: ${SMS_PROVIDERS.join(', ')},`,
    );
    expect(loadConfig({ overrides: { tenants: [{ id: 'acme', voiceProvider: 'sip' }] } }).tenants![0]!.voiceProvider).toBe('sip');
  });
});
