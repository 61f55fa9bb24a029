/**
 * The call state machine (contract §4), pure. Provider facts only move a call forward:
 *   initiating → ringing → answered ⇄ held → ended,  or  → failed (never answered)
 * A late, duplicated or out-of-order fact changes nothing and emits nothing. Agent commands
 * (hold, resume, mute, …) are checked against the state and refused when it forbids them.
 */
import type { EventType } from '../../events/domain/event-catalogue';

export type CallState = 'initiating' | 'ringing' | 'answered' | 'held' | 'ended' | 'failed';
export type EndReason = 'completed' | 'busy' | 'no-answer' | 'rejected' | 'canceled' | 'failed';

export interface CallStatus {
  state: CallState;
  muted: boolean;
  endReason: EndReason | null;
  answeredAt: string | null;
  endedAt: string | null;
}

/** What a provider reports, after each adapter's mapper. */
export type CallFact =
  | { kind: 'ringing' }
  | { kind: 'answered' }
  | { kind: 'ended'; reason: EndReason };

export type CallCommand = 'hangup' | 'hold' | 'resume' | 'mute' | 'unmute' | 'dtmf' | 'transfer';

/**
 * The events of a call's steps (`call.initiated` is the API's, before the machine runs; the
 * participants' own events are src/calls/participants').
 */
export type CallStepEvent = Exclude<Extract<EventType, `call.${string}`>, 'call.initiated' | `call.participant.${string}` | InboundCallEvent>;

/** An inbound call's own events (src/calls/inbound), announced outside the state machine. */
type InboundCallEvent = 'call.incoming' | 'call.requeued' | 'call.accepted' | 'call.voicemail';

export interface CallTransition {
  changed: boolean;
  status: CallStatus;
  /** Event types to publish, e.g. `call.answered`. */
  events: CallStepEvent[];
}

const RANK: Record<CallState, number> = { initiating: 0, ringing: 1, answered: 2, held: 2, ended: 3, failed: 3 };

export function isTerminal(state: CallState): boolean {
  return RANK[state] === 3;
}

export function isLiveCall(state: CallState): boolean {
  return !isTerminal(state);
}

export function initialStatus(): CallStatus {
  return { state: 'initiating', muted: false, endReason: null, answeredAt: null, endedAt: null };
}

const same = (status: CallStatus): CallTransition => ({ changed: false, status, events: [] });

/** Applies a provider fact; stale and repeated facts are no-ops. */
export function applyFact(status: CallStatus, fact: CallFact, at: string): CallTransition {
  if (isTerminal(status.state)) return same(status);
  switch (fact.kind) {
    case 'ringing':
      if (status.state !== 'initiating') return same(status);
      return { changed: true, status: { ...status, state: 'ringing' }, events: ['call.ringing'] };
    case 'answered':
      if (RANK[status.state] >= RANK.answered) return same(status);
      return { changed: true, status: { ...status, state: 'answered', answeredAt: at }, events: ['call.answered'] };
    case 'ended':
      return end(status, fact.reason, at);
  }
}

/** Whether the agent may give this command now; the reason when not (a 409). */
export function commandRefusal(status: CallStatus, command: CallCommand): string | undefined {
  const { state, muted } = status;
  if (isTerminal(state)) return `the call has ${state}`;
  switch (command) {
    case 'hangup':
      return undefined;
    case 'hold':
      return state === 'answered' ? undefined : `only an answered call can be held (it is ${state})`;
    case 'resume':
      return state === 'held' ? undefined : `only a held call can be resumed (it is ${state})`;
    case 'mute':
      if (state !== 'answered' && state !== 'held') return `only a connected call can be muted (it is ${state})`;
      return muted ? 'the call is already muted' : undefined;
    case 'unmute':
      if (state !== 'answered' && state !== 'held') return `only a connected call can be unmuted (it is ${state})`;
      return muted ? undefined : 'the call is not muted';
    case 'dtmf':
      return state === 'answered' ? undefined : `digits can only be sent on an answered call (it is ${state})`;
    case 'transfer':
      return state === 'answered' || state === 'held' ? undefined : `only a connected call can be transferred (it is ${state})`;
  }
}

/** The state after a command the provider carried out. */
export function applyCommand(status: CallStatus, command: CallCommand, at: string): CallTransition {
  const refused = commandRefusal(status, command);
  if (refused) throw new Error(refused);
  switch (command) {
    case 'hangup':
      return end(status, status.answeredAt ? 'completed' : 'canceled', at);
    case 'hold':
      return { changed: true, status: { ...status, state: 'held' }, events: ['call.held'] };
    case 'resume':
      return { changed: true, status: { ...status, state: 'answered' }, events: ['call.resumed'] };
    case 'mute':
      return { changed: true, status: { ...status, muted: true }, events: ['call.muted'] };
    case 'unmute':
      return { changed: true, status: { ...status, muted: false }, events: ['call.unmuted'] };
    case 'dtmf':
    case 'transfer':
      return same(status);
  }
}

function end(status: CallStatus, reason: EndReason, at: string): CallTransition {
  // A call that never connected and did not simply end is a failure of the attempt.
  const neverAnswered = status.answeredAt === null;
  const failed = neverAnswered && reason === 'failed';
  const state: CallState = failed ? 'failed' : 'ended';
  return {
    changed: true,
    status: { ...status, state, endReason: reason, endedAt: at },
    events: [failed ? 'call.failed' : 'call.ended'],
  };
}
