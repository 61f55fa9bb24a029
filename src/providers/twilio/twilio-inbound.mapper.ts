import { DomainError } from '../../common/errors/domain-error';
import type { IncomingCall, IncomingVerdict } from '../inbound-call.port';
import { xml } from './twilio-voice.mapper';
import { conferenceName } from './twilio-client';

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';

/** Twilio's "A call comes in" webhook: form fields CallSid, From, To, Direction (`inbound`), … */
export function readTwilioIncomingCall(params: Record<string, unknown>): IncomingCall {
  const callSid = field(params, 'CallSid');
  if (!/^CA[0-9a-f]{32}$/.test(callSid)) throw DomainError.invalidField('CallSid', 'is not a Twilio call SID');
  const direction = params.Direction;
  if (direction !== undefined && direction !== 'inbound') throw DomainError.invalidField('Direction', 'must be inbound');
  return { provider: 'twilio', providerRef: callSid, from: field(params, 'From'), to: field(params, 'To') };
}

/**
 * The TwiML for an incoming call. An unknown number is refused with `<Reject/>` (the caller hears
 * it as not in service, and Twilio does not bill an answered call); a caller already on a call,
 * busy. An accepted caller hears the greeting and waits in the call's conference: the conference
 * starts only when the agent joins (`startConferenceOnEnter="false"` for the caller), and until
 * then Twilio plays its `waitUrl` (our hold TwiML with the tenant's music in a loop, or Twilio's
 * own music when the tenant names none). The caller leaving ends the conference.
 */
export function incomingTwiml(verdict: IncomingVerdict, holdUrl: (music: string) => string): string {
  switch (verdict.kind) {
    case 'unknown-number':
      return `${XML_HEAD}<Response><Reject reason="rejected"/></Response>`;
    case 'busy':
      return `${XML_HEAD}<Response><Reject reason="busy"/></Response>`;
    case 'accepted': {
      const wait = verdict.holdMusicUrl ? ` waitUrl="${xml(holdUrl(verdict.holdMusicUrl))}" waitMethod="POST"` : '';
      return `${XML_HEAD}<Response><Say>${xml(verdict.greeting)}</Say><Dial><Conference participantLabel="customer" ` +
        `startConferenceOnEnter="false" endConferenceOnExit="true" beep="false"${wait}>${xml(conferenceName(verdict.callId))}</Conference></Dial></Response>`;
    }
  }
}

/** The conference's wait TwiML: the music in a loop (`loop="0"`: until the conference starts or the caller leaves). */
export function holdTwiml(music: string): string {
  return `${XML_HEAD}<Response><Play loop="0">${xml(music)}</Play></Response>`;
}

function field(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) throw DomainError.invalidField(name, 'is required (one text value)');
  return value;
}
