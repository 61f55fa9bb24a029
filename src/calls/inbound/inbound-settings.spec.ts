import type { AppConfig } from '../../config/config.schema';
import type { TenantSettings } from '../../tenants/tenant';
import { INBOUND_DEFAULTS, InboundSettingsReader } from './inbound-settings';

describe('a tenant’s inbound call settings', () => {
  const config = { tenants: [{ id: 'acme', ringNoAnswerSeconds: 5, inboundGreeting: 'From the YAML.', agents: [{ id: 'alice', endpoint: 'sip:alice@pbx.example' }] }] } as AppConfig;

  it('follows the tenant as loaded, change after change, without being built again', () => {
    let loaded: Partial<TenantSettings> = { ringNoAnswerSeconds: 20, queueTimeoutSeconds: 0, inboundGreeting: 'Hello.', holdMusicUrl: null, voicemailPrompt: 'Leave one.' };
    const reader = new InboundSettingsReader(config, { find: () => loaded as TenantSettings });
    expect(reader.of('acme')).toMatchObject({ ringNoAnswerSeconds: 20, greeting: 'Hello.', holdMusicUrl: null });
    loaded = { ...loaded, ringNoAnswerSeconds: 30, queueTimeoutSeconds: 60, holdMusicUrl: 'https://media.example/hold.mp3' };
    expect(reader.of('acme')).toMatchObject({ ringNoAnswerSeconds: 30, queueTimeoutSeconds: 60, holdMusicUrl: 'https://media.example/hold.mp3' });
    expect([...reader.of('acme').seededDevices]).toEqual([['alice', 'sip:alice@pbx.example']]);
  });

  it('falls back to the configuration, then the defaults, where the settings have no value', () => {
    const reader = new InboundSettingsReader(config, { find: () => undefined });
    expect(reader.of('acme')).toMatchObject({ ringNoAnswerSeconds: 5, greeting: 'From the YAML.', queueTimeoutSeconds: 0, holdMusicUrl: null });
    expect(new InboundSettingsReader(config).of('other')).toMatchObject({ ringNoAnswerSeconds: INBOUND_DEFAULTS.ringNoAnswerSeconds, greeting: INBOUND_DEFAULTS.greeting });
  });
});
