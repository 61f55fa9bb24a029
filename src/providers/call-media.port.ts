import type { Track } from '../media/domain/pcm';
import type { PauseBehavior } from '../media/domain/recording-state';
import type { CallbackUrls } from './callbacks/callback-urls';
import type { CallHandle, VoiceProvider } from './voice-provider.port';

/**
 * Where a provider's live audio of one call goes: 8 kHz 16-bit linear samples per track, in 20 ms
 * frames or so, as they arrive. The gateway's audio hub implements it (media/audio-hub.ts).
 */
export interface CallAudioSink {
  frame(track: Track, samples: Int16Array): void;
  dtmf(digit: string, track: Track): void;
  /** The provider's stream of this call is over (the call ended, or the provider closed it). */
  end(reason: string): void;
}

/** Stops a provider's audio of a call; safe to run twice. */
export type StopAudio = () => Promise<void>;

/**
 * What a voice adapter does with a call's media, beyond controlling the call. Optional: an
 * adapter without it has neither recording nor live audio (its descriptor says why, as a 422).
 */
export interface CallMedia {
  /**
   * `native`: the provider records and reports a finished file (Twilio Recordings);
   * `gateway`: the gateway writes the file itself from the call's live audio (the simulator).
   */
  readonly recordingMode: 'native' | 'gateway';
  /** Starts sending the call's audio to `sink` (both tracks). */
  startAudio(call: CallHandle, sink: CallAudioSink, callbacks: CallbackUrls): Promise<StopAudio>;
  /** `native` only: starts a dual-channel recording; the provider's id of it. */
  startRecording?(call: CallHandle, recording: { id: string; callbacks: CallbackUrls }): Promise<string>;
  /** `native` only: pauses, resumes or stops it. */
  updateRecording?(call: CallHandle, providerRef: string, status: 'paused' | 'in-progress' | 'stopped', pauseBehavior: PauseBehavior): Promise<void>;
}

export function mediaOf(provider: VoiceProvider | undefined): CallMedia | undefined {
  const candidate = provider as (VoiceProvider & Partial<CallMedia>) | undefined;
  return candidate && typeof candidate.startAudio === 'function' && candidate.recordingMode ? (candidate as unknown as CallMedia) : undefined;
}

/**
 * A finished recording a provider reported (its signed callback): the file is fetched from it.
 * Bound in app.module to the recordings service, so webhook controllers never import it.
 */
export abstract class RecordingReportReceiver {
  /** `recordingId` is ours (from the signed callback URL); `fetch` gets the WAV from the provider. */
  abstract recorded(report: { provider: string; recordingId: string; providerRef: string; durationSeconds: number | null; fetch: () => Promise<Response | undefined> }): Promise<'stored' | 'unknown'>;
  /** The provider reported it has no file (Twilio `absent`: nothing was recorded). */
  abstract absent(report: { provider: string; recordingId: string; providerRef: string }): Promise<void>;
}

/** The live audio sinks of this instance by call (the audio hub, bound in app.module). */
export abstract class CallAudioSinks {
  /** The sink of a call the gateway asked a provider's audio for on this instance, or undefined. */
  abstract sinkFor(callId: string): CallAudioSink | undefined;
}
