import type { CallAudioSink, StopAudio } from '../call-media.port';
import { VoiceProviderError } from '../voice-provider.port';
import type { NgClient } from './rtpengine/ng-client';
import { RtpengineAnchor } from './rtpengine/rtpengine.anchor';
import { listenThroughRtpengine } from './rtpengine/rtpengine.audio';
import type { SipCall } from './srf.types';

/**
 * Live audio of a call in progress: rtpengine forwards a copy of each leg's RTP to the gateway
 * (rtpengine.audio.ts). The feed stops with the call (its dispose) or when the caller stops it.
 */
export async function startCallAudio(call: SipCall, rtpengine: NgClient | undefined, sink: CallAudioSink): Promise<StopAudio> {
  if (!(call.anchor instanceof RtpengineAnchor) || !rtpengine) {
    throw new VoiceProviderError('this call\'s media does not pass through rtpengine', true);
  }
  const stop = await listenThroughRtpengine(call.anchor, await rtpengine.localAddress(), sink, call.log);
  if (call.ended) {
    await stop();
    throw new VoiceProviderError('the call ended while its audio was being set up');
  }
  const once = (): void => { call.audio.delete(once); void stop(); };
  call.audio.add(once);
  return async () => { call.audio.delete(once); await stop(); };
}
