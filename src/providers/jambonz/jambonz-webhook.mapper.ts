import { DomainError } from '../../common/errors/domain-error';
import { urlShapeProblem } from '../../common/net/public-url';
import type { InboundMessage } from '../sms-provider.port';
import type { SmsStatusReport } from '../sms-status';
import type { CallReport } from '../voice-provider.port';
import { mapJambonzCallStatus } from './jambonz-voice.mapper';
import { mapJambonzMessageStatus } from './jambonz.mapper';
import { sipReasonPhrase } from '../sip-reason';

type Json = Record<string, unknown>;

/**
 * jambonz's messaging_hook payload, as its feature server builds it:
 * `{ carrier, messageSid, accountSid, applicationSid, from, to, cc, text, media }`.
 * `media` items are URLs or `{ url, content_type | contentType }`.
 */
export function readJambonzInbound(body: Json): InboundMessage {
  const media = body.media === undefined || body.media === null ? [] : body.media;
  if (!Array.isArray(media) || media.length > 10) throw DomainError.invalidField('media', 'must be a list of at most 10 items');
  // A picture-only MMS comes with `text: ""`; only a message with neither text nor media is empty.
  const text = body.text === undefined || body.text === null ? '' : body.text;
  if (typeof text !== 'string' || text.length > 4000) throw DomainError.invalidField('text', 'must be a string of at most 4000 characters');
  if (text === '' && media.length === 0) throw DomainError.invalidField('text', 'is required unless media are given');
  return {
    provider: 'jambonz',
    providerRef: str(body, 'messageSid', 200),
    from: str(body, 'from', 40),
    to: first(body.to),
    body: text,
    media: media.map((item, n) => mediaItem(item, n)),
  };
}

/** jambonz's message status hook: `{ messageSid | message_sid, status | message_status, error_code? }`. */
export function readJambonzStatus(body: Json, interactionId: string | undefined): SmsStatusReport | undefined {
  const providerRef = str(body, body.messageSid !== undefined ? 'messageSid' : 'message_sid', 200);
  const status = str(body, body.status !== undefined ? 'status' : 'message_status', 40);
  const state = mapJambonzMessageStatus(status);
  if (!state || state === 'received') return undefined;
  const code = body.error_code ?? body.errorCode;
  return { provider: 'jambonz', interactionId, providerRef, state, errorCode: code === undefined || code === null ? null : String(code).slice(0, 40) };
}

/** jambonz's call_status_hook: `{ call_sid, call_status, sip_status, … }`. */
export function readJambonzCallStatus(body: Json, callId: string | undefined): CallReport | undefined {
  const fact = mapJambonzCallStatus(str(body, 'call_status', 40));
  if (!fact) return undefined;
  const report: CallReport = { provider: 'jambonz', callId, providerRef: str(body, 'call_sid', 200), fact };
  // An unanswered ending carries the final SIP response jambonz got (`sip_status`, `sip_reason`).
  const status = Number(body.sip_status);
  if (fact.kind === 'ended' && fact.reason !== 'completed' && Number.isInteger(status) && status >= 300 && status < 700) {
    const phrase = typeof body.sip_reason === 'string' && body.sip_reason ? body.sip_reason.slice(0, 200) : sipReasonPhrase(status);
    report.failure = { code: String(status), message: `${status} ${phrase}` };
  }
  return report;
}

function str(body: Json, field: string, max: number): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw DomainError.invalidField(field, `must be a non-empty string of at most ${max} characters`);
  }
  return value;
}

function first(to: unknown): string {
  const value = Array.isArray(to) ? to[0] : to;
  if (typeof value !== 'string' || value.length === 0 || value.length > 40) throw DomainError.invalidField('to', 'must be a phone number');
  return value;
}

function mediaItem(item: unknown, n: number): { url: string; contentType: string } {
  const field = `media.${n}`;
  if (typeof item === 'string') return { url: checkUrl(item, field), contentType: 'application/octet-stream' };
  if (typeof item !== 'object' || item === null) throw DomainError.invalidField(field, 'must be a URL or { url, content_type }');
  const { url, content_type: snake, contentType: camel } = item as Json;
  const type = snake ?? camel ?? 'application/octet-stream';
  if (typeof url !== 'string' || typeof type !== 'string' || type.length > 200) throw DomainError.invalidField(field, 'must be a URL or { url, content_type }');
  return { url: checkUrl(url, `${field}.url`), contentType: type };
}

/** The URL's shape only: whether it is ever fetched is the provider's media policy's decision. */
function checkUrl(url: string, field: string): string {
  const problem = urlShapeProblem(url, { allowHttp: true }) ?? (/\s/.test(url) ? 'must be an http(s) URL' : null);
  if (problem) throw DomainError.invalidField(field, problem);
  return url;
}
