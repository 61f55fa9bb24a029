import { IsArray, IsString, Matches } from 'class-validator';
import { envList, MEDIA_PREFIX, MEDIA_PREFIX_HINT } from '../../config/config-validators';

/** `providers.twilio`: the account; empty SID or token leaves Twilio unconfigured. */
export class TwilioConfig {
  @IsString() accountSid!: string;
  @IsString() authToken!: string;
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an absolute http(s) URL' }) apiBaseUrl!: string;
  /** Where Twilio may redirect a media request (its CDN); fetched without credentials. */
  @envList @IsArray() @Matches(MEDIA_PREFIX, { each: true, message: MEDIA_PREFIX_HINT }) mediaCdnPrefixes!: string[];
}
