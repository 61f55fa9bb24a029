import { IsArray, IsOptional, IsString, Matches, ValidateIf } from 'class-validator';
import { envList, MEDIA_PREFIX, MEDIA_PREFIX_HINT } from '../../config/config-validators';

/** `providers.jambonz`: the account; an empty API base URL, SID or key leaves jambonz unconfigured. */
export class JambonzConfig {
  @ValidateIf((o: JambonzConfig) => o.apiBaseUrl !== '')
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an absolute http(s) URL or empty' })
  apiBaseUrl!: string;
  @IsString() accountSid!: string;
  @IsString() apiKey!: string;
  @IsString() webhookSecret!: string;
  /** An application of the account named on the calls the gateway creates (empty: none). */
  @IsOptional() @Matches(/^$|^[\w-]{1,100}$/, { message: 'must be a jambonz application SID or empty' }) applicationSid?: string;
  /** Carriers' media hosts inbound media may be fetched from (jambonz itself serves none). */
  @envList @IsArray() @Matches(MEDIA_PREFIX, { each: true, message: MEDIA_PREFIX_HINT }) mediaPrefixes!: string[];
}
