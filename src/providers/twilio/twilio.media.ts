import type twilio from 'twilio';
import { attempt } from './twilio-client';
import type { PauseBehavior } from '../../media/domain/recording-state';
import type { CallbackUrls } from '../callbacks/callback-urls';
import type { CallAudioSink, StopAudio } from '../call-media.port';
import type { CallHandle } from '../voice-provider.port';

/** The gateway's WebSocket endpoint Twilio Media Streams connect to (twilio-media-stream.gateway.ts). */
export const TWILIO_MEDIA_STREAM_PATH = '/webhooks/twilio/media-stream';
/** The route Twilio posts a recording's status to, `?rid=<our recording id>` signed by the gateway. */
export const TWILIO_RECORDING_STATUS_PATH = '/webhooks/twilio/recording/status';

/**
 * A call's media on Twilio: native Recordings on the customer's leg (dual channel: the customer on
 * the first channel, what they hear — the agent through the conference — on the second) and Media
 * Streams of both tracks to the gateway, both through the Calls subresources of the REST API.
 */
export class TwilioCallMedia {
  constructor(private readonly client: twilio.Twilio) {}

  async startRecording(call: CallHandle, recording: { id: string; callbacks: CallbackUrls }): Promise<string> {
    const created = await attempt('start the recording', () => this.client.calls(call.providerRef).recordings.create({
      recordingChannels: 'dual',
      recordingTrack: 'both',
      recordingStatusCallback: recording.callbacks.url(TWILIO_RECORDING_STATUS_PATH, { rid: recording.id }),
      recordingStatusCallbackEvent: ['completed', 'absent'],
      recordingStatusCallbackMethod: 'POST',
    }));
    return created.sid;
  }

  async updateRecording(call: CallHandle, recordingSid: string, status: 'paused' | 'in-progress' | 'stopped', pauseBehavior: PauseBehavior): Promise<void> {
    await attempt(`${status === 'paused' ? 'pause' : status === 'stopped' ? 'stop' : 'resume'} the recording`, () =>
      this.client.calls(call.providerRef).recordings(recordingSid).update(status === 'paused' ? { status, pauseBehavior } : { status }));
  }

  /**
   * Starts a unidirectional Media Stream of both tracks to the gateway. Twilio takes no query
   * string on a stream URL, so the gateway's signed binding (`cid`, `sig`) travels as the stream's
   * custom parameters and comes back in its `start` message.
   */
  async startAudio(call: CallHandle, _sink: CallAudioSink, callbacks: CallbackUrls): Promise<StopAudio> {
    const signed = new URL(callbacks.url(TWILIO_MEDIA_STREAM_PATH, { cid: call.callId }));
    const url = `${signed.protocol === 'http:' ? 'ws:' : 'wss:'}//${signed.host}${signed.pathname}`;
    const stream = await attempt('start the media stream', () => this.client.calls(call.providerRef).streams.create({
      url, track: 'both_tracks', name: `gateway-${call.callId}`,
      'parameter1.name': 'cid', 'parameter1.value': signed.searchParams.get('cid')!,
      'parameter2.name': 'sig', 'parameter2.value': signed.searchParams.get('sig')!,
    }));
    let stopped = false;
    return async () => {
      if (stopped) return;
      stopped = true;
      // The call may be over already, and its stream with it.
      await this.client.calls(call.providerRef).streams(stream.sid).update({ status: 'stopped' }).catch(() => undefined);
    };
  }
}

