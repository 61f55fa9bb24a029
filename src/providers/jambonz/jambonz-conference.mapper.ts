import type { ParticipantMode } from '../../calls/participants/domain/participant';
import type { LegChange } from '../voice-participants.port';

/** The route jambonz fetches a leg's verbs from when it is to join the call's conference (call_hook, child_call_hook). */
export const CONFERENCE_JOIN_PATH = '/webhooks/jambonz/conference/join';
/** The conference's statusHook (`join` and `leave` of each member). */
export const CONFERENCE_STATUS_PATH = '/webhooks/jambonz/conference/status';
/** The call_status_hook of a party's leg the gateway dialled (`POST …/Calls`). */
export const PARTY_STATUS_PATH = '/webhooks/jambonz/participant/status';

/** The conference events the gateway waits on: a member having joined, a member having left. */
export const CONFERENCE_STATUS_EVENTS = ['join', 'leave'] as const;

/** A call's conference is named after the call, like Twilio's (`call-<id>`): one per call, never shared. */
export function jambonzConferenceName(callId: string): string {
  return `call-${callId}`;
}

/** What one leg is when it joins: whose it is, what it hears and says. */
export interface ConferenceSeat {
  /** `customer`, `agent`, or the participant id: the member's tag, which a whisper's `speakOnlyTo` names. */
  ref: string;
  mode: ParticipantMode;
  /** For a whisper: the tag of the agent coached. */
  coach?: string;
}

/**
 * The `conference` verb for a leg of the call (jambonz's verb: name, beep, memberTag,
 * startConferenceOnEnter, endConferenceOnExit, joinMuted, speakOnlyTo, statusHook, statusEvents).
 * Every leg may start the conference (whichever arrives first); only the customer's leaving ends
 * it, so an agent can leave a call to a colleague. A monitoring supervisor joins muted; a
 * whispering one speaks only to the member tagged with the coached agent's ref.
 */
export function conferenceVerb(callId: string, seat: ConferenceSeat, statusHookUrl: string): Record<string, unknown> {
  return {
    verb: 'conference',
    name: jambonzConferenceName(callId),
    beep: false,
    memberTag: seat.ref,
    startConferenceOnEnter: true,
    endConferenceOnExit: seat.ref === 'customer',
    ...(seat.mode === 'monitor' ? { joinMuted: true } : {}),
    ...(seat.mode === 'whisper' && seat.coach ? { speakOnlyTo: seat.coach } : {}),
    statusHook: { url: statusHookUrl, method: 'POST' },
    statusEvents: [...CONFERENCE_STATUS_EVENTS],
  };
}

/**
 * The live call control requests (`PUT …/Calls/{call_sid}`) that change one member, in order.
 * jambonz takes one property per request. Hold is `conf_hold_status` (the member muted and deaf);
 * a supervisor's mode is the member's mute (`mute_status`) and coaching (`conferenceParticipantAction`
 * `coach` with the coached agent's tag, `uncoach`): monitor mutes before it stops coaching, so the
 * customer never hears a word meant for the agent; whisper coaches before it unmutes. A consulted
 * party's `talk` (merge, complete) changes nothing on its leg: it was never muted, only the
 * customer was held.
 */
export function memberChanges(change: LegChange): Array<Record<string, unknown>> {
  const requests: Array<Record<string, unknown>> = [];
  if (change.hold !== undefined) requests.push({ conf_hold_status: change.hold ? 'hold' : 'unhold' });
  switch (change.mode) {
    case 'monitor':
      requests.push({ mute_status: 'mute' }, { conferenceParticipantAction: { action: 'uncoach' } });
      break;
    case 'whisper':
      requests.push({ conferenceParticipantAction: { action: 'coach', tag: change.coach ?? 'agent' } }, { mute_status: 'unmute' });
      break;
    case 'barge':
      requests.push({ conferenceParticipantAction: { action: 'uncoach' } }, { mute_status: 'unmute' });
      break;
    default:
      break;
  }
  return requests;
}
