import type { Logger } from 'pino';
import { concat, type Track } from '../../media/domain/pcm';
import { VoiceProviderError, type CallHandle, type CallReport } from '../voice-provider.port';
import type { VoicemailOutcome, VoicemailRequest } from '../voicemail.port';
import type { NgClient } from './rtpengine/ng-client';
import { listenThroughRtpengine } from './rtpengine/rtpengine.audio';
import type { SipAnswering } from './sip.answered-caller';

export interface SipVoicemailDeps {
  /** Answers the waiting caller, or hands over the one the queue's question answered already (sip.answered-caller.ts). */
  answering: SipAnswering;
  ng: NgClient;
  logger: Logger;
  /** The call's facts, for a caller who hung up before the beep (no message: the gateway reports nothing itself then). */
  report(report: CallReport): void;
  /** Voicemails in progress, each ended by its entry (the provider's close or lost connection). */
  active: Set<(why: string) => void>;
}

/**
 * Voicemail for a SIP caller whose wait timed out, with the call's media in rtpengine (the early
 * media of sip.early-media.ts). The caller is answered first (200 OK with the description the 183
 * gave): callers and trunks need not send RTP before a 200 (early media is one-way by convention,
 * RFC 3960), and a caller who leaves a message has been served like any answering machine. Then
 * rtpengine plays the prompt and the beep, and the caller's leg comes to the gateway through the
 * same media subscription as live audio (rtpengine.audio.ts) until `maxSeconds`, the caller's BYE
 * or `#` (an RFC 4733 event, or a SIP INFO). A caller the queue timeout's question answered already
 * (sip.queue-choice.ts) is not answered again: the same dialog and rtpengine call go on. The
 * caller is BYEd if still there; rtpengine forgets the call. `request.prompt` is text and SIP has
 * no speech: the prompt is the deployment's sound. A caller who hangs up before the beep left no
 * message: the call is reported ended and this throws (the recording fails, as Twilio's `absent` does).
 */
export async function takeSipVoicemail(deps: SipVoicemailDeps, handle: CallHandle, request: VoicemailRequest): Promise<VoicemailOutcome> {
  const log = deps.logger.child({ provider: 'sip', callId: handle.callId, providerRef: handle.providerRef, recordingId: request.recordingId });
  const caller = await deps.answering.take(handle, log);
  const { early } = caller;
  log.info('voicemail: the prompt and the beep');

  let finish!: (why: string) => void;
  const finished = new Promise<string>((resolve) => { finish = resolve; });
  void caller.hangup.then(() => finish('the caller hung up'));
  deps.active.add(finish);

  const parts: Int16Array[] = [];
  let recording = false;
  const sink = {
    frame: (track: Track, samples: Int16Array) => void (recording && track === 'customer' && parts.push(samples)),
    dtmf: (digit: string, track: Track) => void (recording && track === 'customer' && digit === '#' && finish('the caller pressed #')),
    end: () => undefined,
  };
  caller.keys = (digit) => void (recording && digit === '#' && finish('the caller pressed #')); // # sent as SIP INFO
  let stopAudio: (() => Promise<void>) | undefined;
  try {
    // Listening before the prompt: the subscription is ready the moment the beep ends.
    stopAudio = await listenThroughRtpengine(early.anchor, await deps.ng.localAddress(), sink, log);
    await Promise.race([early.promptForMessage(), finished]);
    if (caller.hungUp) {
      deps.report({ provider: 'sip', callId: handle.callId, providerRef: handle.providerRef, fact: { kind: 'ended', reason: 'completed' } });
      throw new VoiceProviderError('the caller hung up before the beep: no message');
    }
    recording = true;
    const limit = setTimeout(() => finish(`${request.maxSeconds} s, the longest message`), request.maxSeconds * 1000);
    const why = await finished;
    clearTimeout(limit);
    log.info({ why, seconds: (parts.length * 20) / 1000 }, 'voicemail message recorded');
  } finally {
    deps.active.delete(finish);
    recording = false;
    caller.keys = undefined;
    await stopAudio?.().catch(() => undefined);
    await deps.answering.release(caller); // BYE if still there; rtpengine forgets the call
  }
  return { kind: 'audio', samples: parts.length > 0 ? concat(parts) : new Int16Array(0) };
}
