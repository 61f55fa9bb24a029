import { Type } from 'class-transformer';
import { IsString, ValidateNested } from 'class-validator';
import type { ProviderDescriptor } from '../provider-descriptor';
import { DrachtioConfig } from './sip.config';
import { SipVoiceProvider } from './sip.voice';

/** SIP through a drachtio-server (`providers.drachtio`) and a trunk (`providers.sipTrunkUri`). */
export const sip: ProviderDescriptor<'sip', 'voice', { drachtio: DrachtioConfig; sipTrunkUri: string }> = {
  name: 'sip',
  channels: ['voice'],
  config: {
    properties: {
      drachtio: [ValidateNested(), Type(() => DrachtioConfig)],
      sipTrunkUri: [IsString()],
    },
    env: {
      DRACHTIO_HOST: 'providers.drachtio.host',
      DRACHTIO_PORT: 'providers.drachtio.port',
      DRACHTIO_SECRET: 'providers.drachtio.secret',
      SIP_TRUNK_URI: 'providers.sipTrunkUri',
    },
    secrets: ['providers.drachtio.secret'],
  },
  create: ({ drachtio, sipTrunkUri }, { logger }) => {
    if (!drachtio.host || !sipTrunkUri) return undefined;
    return { voice: new SipVoiceProvider({ ...drachtio, trunkUri: sipTrunkUri }, logger.child({ component: 'sip' })) };
  },
  capabilities: { hold: true, mute: true, dtmf: true, transfer: true },
};
