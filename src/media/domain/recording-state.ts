/**
 * The recording of one call: a pure state machine. An action (an agent's or supervisor's command,
 * or the call ending) takes the recording as it is and returns the next state and what the
 * provider must be asked to do, or a refusal the API answers 409 with.
 */

/** `stopped`: the file is on its way from the provider; `deleted`: erased (by an admin or the retention). */
export type RecordingState = 'recording' | 'paused' | 'stopped' | 'available' | 'failed' | 'deleted';
export type RecordingAction = 'start' | 'pause' | 'resume' | 'stop';
/** `silence`: the paused span is kept as silence (the file lasts as long as the call); `skip`: it is cut out. */
export type PauseBehavior = 'silence' | 'skip';
/** `off`: never; `always`: every answered call, from the answer; `on-demand`: only when asked. */
export type RecordingPolicy = 'off' | 'always' | 'on-demand';

export const RECORDING_ACTIONS: readonly RecordingAction[] = ['start', 'pause', 'resume', 'stop'];
export const PAUSE_BEHAVIORS: readonly PauseBehavior[] = ['silence', 'skip'];
export const RECORDING_POLICIES: readonly RecordingPolicy[] = ['off', 'always', 'on-demand'];

/** What the provider is asked to do for an accepted action. */
export type ProviderStep = 'start' | 'pause' | 'resume' | 'stop';

export type RecordingDecision =
  | { ok: true; next: RecordingState; step: ProviderStep }
  | { ok: false; status: 409 | 422; reason: string };

/**
 * `current` is the call's live recording (undefined: none yet, or the last one is finished).
 * `callLive`: the call is answered or held; a recording starts and changes only then.
 */
export function decide(current: RecordingState | undefined, action: RecordingAction, policy: RecordingPolicy, callLive: boolean): RecordingDecision {
  if (policy === 'off') return { ok: false, status: 422, reason: 'this tenant does not record calls (recordCalls: off)' };
  if (!callLive) return { ok: false, status: 409, reason: 'the call is not answered: only a live call is recorded' };
  const live = current === 'recording' || current === 'paused';
  switch (action) {
    case 'start':
      if (live) return { ok: false, status: 409, reason: 'the call is already being recorded' };
      return { ok: true, next: 'recording', step: 'start' };
    case 'pause':
      if (current === 'recording') return { ok: true, next: 'paused', step: 'pause' };
      return { ok: false, status: 409, reason: current === 'paused' ? 'the recording is already paused' : 'the call is not being recorded' };
    case 'resume':
      if (current === 'paused') return { ok: true, next: 'recording', step: 'resume' };
      return { ok: false, status: 409, reason: current === 'recording' ? 'the recording is not paused' : 'the call is not being recorded' };
    case 'stop':
      // `always` means every minute of the call: it may be paused (PCI) but not stopped.
      if (policy === 'always') return { ok: false, status: 409, reason: 'this tenant records whole calls (recordCalls: always); pause it instead' };
      if (live) return { ok: true, next: 'stopped', step: 'stop' };
      return { ok: false, status: 409, reason: 'the call is not being recorded' };
  }
}

/** Whether a recording in `state` still takes audio or commands. */
export function isLive(state: RecordingState): boolean {
  return state === 'recording' || state === 'paused';
}
