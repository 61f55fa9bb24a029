import { DomainError } from '../../common/errors/domain-error';
import { mediaPrefix, type MediaPolicy } from '../media-fetch';
import { TWILIO_API_ORIGIN } from './twilio-media';

type Params = Record<string, unknown>;

export interface TwilioRecordingStatus {
  recordingSid: string;
  callSid: string;
  accountSid: string;
  status: 'in-progress' | 'completed' | 'absent' | 'other';
  /** RecordingUrl: the recording resource, without an extension (WAV by default). */
  url: string;
  durationSeconds: number | null;
}

/** Reads Twilio's recording status callback (RecordingSid, RecordingUrl, RecordingStatus, …). */
export function readTwilioRecordingStatus(params: Params): TwilioRecordingStatus {
  const status = text(params, 'RecordingStatus');
  const duration = text(params, 'RecordingDuration', false);
  return {
    recordingSid: sid(params, 'RecordingSid', 'RE'),
    callSid: sid(params, 'CallSid', 'CA'),
    accountSid: sid(params, 'AccountSid', 'AC'),
    status: status === 'in-progress' || status === 'completed' || status === 'absent' ? status : 'other',
    url: status === 'completed' ? text(params, 'RecordingUrl') : text(params, 'RecordingUrl', false),
    durationSeconds: /^\d{1,9}$/.test(duration) ? Number(duration) : null,
  };
}

/**
 * The one recording's audio, `/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}` with
 * `.wav` or none: fetched with the account's credentials from Twilio's API host only (or the
 * configured TWILIO_API_BASE_URL); where Twilio redirects it, from its CDN prefixes, without them.
 * Any other URL — another recording, another account, another host — is not fetched at all.
 */
export function twilioRecordingPolicy(
  settings: { accountSid: string; authToken: string; apiBaseUrl: string; mediaCdnPrefixes: readonly string[] }, recordingSid: string,
): MediaPolicy {
  const origins = new Set([TWILIO_API_ORIGIN, new URL(settings.apiBaseUrl).origin]);
  const path = `/2010-04-01/Accounts/${settings.accountSid}/Recordings/${recordingSid}`;
  return {
    own: {
      authorization: `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`,
      isMediaUrl: (url) => origins.has(url.origin) && !url.search && !url.hash && (url.pathname === path || url.pathname === `${path}.wav`),
    },
    anonymous: settings.mediaCdnPrefixes.map(mediaPrefix),
  };
}

/** The WAV of a RecordingUrl (Twilio serves WAV for `.wav` and for no extension). */
export function recordingWavUrl(url: string): string {
  return url.endsWith('.wav') ? url : `${url}.wav`;
}

function text(params: Params, field: string, required = true): string {
  const value = params[field];
  if (value === undefined || value === '') {
    if (required) throw DomainError.invalidField(field, 'is required');
    return '';
  }
  if (typeof value !== 'string' || value.length > 2000) throw DomainError.invalidField(field, 'must be one text value');
  return value;
}

function sid(params: Params, field: string, prefix: string): string {
  const value = text(params, field);
  if (!new RegExp(`^${prefix}[0-9a-f]{32}$`).test(value)) throw DomainError.invalidField(field, 'is not a Twilio SID');
  return value;
}
