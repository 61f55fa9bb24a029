import { ConfigError, loadConfig } from '../../config/config.loader';
import { sip } from './sip.provider';
import { mediaOf } from '../call-media.port';
import { parseNgUrl } from './rtpengine/ng-client';
import type { SipVoiceProvider } from './sip.voice';

const load = (env: Record<string, string>, overrides: object = {}) => loadConfig({ env, overrides });

describe('SIP trunk account settings', () => {
  it('reads SIP_TRUNK_USERNAME and SIP_TRUNK_PASSWORD; unset, both are empty', () => {
    expect(load({ SIP_TRUNK_USERNAME: 'acme', SIP_TRUNK_PASSWORD: 's3cret' }).providers).toMatchObject({ sipTrunkUsername: 'acme', sipTrunkPassword: 's3cret' });
    expect(load({}).providers).toMatchObject({ sipTrunkUsername: '', sipTrunkPassword: '' });
  });

  it('stops on a password without its username', () => {
    expect(() => load({ SIP_TRUNK_PASSWORD: 's3cret' })).toThrow(new ConfigError(
      'Invalid configuration: SIP_TRUNK_USERNAME (providers.sipTrunkUsername) must be set when providers.sipTrunkPassword (SIP_TRUNK_PASSWORD) is, got ""',
    ));
  });

  it('stops on a username without its password', () => {
    expect(() => load({ SIP_TRUNK_USERNAME: 'acme' })).toThrow(new ConfigError(
      'Invalid configuration: SIP_TRUNK_PASSWORD (providers.sipTrunkPassword) must be set when providers.sipTrunkUsername (SIP_TRUNK_USERNAME) is',
    ));
  });

  it('never echoes the password in an error (a YAML number is not a string)', () => {
    let message = '';
    try {
      load({ SIP_TRUNK_USERNAME: 'acme' }, { providers: { sipTrunkPassword: 73519 } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('Invalid configuration: SIP_TRUNK_PASSWORD (providers.sipTrunkPassword) must be a string');
    expect(sip.config?.secrets).toContain('providers.sipTrunkPassword');
  });

  it('hands the account to the adapter only when a username is set', async () => {
    const logger = { child: () => logger } as never;
    const create = (settings: { sipTrunkUsername: string; sipTrunkPassword: string }) => sip.create({
      drachtio: { host: '127.0.0.1', port: 1, secret: 'x' }, sipTrunkUri: 'sip:trunk.example.com', sipTrunkAddresses: [], rtpengineUrl: '', ...settings,
    }, { logger, callbacks: undefined as never })?.voice as unknown as { options: { trunkCredentials?: unknown }; close(): Promise<void> };
    const withAccount = create({ sipTrunkUsername: 'acme', sipTrunkPassword: 's3cret' });
    const without = create({ sipTrunkUsername: '', sipTrunkPassword: '' });
    expect(withAccount.options.trunkCredentials).toEqual({ username: 'acme', password: 's3cret' });
    expect(without.options.trunkCredentials).toBeUndefined();
    await Promise.all([withAccount.close(), without.close()]);
  });
});

describe('rtpengine for SIP media (RTPENGINE_URL)', () => {
  const logger = { child: () => logger } as never;
  const create = (rtpengineUrl: string) => sip.create({
    drachtio: { host: '127.0.0.1', port: 1, secret: 'x' }, sipTrunkUri: 'sip:trunk.example.com', sipTrunkAddresses: [], sipTrunkUsername: '', sipTrunkPassword: '', rtpengineUrl,
  }, { logger, callbacks: undefined as never })!.voice as unknown as SipVoiceProvider;

  it('reads RTPENGINE_URL; unset, it is empty', () => {
    expect(load({ RTPENGINE_URL: 'udp://rtpengine:22222' }).providers).toMatchObject({ rtpengineUrl: 'udp://rtpengine:22222' });
    expect(load({}).providers).toMatchObject({ rtpengineUrl: '' });
  });

  it.each(['http://rtpengine:22222', 'udp://rtpengine', 'rtpengine:22222', 'udp://rtpengine:22222/ng'])('stops on %s', (url) => {
    expect(() => load({ RTPENGINE_URL: url })).toThrow(/RTPENGINE_URL \(providers.rtpengineUrl\) must be udp:\/\/host:port/);
  });

  it.each([
    ['udp://127.0.0.1:22222', { host: '127.0.0.1', port: 22222 }],
    ['udp://rtpengine:22222/', { host: 'rtpengine', port: 22222 }],
    ['udp://[fd00::5]:2223', { host: 'fd00::5', port: 2223 }],
  ])('parses %s', (url, target) => {
    expect(parseNgUrl(url)).toEqual(target);
  });

  it('refuses a port out of range', () => {
    expect(() => parseNgUrl('udp://127.0.0.1:70000')).toThrow(/udp:\/\/host:port/);
  });

  it('gives the adapter media (gateway recording) only with rtpengine; without, calls through it are refused with the reason', async () => {
    const anchored = create('udp://127.0.0.1:22222');
    const plain = create('');
    expect(mediaOf(anchored)?.recordingMode).toBe('gateway');
    expect(mediaOf(plain)).toBeUndefined();
    expect(sip.capabilities?.record).toMatch(/needs rtpengine: set RTPENGINE_URL/);
    expect(sip.capabilities?.liveAudio).toMatch(/needs rtpengine: set RTPENGINE_URL/);
    await Promise.all([anchored.close(), plain.close()]);
  });
});
