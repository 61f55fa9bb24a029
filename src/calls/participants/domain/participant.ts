/**
 * The parties of a call beyond its two legs, pure. A call starts with its customer (the leg the
 * call's own state follows) and its agent; an agent may consult a colleague privately while the
 * customer holds, then hand the customer over (complete), make it a three-way call (merge) or go
 * back (cancel); parties may be added and removed; a supervisor may monitor, whisper to the agent
 * or barge in. Every change is decided here from the participants as they are and one command or
 * provider fact, and returns the participants to store, the events to publish and what the
 * provider is to do — or a refusal, which the API answers with 409.
 */
import type { CallState, EndReason } from '../../domain/call-state';

export type ParticipantRole = 'customer' | 'agent' | 'consultee' | 'supervisor';
export type ParticipantState = 'dialing' | 'ringing' | 'connected' | 'held' | 'left';
/**
 * What a party hears and says. `talk`: everyone connected; `private`: a consultee talking with the
 * agent while the customer holds; `monitor`: hears all, says nothing; `whisper`: hears all, only
 * the agent hears them; `barge`: a supervisor talking with everyone.
 */
export type ParticipantMode = 'talk' | 'private' | 'monitor' | 'whisper' | 'barge';
export type SupervisorMode = Extract<ParticipantMode, 'monitor' | 'whisper' | 'barge'>;
export const SUPERVISOR_MODES: readonly SupervisorMode[] = ['monitor', 'whisper', 'barge'];
/** Why a party left: the provider's end reasons, or `removed` (the API took it out), `call-ended`. */
export type LeftReason = EndReason | 'removed' | 'call-ended';

export interface Participant {
  id: string;
  callId: string;
  role: ParticipantRole;
  /** The customer's number, or the agent endpoint dialled (`sip:`, E.164, `user:`). */
  endpoint: string;
  state: ParticipantState;
  mode: ParticipantMode;
  /** How the provider addresses the leg (Twilio's participant label, the simulator's key). */
  ref: string;
  reason: LeftReason | null;
  /** The agent who brought the party in (null for the call's own two). */
  addedBy: string | null;
  joinedAt: string | null;
  leftAt: string | null;
  updatedAt: string;
}

export type ParticipantEventType = 'call.participant.joined' | 'call.participant.left' | 'call.participant.updated';

export interface ParticipantEvent {
  type: ParticipantEventType;
  participant: Participant;
}

/** A step for the provider, carried out in order before anything is stored. */
export type LegAction =
  | { op: 'dial'; participant: Participant; coach?: string }
  | { op: 'update'; ref: string; role: ParticipantRole; hold?: boolean; mode?: ParticipantMode; coach?: string }
  | { op: 'remove'; ref: string; role: ParticipantRole };

/** What the call itself must do after the participants changed. */
export type CallFollowUp = 'hold' | 'resume' | 'hangup' | undefined;

export interface ParticipantsPlan {
  /** New and changed participants (new ones are inserted). */
  changed: Participant[];
  events: ParticipantEvent[];
  legs: LegAction[];
  call: CallFollowUp;
  /** A consultative transfer leaves a `transferred` step like a blind one. */
  transferredTo?: string;
}

export type ParticipantCommand =
  | { kind: 'consult'; to: string }
  | { kind: 'complete' }
  | { kind: 'merge' }
  | { kind: 'cancel' }
  | { kind: 'add'; to: string; role: 'agent' | 'consultee' }
  | { kind: 'remove'; participantId: string }
  | { kind: 'supervise'; endpoint: string; mode: SupervisorMode }
  /** Without `participantId`: the supervisor the caller brought in (resolved before planning). */
  | { kind: 'set-mode'; participantId?: string; mode: SupervisorMode };

/** The leg a provider reports on (after each adapter's mapper), like a call's own facts. */
export type LegFact = { kind: 'ringing' } | { kind: 'answered' } | { kind: 'ended'; reason: EndReason };

export const CUSTOMER_REF = 'customer';
export const AGENT_REF = 'agent';

const present = (p: Participant) => p.state !== 'left';
const agentSide = (p: Participant) => present(p) && (p.role === 'agent' || (p.role === 'consultee' && p.mode !== 'private'));

/**
 * The call's own two parties, as they are before anything else happened: the customer (the call's
 * leg) and the agent bridged to them. Their ids derive from the call's, so the view shows the same
 * ids before and after they are stored.
 */
export function baseParticipants(call: { id: string; to: string; agentEndpoint: string; state: CallState; answeredAt: string | null; startedAt: string; endedAt: string | null }): Participant[] {
  const ended = call.state === 'ended' || call.state === 'failed';
  const state: ParticipantState = ended ? 'left' : call.state === 'held' ? 'held' : call.answeredAt ? 'connected' : call.state === 'ringing' ? 'ringing' : 'dialing';
  const common = { callId: call.id, mode: 'talk' as const, addedBy: null, joinedAt: call.answeredAt, leftAt: ended ? call.endedAt : null, reason: ended ? 'call-ended' as const : null, updatedAt: call.endedAt ?? call.answeredAt ?? call.startedAt };
  return [
    { ...common, id: `${call.id}-customer`, role: 'customer', endpoint: call.to, state, ref: CUSTOMER_REF },
    { ...common, id: `${call.id}-agent`, role: 'agent', endpoint: call.agentEndpoint, state: state === 'held' ? 'connected' : state, ref: AGENT_REF },
  ];
}

