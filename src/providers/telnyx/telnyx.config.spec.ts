import { loadConfig } from '../../config/config.loader';
import { TELNYX_API_BASE_URL, TELNYX_MEDIA_PREFIXES } from './telnyx.sms';

const KEY = 'eu2zvPjhY6odxV34Z/EsRiERvTodkev4Fq0SlK90Izg=';
const load = (env: Record<string, string> = {}) => loadConfig({ env: { NODE_ENV: 'test', ...env } });

describe('providers.telnyx', () => {
  it('has its defaults without a section in the YAML, and leaves Telnyx unconfigured', () => {
    expect({ ...load().providers.telnyx }).toEqual({ apiKey: '', publicKey: '', messagingProfileId: '', apiBaseUrl: TELNYX_API_BASE_URL, mediaPrefixes: TELNYX_MEDIA_PREFIXES });
  });

  it('is set from its environment variables', () => {
    const config = load({ TELNYX_API_KEY: 'KEY01', TELNYX_PUBLIC_KEY: KEY, TELNYX_MESSAGING_PROFILE_ID: 'p1', TELNYX_API_BASE_URL: 'http://127.0.0.1:9/', TELNYX_MEDIA_PREFIXES: 'https://a.example/m/, https://b.example/' });
    expect({ ...config.providers.telnyx }).toEqual({ apiKey: 'KEY01', publicKey: KEY, messagingProfileId: 'p1', apiBaseUrl: 'http://127.0.0.1:9/', mediaPrefixes: ['https://a.example/m/', 'https://b.example/'] });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['an API key without the public key', { TELNYX_API_KEY: 'KEY01' }, /providers\.telnyx\.publicKey/],
    ['a public key that is not 32 bytes', { TELNYX_API_KEY: 'KEY01', TELNYX_PUBLIC_KEY: 'abc=' }, /providers\.telnyx\.publicKey/],
    ['a media prefix without a trailing slash', { TELNYX_MEDIA_PREFIXES: 'https://a.example/m' }, /providers\.telnyx\.mediaPrefixes/],
  ])('refuses %s at boot', (_name, env, message) => {
    expect(() => load(env)).toThrow(message);
  });

  it('names the environment variable of a bad setting, and never echoes the API key', () => {
    expect(() => load({ TELNYX_API_BASE_URL: 'not a url' })).toThrow('TELNYX_API_BASE_URL (providers.telnyx.apiBaseUrl) must be an absolute http(s) URL, got "not a url"');
    const overrides = { providers: { telnyx: { apiKey: 424242 as unknown as string } } };
    expect(() => loadConfig({ env: { NODE_ENV: 'test' }, overrides })).toThrow(/^Invalid configuration: TELNYX_API_KEY \(providers\.telnyx\.apiKey\) must be a string$/);
  });
});
