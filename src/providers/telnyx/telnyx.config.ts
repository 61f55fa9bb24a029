import { IsArray, IsString, Matches, ValidateIf } from 'class-validator';
import { envList, MEDIA_PREFIX, MEDIA_PREFIX_HINT } from '../../config/config-validators';
import { TELNYX_API_BASE_URL, TELNYX_MEDIA_PREFIXES } from './telnyx.sms';

/**
 * `providers.telnyx`: an API key (v2, `Authorization: Bearer`) and the account's public key
 * (base64 of 32 bytes, from the portal) that checks its webhooks. An empty API key leaves Telnyx
 * unconfigured. The defaults are the initialisers below, so the section may be left out of the
 * YAML altogether (the descriptor builds it from nothing).
 */
export class TelnyxConfig {
  @IsString() apiKey: string = '';
  /** Required with an API key: without it every status and inbound webhook would be refused. */
  @ValidateIf((o: TelnyxConfig) => o.apiKey !== '' || o.publicKey !== '')
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be the base64 of a 32-byte Ed25519 public key, as the Telnyx portal shows it' })
  publicKey: string = '';
  /** Needed for number pools and alphanumeric senders only; sent with every message when set. */
  @IsString() messagingProfileId: string = '';
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an absolute http(s) URL' }) apiBaseUrl: string = TELNYX_API_BASE_URL;
  /** Where inbound MMS links may point (fetched without credentials). */
  @envList @IsArray() @Matches(MEDIA_PREFIX, { each: true, message: MEDIA_PREFIX_HINT }) mediaPrefixes: string[] = [...TELNYX_MEDIA_PREFIXES];
}