/** A call's participants: its own two first (as stored once changed, else as derived), then the others as stored. */
export function withBase(stored: Participant[], base: Participant[]): Participant[] {
  const baseIds = new Set(base.map((p) => p.id));
  return [...base.map((b) => stored.find((p) => p.id === b.id) ?? b), ...stored.filter((p) => !baseIds.has(p.id))];
}

/** The consultation under way (a consultee talking privately), if any. */
export function consultation(participants: readonly Participant[]): Participant | undefined {
  return participants.find((p) => p.role === 'consultee' && p.mode === 'private' && present(p));
}

/** The agent a whisper goes to: the first agent-side party connected. */
export function coachTarget(participants: readonly Participant[]): Participant | undefined {
  return participants.find((p) => agentSide(p) && p.state === 'connected');
}

/** Whether a call command (`hold`, `resume`, `transfer` …) must wait for the participants; the reason (409). */
export function callCommandRefusal(participants: readonly Participant[], command: string): string | undefined {
  if (!consultation(participants)) return undefined;
  if (command === 'resume' || command === 'transfer' || command === 'dtmf') {
    return 'a consultation is under way: complete, merge or cancel it first';
  }
  return undefined;
}

/**
 * Whether the command may be given now (the call's state and its participants); the reason when
 * not, for a 409. A participant the command names but the call lacks is the caller's to report as 404.
 */
export function participantRefusal(callState: CallState, participants: readonly Participant[], command: ParticipantCommand): string | undefined {
  if (callState !== 'answered' && callState !== 'held') return `only a connected call has participants to change (it is ${callState})`;
  const consult = consultation(participants);
  switch (command.kind) {
    case 'consult':
      return consult ? 'a consultation is already under way' : undefined;
    case 'complete':
    case 'merge':
      if (!consult) return 'no consultation is under way';
      return consult.state === 'connected' ? undefined : `the consulted party has not answered (it is ${consult.state})`;
    case 'cancel':
      return consult ? undefined : 'no consultation is under way';
    case 'add':
      return consult ? 'a consultation is under way: complete, merge or cancel it first' : undefined;
    case 'remove': {
      const target = participants.find((p) => p.id === command.participantId);
      if (!target) return undefined;
      if (!present(target)) return 'the participant has already left';
      if (target.role === 'customer') return 'the customer leaves when the call is hung up (POST /v1/calls/{id}/hangup)';
      if (target === consult) return 'the participant is being consulted: cancel the consultation instead';
      return undefined;
    }
    case 'supervise':
      if (participants.some((p) => p.role === 'supervisor' && present(p) && p.endpoint === command.endpoint)) return `${command.endpoint} already supervises this call`;
      return command.mode === 'whisper' && !coachTarget(participants) ? 'there is no connected agent to whisper to' : undefined;
    case 'set-mode': {
      const target = participants.find((p) => p.id === command.participantId);
      if (!target) return undefined;
      if (target.role !== 'supervisor') return 'only a supervisor’s mode can change';
      if (!present(target)) return 'the supervisor has already left';
      if (target.mode === command.mode) return `the supervisor is already in ${command.mode}`;
      return command.mode === 'whisper' && !coachTarget(participants) ? 'there is no connected agent to whisper to' : undefined;
    }
  }
}

/** The new party's leg and participant; ids and times come from the caller, so this stays pure. */
function newParty(callId: string, id: string, role: ParticipantRole, endpoint: string, mode: ParticipantMode, addedBy: string, at: string): Participant {
  return { id, callId, role, endpoint, state: 'dialing', mode, ref: id, reason: null, addedBy, joinedAt: null, leftAt: null, updatedAt: at };
}

const updated = (p: Participant, change: Partial<Participant>, at: string): Participant => ({ ...p, ...change, updatedAt: at });
const left = (p: Participant, reason: LeftReason, at: string): Participant => ({ ...p, state: 'left', reason, leftAt: at, updatedAt: at });

/**
 * Plans a command that `participantRefusal` allowed (it throws otherwise). `newId` names the party
 * a command brings in; `by` is the agent giving it.
 */
