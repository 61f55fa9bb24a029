import { Type } from 'class-transformer';
import { IsArray, IsIP, IsString, ValidateNested } from 'class-validator';
import { envList } from '../../config/config-validators';
import type { ProviderDescriptor } from '../provider-descriptor';
import { DrachtioConfig, SetWhenSet } from './sip.config';
import { SipVoiceProvider } from './sip.voice';

/** SIP through a drachtio-server (`providers.drachtio`) and a trunk (`providers.sipTrunkUri`). */
export const sip: ProviderDescriptor<'sip', 'voice', {
  drachtio: DrachtioConfig; sipTrunkUri: string; sipTrunkUsername: string; sipTrunkPassword: string; sipTrunkAddresses: string[];
}> = {
  name: 'sip',
  channels: ['voice'],
  config: {
    properties: {
      drachtio: [ValidateNested(), Type(() => DrachtioConfig)],
      sipTrunkUri: [IsString()],
      sipTrunkUsername: [IsString(), SetWhenSet('sipTrunkPassword', 'SIP_TRUNK_PASSWORD')],
      sipTrunkPassword: [IsString(), SetWhenSet('sipTrunkUsername', 'SIP_TRUNK_USERNAME')],
      // Inbound calls: INVITEs from any other address are refused (403).
      sipTrunkAddresses: [envList, IsArray(), IsIP(undefined, { each: true, message: 'must hold IP addresses' })],
    },
    env: {
      DRACHTIO_HOST: 'providers.drachtio.host',
      DRACHTIO_PORT: 'providers.drachtio.port',
      DRACHTIO_SECRET: 'providers.drachtio.secret',
      SIP_TRUNK_URI: 'providers.sipTrunkUri',
      SIP_TRUNK_USERNAME: 'providers.sipTrunkUsername',
      SIP_TRUNK_PASSWORD: 'providers.sipTrunkPassword',
      SIP_TRUNK_ADDRESSES: 'providers.sipTrunkAddresses',
    },
    secrets: ['providers.drachtio.secret', 'providers.sipTrunkPassword'],
  },
  create: ({ drachtio, sipTrunkUri, sipTrunkUsername, sipTrunkPassword, sipTrunkAddresses }, { logger }) => {
    if (!drachtio.host || !sipTrunkUri) return undefined;
    const trunkCredentials = sipTrunkUsername ? { username: sipTrunkUsername, password: sipTrunkPassword } : undefined;
    return { voice: new SipVoiceProvider({ ...drachtio, trunkUri: sipTrunkUri, trunkCredentials, trunkAddresses: sipTrunkAddresses ?? [] }, logger.child({ component: 'sip' })) };
  },
  capabilities: {
    hold: true, mute: true, dtmf: true, transfer: true,
    // Mixing three parties needs a media server; consult by re-INVITEs is not built yet (README "Participants").
    consult: 'the SIP adapter does not move legs between dialogs for a consultation yet',
    conference: 'SIP through drachtio has no audio mixer for more than two parties',
    supervise: 'SIP through drachtio has no audio mixer to let a supervisor listen in',
    // README "Recording and live audio": the media would have to be anchored in rtpengine; not built yet.
    record: 'recording a SIP call needs its media anchored in rtpengine, which this gateway does not do yet',
    liveAudio: 'live audio of a SIP call needs its media anchored in rtpengine, which this gateway does not do yet',
  },
};
