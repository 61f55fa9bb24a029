import type { CallCommand } from './call-state';

/** A step of a call worth keeping on its timeline, as recorded after the provider carried it out. */
export interface CallStep {
  kind: 'held' | 'resumed' | 'muted' | 'unmuted' | 'dtmf_sent' | 'transferred' | ParticipantStepKind;
  data: Record<string, unknown>;
}

/** Steps of a call: shown inside the call (its view, its timeline item), not as items of their own. */
export const CALL_STEP_KINDS: ReadonlyArray<CallStep['kind']> = [
  'held', 'resumed', 'muted', 'unmuted', 'dtmf_sent', 'transferred', 'participant_joined', 'participant_left', 'participant_updated',
];

/** A party joined, left or changed (consult, conference, supervision: src/calls/participants). */
export type ParticipantStepKind = 'participant_joined' | 'participant_left' | 'participant_updated';

/**
 * The step an agent's command leaves on the call's timeline. DTMF keeps only how many keys were
 * pressed, never which: customers key card numbers and PINs through it. Pauses (`w`, `,`) are not
 * keys. A hangup leaves no step: the call's own end time and reason record it.
 */
export function stepOf(command: CallCommand, argument?: string): CallStep | undefined {
  switch (command) {
    case 'hangup': return undefined;
    case 'hold': return { kind: 'held', data: {} };
    case 'resume': return { kind: 'resumed', data: {} };
    case 'mute': return { kind: 'muted', data: {} };
    case 'unmute': return { kind: 'unmuted', data: {} };
    case 'dtmf': return { kind: 'dtmf_sent', data: { digitCount: (argument ?? '').replace(/[w,]/g, '').length } };
    case 'transfer': return { kind: 'transferred', data: { to: argument ?? null } };
  }
}
