import type twilio from 'twilio';
import { attempt, conferenceName, conferenceSid } from './twilio-client';
import type { ParticipantRole } from '../../calls/participants/domain/participant';
import type { LegChange, ParticipantControl, ParticipantDial } from '../voice-participants.port';
import type { CallHandle } from '../voice-provider.port';
import { twilioAddress } from './twilio-voice.mapper';

const STATUS_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];

/** The route Twilio posts a party's leg progress to (TwilioParticipantsWebhooksController). */
export const PARTICIPANT_STATUS_PATH = '/webhooks/twilio/voice/participant';

/**
 * Parties beyond the call's two, as participants of the call's conference (`call-<id>`), each
 * labelled with its participant id (the customer and the agent are `customer` and `agent`), so
 * every update addresses a label and never needs the leg's CallSid. Hold is the participant's
 * `Hold`; monitor is `Muted`; whisper is `Coaching` with `CallSidToCoach` (the coached agent's
 * CallSid, read from its participant); barge is neither.
 */
export class TwilioParticipants implements ParticipantControl {
  constructor(private readonly client: twilio.Twilio) {}

  connect(): void {
    // Twilio reports each party's leg through its status callback (PARTICIPANT_STATUS_PATH).
  }

  async dial(call: CallHandle, party: ParticipantDial): Promise<void> {
    const conference = await this.conferenceSid(call);
    const coach = party.mode === 'whisper' ? await this.callSidOf(conference, party.coach ?? 'agent') : undefined;
    await attempt('add the participant', () => this.client.conferences(conference).participants.create({
      from: party.callerId,
      to: twilioAddress(party.to),
      label: party.participantId,
      beep: 'false',
      // Only the customer's leg (and the agent's while the call is two-party) ends the conference.
      endConferenceOnExit: false,
      muted: party.mode === 'monitor',
      ...(coach ? { coaching: true, callSidToCoach: coach } : {}),
      statusCallback: party.callbacks.url(PARTICIPANT_STATUS_PATH, { cid: call.callId, pid: party.participantId }),
      statusCallbackEvent: STATUS_EVENTS,
      statusCallbackMethod: 'POST',
    }));
  }

  async update(call: CallHandle, ref: string, _role: ParticipantRole, change: LegChange): Promise<void> {
    const conference = await this.conferenceSid(call);
    const params: { hold?: boolean; muted?: boolean; coaching?: boolean; callSidToCoach?: string } = {};
    if (change.hold !== undefined) params.hold = change.hold;
    if (change.mode !== undefined) {
      params.muted = change.mode === 'monitor';
      params.coaching = change.mode === 'whisper';
      if (change.mode === 'whisper') params.callSidToCoach = await this.callSidOf(conference, change.coach ?? 'agent');
    }
    await attempt('update the participant', () => this.client.conferences(conference).participants(ref).update(params));
  }

  async remove(call: CallHandle, ref: string, _role: ParticipantRole): Promise<void> {
    const conference = await this.conferenceSid(call);
    // The agent's leg was added to end the conference when it leaves (a two-party call); it must not now.
    if (ref === 'agent') {
      await attempt('let the agent leave', () => this.client.conferences(conference).participants(ref).update({ endConferenceOnExit: false }));
    }
    await attempt('remove the participant', () => this.client.conferences(conference).participants(ref).remove());
  }

  /** Conference participants are updated by the conference's SID; the call knows its friendly name. */
  private conferenceSid(call: CallHandle): Promise<string> {
    return conferenceSid(this.client, call.refs.conference ?? conferenceName(call.callId));
  }

  private async callSidOf(conference: string, label: string): Promise<string> {
    const participant = await attempt('find the coached agent', () => this.client.conferences(conference).participants(label).fetch());
    return participant.callSid;
  }
}

