import type { CallbackUrls } from './callbacks/callback-urls';
import type { VoicemailRequest } from './voicemail.port';
import type { CallHandle, VoiceProvider } from './voice-provider.port';

/** The question put to a waiting inbound caller whose wait timed out (tenant policy `queueTimeoutOffer: choice`). */
export interface QueueChoiceRequest {
  /** Spoken once; the caller answers with one key. */
  prompt: string;
  callbacks: CallbackUrls;
}

/**
 * `pressed`: the adapter knows the key already (the simulator) and the gateway goes on at once;
 * `reported`: the provider collects it and reports it to the signed hook the adapter gave it
 * (Twilio `<Gather>` action, jambonz `gather` actionHook), answered with what comes next (QueueChoiceReceiver).
 */
export type QueueChoiceOutcome = { kind: 'pressed'; digits: string } | { kind: 'reported' };

/**
 * What comes after the caller's key, as the gateway decided it: a `voicemail` (the prompt and
 * recording of CallVoicemail), or a `callback` whose task is stored (the caller hears `prompt`
 * and the call ends); `hangup` when the call is not one waiting for its choice (a replay, an old hook).
 */
export type QueueChoiceStep =
  | { kind: 'voicemail'; request: Omit<VoicemailRequest, 'callbacks'> }
  | { kind: 'callback'; prompt: string }
  | { kind: 'hangup' };

/**
 * The queue timeout's offer of a callback. Optional, next to CallVoicemail: an adapter without it
 * (SIP without rtpengine) keeps sending a timed-out caller to plain voicemail.
 */
export interface CallQueueChoice {
  /** Asks the caller to press 1 (voicemail) or 2 (callback). */
  askQueueChoice(call: CallHandle, request: QueueChoiceRequest): Promise<QueueChoiceOutcome>;
  /**
   * The caller asked for a callback: they hear `prompt`, then the call ends. `reported`: the
   * provider hangs up and reports the end itself; `ended`: the caller is gone already (the
   * simulator) and the gateway ends the call.
   */
  confirmCallback(call: CallHandle, request: QueueChoiceRequest): Promise<{ kind: 'reported' | 'ended' }>;
}

export function queueChoiceOf(provider: VoiceProvider | undefined): CallQueueChoice | undefined {
  const candidate = provider as (VoiceProvider & Partial<CallQueueChoice>) | undefined;
  return candidate && typeof candidate.askQueueChoice === 'function' && typeof candidate.confirmCallback === 'function'
    ? (candidate as unknown as CallQueueChoice) : undefined;
}

/**
 * What the providers' choice hooks ask of the gateway (bound in app.module to the queue timeout's
 * service): the caller of call `callId` pressed `digits` (empty: none). The webhooks depend on
 * this port, never on the service.
 */
export abstract class QueueChoiceReceiver {
  abstract chosen(callId: string, digits: string): Promise<QueueChoiceStep>;
}

/**
 * A simulated caller's keys, said in advance (the simulator: `POST /v1/simulator/inbound-call`
 * with `digits`), the way its voicemail is the caller's tone: no real caller to press them.
 */
export interface ScriptedCallerKeys {
  willPress(providerRef: string, digits: string): void;
}

export function scriptedKeysOf(provider: VoiceProvider | undefined): ScriptedCallerKeys | undefined {
  const candidate = provider as (VoiceProvider & Partial<ScriptedCallerKeys>) | undefined;
  return candidate && typeof candidate.willPress === 'function' ? (candidate as unknown as ScriptedCallerKeys) : undefined;
}
