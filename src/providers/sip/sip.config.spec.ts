import { ConfigError, loadConfig } from '../../config/config.loader';
import { sip } from './sip.provider';

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
      drachtio: { host: '127.0.0.1', port: 1, secret: 'x' }, sipTrunkUri: 'sip:trunk.example.com', sipTrunkAddresses: [], ...settings,
    }, { logger, callbacks: undefined as never })?.voice as unknown as { options: { trunkCredentials?: unknown }; close(): Promise<void> };
    const withAccount = create({ sipTrunkUsername: 'acme', sipTrunkPassword: 's3cret' });
    const without = create({ sipTrunkUsername: '', sipTrunkPassword: '' });
    expect(withAccount.options.trunkCredentials).toEqual({ username: 'acme', password: 's3cret' });
    expect(without.options.trunkCredentials).toBeUndefined();
    await Promise.all([withAccount.close(), without.close()]);
  });
});
