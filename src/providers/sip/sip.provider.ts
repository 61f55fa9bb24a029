import { Type } from 'class-transformer';
import { IsArray, IsIP, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { envList } from '../../config/config-validators';
import type { ProviderDescriptor } from '../provider-descriptor';
import { DrachtioConfig, SetWhenSet } from './sip.config';
import { SipVoiceProvider } from './sip.voice';
import { NgClient, parseNgUrl } from './rtpengine/ng-client';
import { loadSipSounds } from './sip.sounds';

/** SIP through a drachtio-server (`providers.drachtio`) and a trunk (`providers.sipTrunkUri`). */
export const sip: ProviderDescriptor<'sip', 'voice', {
  drachtio: DrachtioConfig; sipTrunkUri: string; sipTrunkUsername: string; sipTrunkPassword: string; sipTrunkAddresses: string[];
  rtpengineUrl: string; sipSoundsDir?: string;
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
      // rtpengine's NG control socket; empty: SIP calls' media is not anchored (no recording, no live audio).
      rtpengineUrl: [IsOptional(), Matches(/^$|^udp:\/\/([^/:[\]]+|\[[0-9a-fA-F:]+\]):\d{1,5}\/?$/, { message: 'must be udp://host:port (rtpengine\'s --listen-ng)' })],
      // With rtpengine: WAV files played to inbound callers (sip.sounds.ts); empty: the gateway's own tones.
      sipSoundsDir: [IsOptional(), IsString()],
    },
    env: {
      DRACHTIO_HOST: 'providers.drachtio.host',
      DRACHTIO_PORT: 'providers.drachtio.port',
      DRACHTIO_SECRET: 'providers.drachtio.secret',
      SIP_TRUNK_URI: 'providers.sipTrunkUri',
      SIP_TRUNK_USERNAME: 'providers.sipTrunkUsername',
      SIP_TRUNK_PASSWORD: 'providers.sipTrunkPassword',
      SIP_TRUNK_ADDRESSES: 'providers.sipTrunkAddresses',
      RTPENGINE_URL: 'providers.rtpengineUrl',
      SIP_SOUNDS_DIR: 'providers.sipSoundsDir',
    },
    secrets: ['providers.drachtio.secret', 'providers.sipTrunkPassword'],
  },
  create: ({ drachtio, sipTrunkUri, sipTrunkUsername, sipTrunkPassword, sipTrunkAddresses, rtpengineUrl, sipSoundsDir }, { logger }) => {
    if (!drachtio.host || !sipTrunkUri) return undefined;
    const sounds = loadSipSounds(sipSoundsDir); // a file rtpengine could not play stops the boot
    const trunkCredentials = sipTrunkUsername ? { username: sipTrunkUsername, password: sipTrunkPassword } : undefined;
    const rtpengine = rtpengineUrl ? new NgClient(parseNgUrl(rtpengineUrl)) : undefined;
    return { voice: new SipVoiceProvider({ ...drachtio, trunkUri: sipTrunkUri, trunkCredentials, trunkAddresses: sipTrunkAddresses ?? [], rtpengine, sounds }, logger.child({ component: 'sip' })) };
  },
  capabilities: {
    hold: true, mute: true, dtmf: true, transfer: true,
    // Consult, complete and cancel move media between dialogs by re-INVITEs (sip.consult.ts); merging
    // a consultation and added parties (`conference`) and supervision need a mixer (README "Voice: more than two parties").
    consult: true,
    conference: 'SIP through drachtio has no audio mixer for more than two parties (merge and added parties need one; consult, complete and cancel work)',
    supervise: 'SIP through drachtio has no audio mixer to let a supervisor listen in',
    // README "Voice: recording and live audio": with RTPENGINE_URL set the adapter has media
    // (call-media.port.ts) and the registry lets calls through it record and stream.
    record: 'recording a SIP call needs rtpengine: set RTPENGINE_URL (udp://host:port of its NG control socket)',
    liveAudio: 'live audio of a SIP call needs rtpengine: set RTPENGINE_URL (udp://host:port of its NG control socket)',
  },
};
