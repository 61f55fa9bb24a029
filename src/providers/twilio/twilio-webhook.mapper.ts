import { DomainError } from '../../common/errors/domain-error';
import type { InboundMessage } from '../sms-provider.port';
import type { SmsStatusReport } from '../sms-status';
import type { CallReport } from '../voice-provider.port';
import { mapTwilioCallStatus } from './twilio-voice.mapper';
import { mapTwilioMessageStatus, twilioMessageErrorText } from './twilio.mapper';
import { sipReasonPhrase } from '../sip-reason';

type Params = Record<string, unknown>;

const MAX_MEDIA = 10;

/** Reads Twilio's inbound message webhook (form fields, see the Messaging webhook docs). */
export function readTwilioInbound(params: Params): InboundMessage {
  const count = Number(text(params, 'NumMedia', false) || '0');
  if (!Number.isInteger(count) || count < 0 || count > MAX_MEDIA) {
    throw DomainError.invalidField('NumMedia', `must be a whole number from 0 to ${MAX_MEDIA}`);
  }
  const media = Array.from({ length: count }, (_, n) => ({
    url: text(params, `MediaUrl${n}`),
    contentType: text(params, `MediaContentType${n}`),
  }));
  return {
    provider: 'twilio',
    providerRef: sid(params, 'MessageSid'),
    from: text(params, 'From'),
    to: text(params, 'To'),
    body: text(params, 'Body', false),
    media,
  };
}

/** Reads Twilio's message status callback; undefined for a status we do not track. */
export function readTwilioStatus(params: Params, interactionId: string | undefined): SmsStatusReport | undefined {
  const state = mapTwilioMessageStatus(text(params, 'MessageStatus'));
  if (!state || state === 'received') return undefined;
  const errorCode = text(params, 'ErrorCode', false).slice(0, 40) || null;
  return { provider: 'twilio', interactionId, providerRef: sid(params, 'MessageSid'), state, errorCode,
    ...(errorCode ? { errorMessage: twilioMessageErrorText(errorCode) } : {}) };
}

/**
 * Reads Twilio's call status callback (CallSid, CallStatus); undefined for a status that tells
 * nothing. A call that ends unanswered carries its SIP final response (`SipResponseCode`) as the
 * reason, with the code's standard phrase (Twilio sends the code alone).
 */
export function readTwilioCallStatus(params: Params, callId: string | undefined): CallReport | undefined {
  const fact = mapTwilioCallStatus(text(params, 'CallStatus'));
  if (!fact) return undefined;
  const report: CallReport = { provider: 'twilio', callId, providerRef: sid(params, 'CallSid'), fact };
  const code = Number(text(params, 'SipResponseCode', false));
  if (fact.kind === 'ended' && fact.reason !== 'completed' && Number.isInteger(code) && code >= 300 && code < 700) {
    report.failure = { code: String(code), message: `${code} ${sipReasonPhrase(code)}` };
  }
  return report;
}

function text(params: Params, field: string, required = true): string {
  const value = params[field];
  if (value === undefined || value === '') {
    if (required) throw DomainError.invalidField(field, 'is required');
    return '';
  }
  if (typeof value !== 'string' || value.length > 4000) throw DomainError.invalidField(field, 'must be one text value');
  return value;
}

function sid(params: Params, field: string): string {
  const value = text(params, field);
  if (!/^[A-Z]{2}[0-9a-f]{32}$/.test(value)) throw DomainError.invalidField(field, 'is not a Twilio SID');
  return value;
}
