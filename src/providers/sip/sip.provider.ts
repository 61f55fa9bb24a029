import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min, ValidateNested } from 'class-validator';
import type { ProviderDescriptor } from '../provider-descriptor';
import { DrachtioConfig, SetWhenSet } from './sip.config';
import { SipVoiceProvider } from './sip.voice';

/** SIP through a drachtio-server (`providers.drachtio`) and a trunk (`providers.sipTrunkUri`). */
export const sip: ProviderDescriptor<'sip', 'voice', {
  drachtio: DrachtioConfig; sipTrunkUri: string; sipRingTimeoutSeconds: number; sipTrunkUsername: string; sipTrunkPassword: string;
}> = {
  name: 'sip',
  channels: ['voice'],
  config: {
    properties: {
      drachtio: [ValidateNested(), Type(() => DrachtioConfig)],
      sipTrunkUri: [IsString()],
      sipRingTimeoutSeconds: [Type(() => Number), IsInt(), Min(1), Max(600)],
      sipTrunkUsername: [IsString(), SetWhenSet('sipTrunkPassword', 'SIP_TRUNK_PASSWORD')],
      sipTrunkPassword: [IsString(), SetWhenSet('sipTrunkUsername', 'SIP_TRUNK_USERNAME')],
    },
    env: {
      DRACHTIO_HOST: 'providers.drachtio.host',
      DRACHTIO_PORT: 'providers.drachtio.port',
      DRACHTIO_SECRET: 'providers.drachtio.secret',
      SIP_TRUNK_URI: 'providers.sipTrunkUri',
      SIP_RING_TIMEOUT_SECONDS: 'providers.sipRingTimeoutSeconds',
      SIP_TRUNK_USERNAME: 'providers.sipTrunkUsername',
      SIP_TRUNK_PASSWORD: 'providers.sipTrunkPassword',
    },
    secrets: ['providers.drachtio.secret', 'providers.sipTrunkPassword'],
  },
  create: ({ drachtio, sipTrunkUri, sipRingTimeoutSeconds, sipTrunkUsername, sipTrunkPassword }, { logger }) => {
    if (!drachtio.host || !sipTrunkUri) return undefined;
    const trunkCredentials = sipTrunkUsername ? { username: sipTrunkUsername, password: sipTrunkPassword } : undefined;
    return { voice: new SipVoiceProvider({ ...drachtio, trunkUri: sipTrunkUri, ringTimeoutSeconds: sipRingTimeoutSeconds, trunkCredentials }, logger.child({ component: 'sip' })) };
  },
  capabilities: { hold: true, mute: true, dtmf: true, transfer: true },
};