export function planCommand(
  callState: CallState, participants: readonly Participant[], command: ParticipantCommand, ids: { newId: string; by: string; at: string },
): ParticipantsPlan {
  const refused = participantRefusal(callState, participants, command);
  if (refused) throw new Error(refused);
  const { at } = ids;
  const customer = participants.find((p) => p.role === 'customer')!;
  const consult = consultation(participants);
  const plan: ParticipantsPlan = { changed: [], events: [], legs: [], call: undefined };
  const change = (p: Participant, type: ParticipantEventType) => {
    plan.changed.push(p);
    plan.events.push({ type, participant: p });
  };
  switch (command.kind) {
    case 'consult': {
      // The customer holds (the call's own hold: its state, event and step) while the two talk.
      const party = newParty(customer.callId, ids.newId, 'consultee', command.to, 'private', ids.by, at);
      if (callState === 'answered') plan.call = 'hold';
      change(updated(customer, { state: 'held' }, at), 'call.participant.updated');
      change(party, 'call.participant.updated');
      plan.legs.push({ op: 'dial', participant: party });
      return plan;
    }
    case 'complete': {
      // The agents who were on the call leave; the consulted party takes the customer as their agent.
      for (const agent of participants.filter((p) => p.role === 'agent' && present(p))) {
        plan.legs.push({ op: 'remove', ref: agent.ref, role: agent.role });
        change(left(agent, 'removed', at), 'call.participant.left');
      }
      change(updated(consult!, { role: 'agent', mode: 'talk' }, at), 'call.participant.updated');
      plan.legs.push({ op: 'update', ref: consult!.ref, role: 'consultee', mode: 'talk' });
      change(updated(customer, { state: 'connected' }, at), 'call.participant.updated');
      plan.call = 'resume';
      plan.transferredTo = consult!.endpoint;
      return plan;
    }
    case 'merge':
      change(updated(consult!, { mode: 'talk' }, at), 'call.participant.updated');
      plan.legs.push({ op: 'update', ref: consult!.ref, role: 'consultee', mode: 'talk' });
      change(updated(customer, { state: 'connected' }, at), 'call.participant.updated');
      plan.call = 'resume';
      return plan;
    case 'cancel':
      plan.legs.push({ op: 'remove', ref: consult!.ref, role: 'consultee' });
      change(left(consult!, 'removed', at), 'call.participant.left');
      change(updated(customer, { state: 'connected' }, at), 'call.participant.updated');
      plan.call = callState === 'held' ? 'resume' : undefined;
      return plan;
    case 'add': {
      const party = newParty(customer.callId, ids.newId, command.role, command.to, 'talk', ids.by, at);
      change(party, 'call.participant.updated');
      plan.legs.push({ op: 'dial', participant: party });
      return plan;
    }
    case 'remove': {
      const target = participants.find((p) => p.id === command.participantId)!;
      plan.legs.push({ op: 'remove', ref: target.ref, role: target.role });
      change(left(target, 'removed', at), 'call.participant.left');
      plan.call = lastAgentGone(participants, target) ? 'hangup' : undefined;
      return plan;
    }
    case 'supervise': {
      const party = newParty(customer.callId, ids.newId, 'supervisor', command.endpoint, command.mode, ids.by, at);
      change(party, 'call.participant.updated');
      plan.legs.push({ op: 'dial', participant: party, coach: command.mode === 'whisper' ? coachTarget(participants)!.ref : undefined });
      return plan;
    }
    case 'set-mode': {
      const target = participants.find((p) => p.id === command.participantId)!;
      change(updated(target, { mode: command.mode }, at), 'call.participant.updated');
      plan.legs.push({ op: 'update', ref: target.ref, role: 'supervisor', mode: command.mode, coach: command.mode === 'whisper' ? coachTarget(participants)!.ref : undefined });
      return plan;
    }
  }
}

/**
 * Whether `leaving` takes the last agent-side party with it. The decision (README "Participants"):
 * a customer is never left alone with nobody, or with only a listening supervisor: the call ends.
 */
function lastAgentGone(participants: readonly Participant[], leaving: Participant): boolean {
  return agentSide(leaving) && !participants.some((p) => p.id !== leaving.id && agentSide(p));
}

/**
 * A provider's fact about a party's leg: forward-only, so a late or repeated fact changes nothing.
 * A consulted party who does not answer, is busy or declines leaves; the customer stays on hold
 * with the agent, who is told why by the `left` event's reason.
 */
export function applyLegFact(participants: readonly Participant[], participantId: string, fact: LegFact, at: string): ParticipantsPlan {
  const plan: ParticipantsPlan = { changed: [], events: [], legs: [], call: undefined };
  const party = participants.find((p) => p.id === participantId);
  if (!party || party.state === 'left') return plan;
  const push = (p: Participant, type: ParticipantEventType) => {
    plan.changed.push(p);
    plan.events.push({ type, participant: p });
  };
  switch (fact.kind) {
    case 'ringing':
      if (party.state === 'dialing') push(updated(party, { state: 'ringing' }, at), 'call.participant.updated');
      return plan;
    case 'answered':
      if (party.state === 'dialing' || party.state === 'ringing') push(updated(party, { state: 'connected', joinedAt: at }, at), 'call.participant.joined');
      return plan;
    case 'ended':
      push(left(party, fact.reason, at), 'call.participant.left');
      if (lastAgentGone(participants, party)) plan.call = 'hangup';
      return plan;
  }
}

/** Every party still present leaves with the call (its end is reported on the customer's leg). */
export function endAll(participants: readonly Participant[], at: string): ParticipantsPlan {
  const gone = participants.filter(present).map((p) => left(p, 'call-ended', at));
  return { changed: gone, events: gone.map((participant) => ({ type: 'call.participant.left', participant })), legs: [], call: undefined };
}
