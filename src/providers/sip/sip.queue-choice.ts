import type { Logger } from 'pino';
import type { Track } from '../../media/domain/pcm';
import type { QueueChoiceOutcome } from '../queue-choice.port';
import { VoiceProviderError, type CallHandle, type CallReport } from '../voice-provider.port';
import type { NgClient } from './rtpengine/ng-client';
import { listenThroughRtpengine } from './rtpengine/rtpengine.audio';
import type { SipAnswering } from './sip.answered-caller';
import { messageOf } from './srf.types';

export interface SipQueueChoiceDeps {
  answering: SipAnswering;
  ng: NgClient;
  logger: Logger;
  report(report: CallReport): void;
  /** Steps in progress, each ended by its entry (the provider's close or lost connection); shared with voicemail. */
  active: Set<(why: string) => void>;
}

/** How long the caller has to press a key once the question has been heard (Twilio's and jambonz's gather wait as long). */
export const CHOICE_WAIT_MS = 8000;

/**
 * The queue timeout's question to a SIP caller (tenant policy `queueTimeoutOffer: choice`), with
 * the call's media in rtpengine: the caller is answered (sip.answered-caller.ts, as voicemail is),
 * hears the deployment's `queue-choice` sound (SIP has no speech for the tenant's text) and has
 * CHOICE_WAIT_MS after it to press one key — in the media (RFC 4733, through an rtpengine
 * subscription) or as a SIP INFO. A key during the question cuts it short. The key is known here,
 * so the outcome is `pressed` (empty: none) and the caller is kept answered for what the gateway
 * decides next: voicemail (takeSipVoicemail goes on with the same dialog) or the confirmation.
 * A caller who hangs up meanwhile chose nothing: the call is reported ended and this throws, as
 * voicemail does before the beep.
 */
export async function askSipQueueChoice(deps: SipQueueChoiceDeps, handle: CallHandle): Promise<QueueChoiceOutcome> {
  const log = deps.logger.child({ provider: 'sip', callId: handle.callId, providerRef: handle.providerRef });
  const caller = await deps.answering.take(handle, log);
  let settled = false;
  let choose!: (key: string | undefined) => void;
  const chosen = new Promise<string | undefined>((resolve) => { choose = (key) => { settled = true; resolve(key); }; });
  const end = (why: string): void => { log.info({ why }, 'the queue choice ended without a key'); choose(undefined); };
  void caller.hangup.then(() => choose(undefined));
  deps.active.add(end);
  caller.keys = (key) => choose(key);
  const sink = {
    frame: () => undefined,
    dtmf: (key: string, track: Track) => void (track === 'customer' && choose(key)),
    end: () => undefined,
  };
  let stopAudio: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let key: string | undefined;
  let failure: unknown;
  try {
    // Listening before the question: a caller who knows it presses at once.
    stopAudio = await listenThroughRtpengine(caller.early.anchor, await deps.ng.localAddress(), sink, log);
    void caller.early.playThrough('queue-choice').then(() => {
      if (!settled) timer = setTimeout(() => choose(''), CHOICE_WAIT_MS);
    }, (error: unknown) => { failure = error; choose(undefined); });
    key = await chosen;
  } catch (error) {
    failure = error;
  } finally {
    clearTimeout(timer);
    deps.active.delete(end);
    caller.keys = undefined;
    await caller.early.pause().catch(() => undefined); // the question stops at a key
    await stopAudio?.().catch(() => undefined);
  }
  if (key === undefined) {
    // No key to act on (hung up, shutdown, rtpengine failed): the caller is let go and the call ends here.
    await deps.answering.release(caller);
    deps.report({ provider: 'sip', callId: handle.callId, providerRef: handle.providerRef, fact: { kind: 'ended', reason: 'completed' } });
    if (failure !== undefined) throw failure instanceof VoiceProviderError ? failure : new VoiceProviderError(`the queue choice failed: ${messageOf(failure)}`);
    throw new VoiceProviderError(caller.hungUp ? 'the caller hung up before choosing' : 'the queue choice was interrupted (the provider closed)');
  }
  log.info({ key: key || 'none' }, 'the caller chose');
  deps.answering.keep(handle, caller);
  return { kind: 'pressed', digits: key };
}

/**
 * The callback's confirmation over SIP: the caller (answered by the question, or answered now under
 * policy `callback`) hears the deployment's `callback-confirm` sound, then gets a BYE and rtpengine
 * forgets the call. `ended`: nothing here reports the end, so the gateway ends the call (once).
 */
export async function confirmSipCallback(deps: SipQueueChoiceDeps, handle: CallHandle): Promise<{ kind: 'ended' }> {
  const log = deps.logger.child({ provider: 'sip', callId: handle.callId, providerRef: handle.providerRef });
  const caller = await deps.answering.take(handle, log);
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  void caller.hangup.then(stop);
  deps.active.add(stop);
  try {
    if (!caller.hungUp) await Promise.race([caller.early.playThrough('callback-confirm'), stopped]);
    log.info({ hungUp: caller.hungUp }, 'callback confirmed to the caller');
  } finally {
    deps.active.delete(stop);
    await deps.answering.release(caller); // BYE
  }
  return { kind: 'ended' };
}
