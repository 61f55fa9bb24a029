import { interactionView, type InteractionView } from '../conversations/conversation.view';
import { callTimes, type CallTimes } from './domain/call-time';
import type { Call } from './domain/call';
import type { ProviderAttempt } from '../failover/domain/failover';
import type { ProviderFailure } from '../failover/domain/provider-failure';
import type { ParticipantView } from './participants/participant.view';

/** A recorded step of a call: `{ kind: 'dtmf_sent', at, digitCount: 4, agentId }`, `{ kind: 'transferred', at, to }` … */
export interface CallStepView {
  kind: string;
  at: string;
  [field: string]: unknown;
}

export interface CallView extends InteractionView, CallTimes {
  conversationId: string;
  agentEndpoint: string;
  callerId: string;
  muted: boolean;
  answeredAt: string | null;
  consent: { via: string; at: string } | null;
  /** Hold, resume, mute, unmute, DTMF (a count of keys, never the keys) and transfers, oldest first. */
  steps: CallStepView[];
  /** The customer, the agent and every party consulted, added or supervising, oldest first. */
  participants: ParticipantView[];
  /** Provider failover: each provider the call was handed to, in order, and why it failed (null: it took the call). */
  attempts: ProviderAttempt[];
  /** Why the provider failed the call: its code (Twilio error, HTTP status, SIP response) and a safe message; null: it did not. */
  failure: ProviderFailure | null;
}

/** A call's stored step as its views show it: its data with its kind and time. */
export function stepView(entry: { kind: string; at: string; data: Record<string, unknown> }): CallStepView {
  return { ...entry.data, kind: entry.kind, at: entry.at };
}

/** `steps` are the call's recorded steps; a live call's times are measured up to `now`. */
export function callView(call: Call, steps: CallStepView[], now: string, participants: ParticipantView[] = []): CallView {
  const { agentEndpoint, callerId, muted, answeredAt, consent } = call.details;
  return {
    ...interactionView(call.interaction), conversationId: call.interaction.conversationId, agentEndpoint, callerId, muted, answeredAt,
    ...callTimes(answeredAt, call.interaction.endedAt, steps, now),
    consent, steps, participants, attempts: call.details.attempts ?? [], failure: call.details.failure ?? null,
  };
}
