import { DomainError } from '../../common/errors/domain-error';
import { urlShapeProblem } from '../../common/net/public-url';
import type { InboundMessage } from '../sms-provider.port';
import type { SmsStatusReport } from '../sms-status';
import { mapTelnyxMessageStatus } from './telnyx.mapper';

type Json = Record<string, unknown>;

/**
 * What one Telnyx messaging webhook says. Every event comes in one JSON envelope (Telnyx's
 * Messaging webhook docs, "Receiving Webhooks"):
 * `{ data: { record_type: "event", id, event_type, occurred_at, payload }, meta: { attempt, delivered_to } }`,
 * where `payload` is the message resource: `{ id, direction, from: { phone_number }, to: [{ phone_number, status }],
 * text, media: [{ url, content_type, size, hash_sha256 }], errors: [{ code, title, detail }] }`.
 *
 * - `message.received`: a customer's SMS/MMS, sent to the messaging profile's webhook URL;
 * - `message.sent`, `message.finalized`: a status of one of our messages, sent to the
 *   `webhook_url` we gave it (our signed callback URL, whose `mid` names the message).
 */
export type TelnyxEvent =
  | { kind: 'inbound'; message: InboundMessage }
  | { kind: 'status'; report: SmsStatusReport | undefined }
  | { kind: 'other'; eventType: string };

const STATUS_EVENTS = new Set(['message.sent', 'message.finalized']);
const MAX_MEDIA = 10;

export function readTelnyxEvent(body: Json, interactionId: string | undefined): TelnyxEvent {
  const data = object(body.data, 'data');
  const eventType = str(data, 'event_type', 'data.event_type', 80);
  const payload = object(data.payload, 'data.payload');
  if (eventType === 'message.received') return { kind: 'inbound', message: readInbound(payload) };
  if (STATUS_EVENTS.has(eventType)) return { kind: 'status', report: readStatus(payload, interactionId) };
  return { kind: 'other', eventType };
}

/** `message.received`: a picture-only MMS may come with an empty (or no) `text`. */
function readInbound(payload: Json): InboundMessage {
  const media = payload.media === undefined || payload.media === null ? [] : payload.media;
  if (!Array.isArray(media) || media.length > MAX_MEDIA) throw DomainError.invalidField('data.payload.media', `must be a list of at most ${MAX_MEDIA} items`);
  const text = payload.text === undefined || payload.text === null ? '' : payload.text;
  if (typeof text !== 'string' || text.length > 4000) throw DomainError.invalidField('data.payload.text', 'must be a string of at most 4000 characters');
  if (text === '' && media.length === 0) throw DomainError.invalidField('data.payload.text', 'is required unless media are given');
  return {
    provider: 'telnyx',
    providerRef: str(payload, 'id', 'data.payload.id', 200),
    from: str(object(payload.from, 'data.payload.from'), 'phone_number', 'data.payload.from.phone_number', 40),
    to: str(firstRecipient(payload), 'phone_number', 'data.payload.to.0.phone_number', 40),
    body: text,
    media: media.map((item, n) => mediaItem(item, n)),
  };
}

/** `message.sent` / `message.finalized`: our message's recipient status and the first error, if any. */
function readStatus(payload: Json, interactionId: string | undefined): SmsStatusReport | undefined {
  const providerRef = str(payload, 'id', 'data.payload.id', 200);
  const state = mapTelnyxMessageStatus(str(firstRecipient(payload), 'status', 'data.payload.to.0.status', 40));
  if (!state || state === 'received') return undefined;
  const error = Array.isArray(payload.errors) ? (payload.errors[0] as Json | undefined) : undefined;
  const code = error && (typeof error.code === 'string' || typeof error.code === 'number') ? String(error.code).slice(0, 40) : null;
  const title = error && typeof error.title === 'string' ? error.title.slice(0, 200) : null;
  return { provider: 'telnyx', interactionId, providerRef, state, errorCode: code, ...(title ? { errorMessage: title } : {}) };
}

/** We send to one number, and a customer texts one of ours: the first addressee is the one. */
function firstRecipient(payload: Json): Json {
  if (!Array.isArray(payload.to) || payload.to.length === 0) throw DomainError.invalidField('data.payload.to', 'must be a non-empty list');
  return object(payload.to[0], 'data.payload.to.0');
}

function mediaItem(item: unknown, n: number): { url: string; contentType: string; size?: number } {
  const field = `data.payload.media.${n}`;
  const media = object(item, field);
  const url = str(media, 'url', `${field}.url`, 2000);
  const problem = urlShapeProblem(url, { allowHttp: true }) ?? (/\s/.test(url) ? 'must be an http(s) URL' : null);
  if (problem) throw DomainError.invalidField(`${field}.url`, problem);
  const type = media.content_type ?? 'application/octet-stream';
  if (typeof type !== 'string' || type.length === 0 || type.length > 200) throw DomainError.invalidField(`${field}.content_type`, 'must be a media type');
  const size = media.size;
  // Telnyx tells the size (signed with the rest), which spares measuring it afterwards.
  return { url, contentType: type, ...(typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? { size } : {}) };
}

function object(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw DomainError.invalidField(field, 'must be an object');
  return value as Json;
}

function str(source: Json, key: string, field: string, max: number): string {
  const value = source[key];
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw DomainError.invalidField(field, `must be a non-empty string of at most ${max} characters`);
  }
  return value;
}
