import type twilio from 'twilio';
import { attempt, conferenceName, conferenceSid } from './twilio-client';
import pino, { type Logger } from 'pino';
import {
  VoiceProviderError, type AnsweredCall, type CallHandle, type CallReportSink, type CallRequest, type VoiceProvider,
} from '../voice-provider.port';
import { RING_TIMEOUT_LIMITS } from '../../calls/domain/ring-timeout';
import type { PauseBehavior } from '../../media/domain/recording-state';
import type { CallbackUrls } from '../callbacks/callback-urls';
import type { CallAudioSink, CallMedia, StopAudio } from '../call-media.port';
import { TwilioCallMedia } from './twilio.media';
import { conferenceTwiml, twilioAddress, xml } from './twilio-voice.mapper';
import { TwilioParticipants } from './twilio.participants';
import type { CallVoicemail, VoicemailOutcome, VoicemailRequest } from '../voicemail.port';
import { voicemailTwiml } from './twilio-voicemail';
import type { CallQueueChoice, QueueChoiceOutcome, QueueChoiceRequest } from '../queue-choice.port';
import { callbackConfirmTwiml, queueChoiceTwiml } from './twilio-queue-choice';

const STATUS_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];

/** What an answer hook of a call that is over, unknown or not ours gets. */
export const HANGUP_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';

/**
 * Twilio Programmable Voice. The bridge is a named conference per call (`call-<id>`): the customer
 * is called first; when they answer, Twilio fetches our TwiML, which puts them into the conference,
 * and the agent's endpoint is added to it as a participant. That makes the controls real: hold
 * and mute are participant updates, DTMF is played to the customer's leg, a transfer redirects
 * the customer's leg (the conference, and so the agent's leg, ends with it), hangup completes it.
 */
export class TwilioVoiceProvider implements VoiceProvider, CallMedia, CallVoicemail, CallQueueChoice {
  readonly name = 'twilio';
  /** Twilio records calls itself (Recordings) and reports the file to a signed callback. */
  readonly recordingMode = 'native';

  /** Consulted, added and supervising parties: more participants of the same conference. */
  readonly participants: TwilioParticipants;

  constructor(private readonly client: twilio.Twilio, private readonly logger: Logger = pino({ level: 'silent' })) {
    this.participants = new TwilioParticipants(client);
  }

  /** Recordings and Media Streams of a call (twilio.media.ts). */
  private get media(): TwilioCallMedia {
    return new TwilioCallMedia(this.client);
  }

  startRecording(call: CallHandle, recording: { id: string; callbacks: CallbackUrls }): Promise<string> {
    return this.media.startRecording(call, recording);
  }

  updateRecording(call: CallHandle, recordingSid: string, status: 'paused' | 'in-progress' | 'stopped', pauseBehavior: PauseBehavior): Promise<void> {
    return this.media.updateRecording(call, recordingSid, status, pauseBehavior);
  }

  startAudio(call: CallHandle, sink: CallAudioSink, callbacks: CallbackUrls): Promise<StopAudio> {
    return this.media.startAudio(call, sink, callbacks);
  }

  connect(_sink: CallReportSink): void {
    // Twilio reports through its status callbacks (TwilioWebhooksController), not here.
  }

  async place(request: CallRequest): Promise<CallHandle> {
    const params = { cid: request.callId };
    const created = await attempt('place the call', () => this.client.calls.create({
      to: request.to,
      from: request.callerId,
      timeout: request.ringTimeoutSeconds ?? RING_TIMEOUT_LIMITS.default,
      url: request.callbacks.url('/webhooks/twilio/voice', params),
      method: 'POST',
      statusCallback: request.callbacks.url('/webhooks/twilio/voice/status', params),
      statusCallbackEvent: STATUS_EVENTS,
      statusCallbackMethod: 'POST',
    }));
    return { callId: request.callId, providerRef: created.sid, refs: { conference: conferenceName(request.callId) } };
  }

  /**
   * TwiML for the customer's answered leg (`call` undefined: no live call of ours). Only the first
   * fetch dials the agent (`claimAgentDial`); a replayed fetch gets the same TwiML and no second dial.
   */
  async answerTwiml(call: AnsweredCall | undefined, claimAgentDial: (callId: string) => Promise<boolean>): Promise<string> {
    if (!call) return HANGUP_TWIML;
    if (!(await claimAgentDial(call.callId))) return this.joinTwiml(call.callId);
    try {
      return await this.bridge(call.callId, call.agentEndpoint, call.callerId);
    } catch (error) {
      if (!(error instanceof VoiceProviderError)) throw error;
      this.logger.warn({ callId: call.callId, err: error.message }, 'the agent could not be added; the customer leg is hung up');
      return HANGUP_TWIML;
    }
  }

