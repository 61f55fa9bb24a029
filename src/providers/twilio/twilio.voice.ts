import type twilio from 'twilio';
import pino, { type Logger } from 'pino';
import {
  VoiceProviderError, type AnsweredCall, type CallHandle, type CallReportSink, type CallRequest, type VoiceProvider,
} from '../voice-provider.port';
import { conferenceTwiml, twilioAddress, xml } from './twilio-voice.mapper';

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
export class TwilioVoiceProvider implements VoiceProvider {
  readonly name = 'twilio';

  constructor(private readonly client: twilio.Twilio, private readonly logger: Logger = pino({ level: 'silent' })) {}

  connect(_sink: CallReportSink): void {
    // Twilio reports through its status callbacks (TwilioWebhooksController), not here.
  }

  async place(request: CallRequest): Promise<CallHandle> {
    const params = { cid: request.callId };
    const created = await this.attempt('place the call', () => this.client.calls.create({
      to: request.to,
      from: request.callerId,
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
    await this.attempt('add the agent', () => this.client.conferences(conference).participants.create({
      from: callerId, to: twilioAddress(agentEndpoint), label: 'agent', endConferenceOnExit: true, beep: 'false',
    }));
    return this.joinTwiml(callId);
  }

  /** The TwiML that puts the customer's leg into the call's conference. */
  joinTwiml(callId: string): string {
    return conferenceTwiml(conferenceName(callId), 'customer');
  }

  async hangup(call: CallHandle): Promise<void> {
    await this.attempt('hang up', () => this.client.calls(call.providerRef).update({ status: 'completed' }));
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

  async sendDtmf(call: CallHandle, digits: string): Promise<void> {
    const twiml = conferenceTwiml(conferenceName(call.callId), 'customer', `<Play digits="${xml(digits)}"/>`);
    await this.attempt('send digits', () => this.client.calls(call.providerRef).update({ twiml }));
  }

  async transfer(call: CallHandle, to: string): Promise<void> {
    const target = twilioAddress(to);
    const noun = target.startsWith('sip:') ? `<Sip>${xml(target)}</Sip>` : target.startsWith('client:') ? `<Client>${xml(target.slice(7))}</Client>` : `<Number>${xml(target)}</Number>`;
    const twiml = `<?xml version="1.0" encoding="UTF-8"?><Response><Dial>${noun}</Dial></Response>`;
    await this.attempt('transfer', () => this.client.calls(call.providerRef).update({ twiml }));
  }

  async check(): Promise<void> {}
  async close(): Promise<void> {}

  private async participant(call: CallHandle, label: 'customer' | 'agent', change: { hold?: boolean; muted?: boolean }): Promise<void> {
    const name = call.refs.conference ?? conferenceName(call.callId);
    const [conference] = await this.attempt('find the conference', () => this.client.conferences.list({ friendlyName: name, status: 'in-progress', limit: 1 }));
    if (!conference) throw new VoiceProviderError(`conference ${name} is not in progress`);
    await this.attempt('update the participant', () => this.client.conferences(conference.sid).participants(label).update(change));
  }

  private async attempt<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const e = error as { code?: number; message?: string };
      throw new VoiceProviderError(`twilio could not ${what}: ${e.message ?? 'unknown error'}${e.code ? ` (${e.code})` : ''}`);
    }
  }
}

export function conferenceName(callId: string): string {
  return `call-${callId}`;
}
