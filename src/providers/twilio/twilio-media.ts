import { mediaPrefix, type MediaPolicy } from '../media-fetch';

/** Twilio's own API host; a configured `TWILIO_API_BASE_URL` host is allowed as well. */
export const TWILIO_API_ORIGIN = 'https://api.twilio.com';

/**
 * Where Twilio redirects a media request: a short-lived signed URL on its CDN (mms.twiliocdn.com
 * once "Enforce HTTP Auth on Media URLs" is on, the S3 bucket media.twiliocdn.com for older
 * media). Fetched without credentials: the signature in the URL is the credential.
 */
export const TWILIO_MEDIA_CDN_PREFIXES = ['https://mms.twiliocdn.com/', 'https://s3-external-1.amazonaws.com/media.twiliocdn.com/'];

/**
 * True for the path of one of the account's media resources,
 * `/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{MediaSid}` (no `.json`: that
 * is the metadata). Anything else on the API host — `Messages.json`, `Calls.json` — is never
 * fetched with the account's credentials.
 */
export function isTwilioMediaPath(pathname: string, accountSid: string): boolean {
  const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Messages\/(?:MM|SM)[0-9a-fA-F]{32}\/Media\/ME[0-9a-fA-F]{32}$/.exec(pathname);
  return match !== null && match[1] === accountSid;
}

export function twilioMediaPolicy(settings: { accountSid: string; authToken: string; apiBaseUrl: string; mediaCdnPrefixes: readonly string[] }): MediaPolicy {
  const apiOrigins = new Set([TWILIO_API_ORIGIN, new URL(settings.apiBaseUrl).origin]);
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  return {
    own: {
      authorization,
      isMediaUrl: (url) => apiOrigins.has(url.origin) && !url.search && !url.hash && isTwilioMediaPath(url.pathname, settings.accountSid),
    },
    anonymous: settings.mediaCdnPrefixes.map(mediaPrefix),
  };
}