  /** The TwiML for the customer's answered leg, after adding the agent to the conference. */
  async bridge(callId: string, agentEndpoint: string, callerId: string): Promise<string> {
    const conference = conferenceName(callId);
    await attempt('add the agent', () => this.client.conferences(conference).participants.create({
      from: callerId, to: twilioAddress(agentEndpoint), label: 'agent', endConferenceOnExit: true, beep: 'false',
    }));
    return this.joinTwiml(callId);
  }

  /**
   * Inbound: the caller waits in the call's conference (incoming-call TwiML, twilio-inbound.mapper.ts);
   * the agent's device is added to it as a participant, which starts the conference and ends the music.
   */
  async connectAgent(call: CallHandle, agentEndpoint: string, callerId: string): Promise<void> {
    await this.bridge(call.callId, agentEndpoint, callerId);
  }

  /** Queue timeout: the waiting caller's leg leaves the conference for the prompt and `<Record>` (twilio-voicemail.ts). */
  async takeVoicemail(call: CallHandle, request: VoicemailRequest): Promise<VoicemailOutcome> {
    const twiml = voicemailTwiml(request, request.callbacks);
    await attempt('take a voicemail', () => this.client.calls(call.providerRef).update({ twiml }));
    return { kind: 'reported' };
  }

  /** Queue timeout (`choice`): the waiting caller's leg leaves the conference for `<Gather>` of one key (twilio-queue-choice.ts). */
  async askQueueChoice(call: CallHandle, request: QueueChoiceRequest): Promise<QueueChoiceOutcome> {
    const twiml = queueChoiceTwiml(call.callId, request.prompt, request.callbacks);
    await attempt('ask the caller', () => this.client.calls(call.providerRef).update({ twiml }));
    return { kind: 'reported' };
  }

  /** Queue timeout (`callback`): the caller hears the confirmation and Twilio hangs up (its status callback ends the call). */
  async confirmCallback(call: CallHandle, request: QueueChoiceRequest): Promise<{ kind: 'reported' }> {
    const twiml = callbackConfirmTwiml(request.prompt);
    await attempt('confirm the callback', () => this.client.calls(call.providerRef).update({ twiml }));
    return { kind: 'reported' };
  }

  /** The TwiML that puts the customer's leg into the call's conference. */
  joinTwiml(callId: string): string {
    return conferenceTwiml(conferenceName(callId), 'customer');
  }

  async hangup(call: CallHandle): Promise<void> {
    await attempt('hang up', () => this.client.calls(call.providerRef).update({ status: 'completed' }));
  }

  hold(call: CallHandle): Promise<void> {
    return this.participant(call, 'customer', { hold: true });
  }

  resume(call: CallHandle): Promise<void> {
    return this.participant(call, 'customer', { hold: false });
  }

  mute(call: CallHandle): Promise<void> {
    return this.participant(call, 'agent', { muted: true });
  }

  unmute(call: CallHandle): Promise<void> {
    return this.participant(call, 'agent', { muted: false });
  }

  /**
   * Twilio plays digits only as TwiML, so the customer's call leaves the conference for `<Play digits>`
   * and dials back in. The customer joined with `endConferenceOnExit`: leaving would end the
   * conference and drop the agent, so that flag goes first (the rejoin sets it again).
   */
  async sendDtmf(call: CallHandle, digits: string): Promise<void> {
    await this.participant(call, 'customer', { endConferenceOnExit: false });
    const twiml = conferenceTwiml(conferenceName(call.callId), 'customer', `<Play digits="${xml(digits)}"/>`);
    await attempt('send digits', () => this.client.calls(call.providerRef).update({ twiml }));
  }

  async transfer(call: CallHandle, to: string): Promise<void> {
    const target = twilioAddress(to);
    const noun = target.startsWith('sip:') ? `<Sip>${xml(target)}</Sip>` : target.startsWith('client:') ? `<Client>${xml(target.slice(7))}</Client>` : `<Number>${xml(target)}</Number>`;
    const twiml = `<?xml version="1.0" encoding="UTF-8"?><Response><Dial>${noun}</Dial></Response>`;
    await attempt('transfer', () => this.client.calls(call.providerRef).update({ twiml }));
  }

  async check(): Promise<void> {}
  async close(): Promise<void> {}

  private async participant(call: CallHandle, label: 'customer' | 'agent', change: { hold?: boolean; muted?: boolean; endConferenceOnExit?: boolean }): Promise<void> {
    const conference = await conferenceSid(this.client, call.refs.conference ?? conferenceName(call.callId));
    await attempt('update the participant', () => this.client.conferences(conference).participants(label).update(change));
  }
}
