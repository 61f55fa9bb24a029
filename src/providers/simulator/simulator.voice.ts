import { newId } from '../../common/ids';
import type { CallFact } from '../../calls/domain/call-state';
import type { CallHandle, CallReportSink, CallRequest, VoiceProvider } from '../voice-provider.port';
import { SimulatorParticipants } from './simulator.participants';
import type { CallAudioSink, CallMedia, StopAudio } from '../call-media.port';
import { SIMULATOR_TONES, startSimulatorAudio } from './simulator-audio';
import type { CallVoicemail, VoicemailOutcome, VoicemailRequest } from '../voicemail.port';
import { BASE_RATE, tone } from '../../media/domain/pcm';
import type { CallQueueChoice, QueueChoiceOutcome, ScriptedCallerKeys } from '../queue-choice.port';

/**
 * The built-in voice provider: the customer's phone "rings" and "answers" like a real one, and
 * its progress enters through the same report path as the real providers' callbacks. Magic
 * customer numbers: ending in 0486 → busy, 0480 → rings, then no answer, 0500 → fails.
 */
export class SimulatorVoiceProvider implements VoiceProvider, CallMedia, CallVoicemail, CallQueueChoice, ScriptedCallerKeys {
  readonly name = 'simulator';
  /** The gateway records simulated calls itself, from the tones below. */
  readonly recordingMode = 'gateway';
  private readonly audio = new Map<string, CallAudioSink>();
  private sink?: CallReportSink;
  private readonly timers = new Map<string, NodeJS.Timeout[]>();
  /** The keys each simulated caller presses when asked (by their leg's providerRef); none: no key. */
  private readonly keys = new Map<string, string>();

  /** Consultation, conference and supervision legs, on the same clock. */
  readonly participants: SimulatorParticipants;

  constructor(private readonly stepMs = 100) {
    this.participants = new SimulatorParticipants(stepMs);
  }

  connect(sink: CallReportSink): void {
    this.sink = sink;
  }

  async place(request: CallRequest): Promise<CallHandle> {
    const providerRef = `SIM-${newId()}`;
    const script: CallFact[] = request.to.endsWith('0486') ? [{ kind: 'ended', reason: 'busy' }]
      : request.to.endsWith('0480') ? [{ kind: 'ringing' }, { kind: 'ended', reason: 'no-answer' }]
        : request.to.endsWith('0500') ? [{ kind: 'ended', reason: 'failed' }]
          : [{ kind: 'ringing' }, { kind: 'answered' }];
    // A simulated failure says why, as a real network's final response would.
    const failure = { code: '503', message: 'simulated network failure (a number ending 0500): 503 Service Unavailable' };
    this.timers.set(providerRef, script.map((fact, i) => {
      const timer = setTimeout(() => {
        const why = fact.kind === 'ended' && fact.reason === 'failed' ? { failure } : {};
        this.sink?.({ provider: 'simulator', callId: request.callId, providerRef, fact, ...why }).catch(() => undefined);
      }, this.stepMs * (i + 1));
      timer.unref();
      return timer;
    }));
    return { callId: request.callId, providerRef, refs: {} };
  }

  async hangup(call: CallHandle): Promise<void> {
    for (const timer of this.timers.get(call.providerRef) ?? []) clearTimeout(timer);
    this.timers.delete(call.providerRef);
    this.participants.end(call.callId);
  }

  /** Inbound: the simulated caller is "connected" to the agent's device at once. */
  async connectAgent(): Promise<void> {}

  /**
   * Voicemail: the simulated caller hums their message (the customer's tone) for up to two
   * seconds after the prompt, then hangs up; the gateway ends the call once it has the message.
   */
  async takeVoicemail(_call: CallHandle, request: VoicemailRequest): Promise<VoicemailOutcome> {
    const seconds = Math.min(2, request.maxSeconds);
    return { kind: 'audio', samples: tone(SIMULATOR_TONES.customer, 0, seconds * BASE_RATE) };
  }

  willPress(providerRef: string, digits: string): void {
    this.keys.set(providerRef, digits);
  }

  /** The queue timeout's question: the simulated caller presses what the test said they would (nothing: no key). */
  async askQueueChoice(call: CallHandle): Promise<QueueChoiceOutcome> {
    const digits = this.keys.get(call.providerRef) ?? '';
    this.keys.delete(call.providerRef);
    return { kind: 'pressed', digits };
  }

  /** The caller hears the confirmation and hangs up; the gateway ends the call. */
  async confirmCallback(call: CallHandle): Promise<{ kind: 'ended' }> {
    this.keys.delete(call.providerRef);
    return { kind: 'ended' };
  }

  async hold(): Promise<void> {}
  async resume(): Promise<void> {}
  async mute(): Promise<void> {}
  async unmute(): Promise<void> {}
  /** Keys the agent sends are heard on the agent's track of the call's live audio. */
  async sendDtmf(call: CallHandle, digits: string): Promise<void> {
    for (const digit of digits.replace(/[w,]/g, '')) this.audio.get(call.callId)?.dtmf(digit, 'agent');
  }

  /** Tones on both tracks, from now until stopped (media/: the audio hub stops it when the call ends). */
  async startAudio(call: CallHandle, sink: CallAudioSink): Promise<StopAudio> {
    const stop = startSimulatorAudio(sink);
    this.audio.set(call.callId, sink);
    return async () => { this.audio.delete(call.callId); await stop(); };
  }

  async transfer(): Promise<void> {}
  async check(): Promise<void> {}

  async close(): Promise<void> {
    for (const timers of this.timers.values()) for (const timer of timers) clearTimeout(timer);
    this.timers.clear();
    this.keys.clear();
    this.participants.close();
  }
}
