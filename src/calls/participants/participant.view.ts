import type { Call } from '../domain/call';
import { isTerminal, type CallState } from '../domain/call-state';
import { baseParticipants, withBase, type Participant } from './domain/participant';

/** A party of a call as the API and the events show it. */
export interface ParticipantView {
  participantId: string;
  role: Participant['role'];
  endpoint: string;
  state: Participant['state'];
  mode: Participant['mode'];
  reason: Participant['reason'];
  addedBy: string | null;
  joinedAt: string | null;
  leftAt: string | null;
}

/** What an event about a party carries (its catalogue schema, CallParticipant). */
export function participantData(p: Participant) {
  return { participantId: p.id, role: p.role, endpoint: p.endpoint, state: p.state, mode: p.mode, reason: p.reason, addedBy: p.addedBy };
}

/**
 * The call's own two parties as its state shows them. The customer is whom the call is with: the
 * number dialled on an outbound call, the caller on an inbound one (its `to` is the tenant's number).
 */
export function callBase(call: Call): Participant[] {
  const { interaction, details } = call;
  const customer = interaction.direction === 'inbound' ? interaction.from : interaction.to;
  return baseParticipants({
    id: interaction.id, to: customer ?? '', agentEndpoint: details.agentEndpoint, state: interaction.state as CallState,
    answeredAt: details.answeredAt, startedAt: interaction.startedAt, endedAt: interaction.endedAt,
  });
}

/**
 * Every party of the call, oldest first. The customer's leg is the call, so its state is the call's;
 * once the call is over every party shows as gone with it.
 */
export function participantsView(call: Call, stored: Participant[]): ParticipantView[] {
  const base = callBase(call);
  const over = isTerminal(call.interaction.state as CallState);
  return withBase(stored, base).map((p) => {
    const shown = p.role === 'customer' && p.ref === 'customer' ? { ...p, state: base[0]!.state } : p;
    const gone = over && shown.state !== 'left' ? { ...shown, state: 'left' as const, reason: 'call-ended' as const, leftAt: call.interaction.endedAt } : shown;
    return {
      participantId: gone.id, role: gone.role, endpoint: gone.endpoint, state: gone.state, mode: gone.mode, reason: gone.reason,
      addedBy: gone.addedBy, joinedAt: gone.joinedAt, leftAt: gone.leftAt,
    };
  });
}
