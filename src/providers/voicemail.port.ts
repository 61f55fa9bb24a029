import type { CallbackUrls } from './callbacks/callback-urls';
import type { CallHandle, VoiceProvider } from './voice-provider.port';

/** What the gateway asks of a provider when an inbound caller's wait in the queue timed out. */
export interface VoicemailRequest {
  /** Our recording's id: the provider's report of the message names it (signed callback URL). */
  recordingId: string;
  /** Spoken to the caller before the tone. */
  prompt: string;
  /** The longest message kept. */
  maxSeconds: number;
  callbacks: CallbackUrls;
}

/**
 * `audio`: the adapter has the caller's message already, as 8 kHz 16-bit mono samples (the
 * simulator), and the gateway stores it;
 * `reported`: the provider records it and reports the finished file later through its recording
 * callback (Twilio `<Record>`), then ends the call itself.
 */
export type VoicemailOutcome =
  | { kind: 'audio'; samples: Int16Array }
  | { kind: 'reported' };

/**
 * Voicemail for a waiting inbound caller. Optional: a voice adapter without it leaves a caller
 * whose wait timed out in the queue (the timeout then changes nothing for its calls).
 */
export interface CallVoicemail {
  takeVoicemail(call: CallHandle, request: VoicemailRequest): Promise<VoicemailOutcome>;
  /**
   * Optional: whether this instance can take this call's voicemail (or put the queue's question)
   * now. SIP can only where the caller's INVITE waits in this process with its media in rtpengine:
   * another instance's sweep, or a caller left on ringback, must not claim the call it cannot serve
   * (the claim would keep agents from answering it). Without it, every call of the provider can.
   */
  takesVoicemailFor?(call: CallHandle): boolean;
}

export function voicemailOf(provider: VoiceProvider | undefined): CallVoicemail | undefined {
  const candidate = provider as (VoiceProvider & Partial<CallVoicemail>) | undefined;
  return candidate && typeof candidate.takeVoicemail === 'function' ? (candidate as unknown as CallVoicemail) : undefined;
}
