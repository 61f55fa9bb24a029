import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { AGENT_ENDPOINT_PATTERN, AGENT_ENDPOINT_PATTERN_HINT } from '../../calls/domain/dial-policy';
import { RING_TIMEOUT_LIMITS } from '../../calls/domain/ring-timeout';
import { Omittable } from '../../common/errors/validation';
import { PROVIDERS, SMS_PROVIDERS, VOICE_PROVIDERS, type SmsProviderName, type VoiceProviderName } from '../../providers/providers';

const E164 = /^\+[1-9]\d{6,14}$/;
const E164_HINT = 'must hold E.164 numbers';
/** Text a provider speaks: no control characters (XML, so TwiML, cannot carry them). */
const SPOKEN = /^[^\u0000-\u001f\u007f]*$/;
const SPOKEN_HINT = 'must be text without control characters';
/** As the configuration's `holdMusicUrl` (config.schema.ts). */
const HTTP_URL = /^https?:\/\/[^\s]{1,2000}$/;

/**
 * The tenant's policies, each optional: what is left out stays as it is. The checks are those of
 * the configuration's `tenants[]` (config.schema.ts), so the API accepts what the seed accepts.
 */
export class TenantPoliciesDto {
  /** Calls need the customer's consent (`consent` on the request). */
  @Omittable() @IsBoolean() requireConsent?: boolean;
  /** Numbers never called (the whole list: it replaces the stored one). */
  @Omittable() @IsArray() @ArrayMaxSize(10_000) @Matches(E164, { each: true, message: E164_HINT }) doNotCall?: string[];
  /** Longest SMS body an agent may type. */
  @Omittable() @IsInt() @Min(1) @Max(1600) maxComposeLength?: number;
  /** Agents see phone numbers, e-mails and card/IBAN/SSN-like data masked. */
  @Omittable() @IsBoolean() maskSensitiveData?: boolean;
  /** Agent endpoints and transfer targets the tenant may dial (patterns). */
  @Omittable() @IsArray() @ArrayMaxSize(100) @Matches(AGENT_ENDPOINT_PATTERN, { each: true, message: AGENT_ENDPOINT_PATTERN_HINT }) agentEndpoints?: string[];
  /** Who gets a customer's message when no conversation of theirs is open. */
  @Omittable() @IsIn(['sticky', 'queue']) inboundRouting?: 'sticky' | 'queue';
  @Omittable() @IsInt() @Min(1) @Max(365) stickyDays?: number;
  /** Seconds in the queue before `conversation.unattended` (0: never). */
  @Omittable() @IsInt() @Min(0) @Max(7 * 24 * 3600) unattendedAlertSeconds?: number;
  /** Wrap-up reasons agents choose from (empty: any). */
  @Omittable() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @Length(1, 100, { each: true }) dispositions?: string[];
  /** SMS templates offered to agents (`<name>` marks a parameter). */
  @Omittable() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @Length(1, 1600, { each: true }) smsTemplates?: string[];
  /** How long a customer's phone may ring on click-to-call. */
  @Omittable() @IsInt() @Min(RING_TIMEOUT_LIMITS.min) @Max(RING_TIMEOUT_LIMITS.max) ringTimeoutSeconds?: number;
  /** Call recording: `off`, `always` or `on-demand`. */
  @Omittable() @IsIn(['off', 'always', 'on-demand']) recordCalls?: 'off' | 'always' | 'on-demand';
  /** What a paused recording keeps of the paused span. */
  @Omittable() @IsIn(['silence', 'skip']) pauseBehavior?: 'silence' | 'skip';
  /** Recordings are deleted this many days after they became available (0: kept). */
  @Omittable() @IsInt() @Min(0) @Max(36_500) recordingRetentionDays?: number;
  /** Inbound calls: seconds a console rings with a call before it goes back to the queue and the agent is marked away (RONA). */
  @Omittable() @IsInt() @Min(1) @Max(600) ringNoAnswerSeconds?: number;
  /** Inbound calls: seconds unanswered before the caller is offered voicemail (0: never). */
  @Omittable() @IsInt() @Min(0) @Max(86_400) queueTimeoutSeconds?: number;
  /** Inbound calls: what the caller hears first (spoken by the provider; no control characters, which TwiML cannot carry). */
  @Omittable() @IsString() @Length(1, 500) @Matches(SPOKEN, { message: SPOKEN_HINT }) inboundGreeting?: string;
  /** Inbound calls: the audio looped while the caller waits; null: the provider's own. https only in production (checked by the service). */
  @ValidateIf((o: TenantPoliciesDto) => o.holdMusicUrl !== null) @IsOptional() @IsString() @Matches(HTTP_URL, { message: 'must be an http(s) URL of at most 2000 characters' }) holdMusicUrl?: string | null;
  /** Inbound calls: what a caller whose wait timed out hears before leaving a message. */
  @Omittable() @IsString() @Length(1, 500) @Matches(SPOKEN, { message: SPOKEN_HINT }) voicemailPrompt?: string;
  /** Inbound calls: what a caller whose wait timed out is offered: `voicemail`, a `callback`, or the `choice` (1: voicemail, 2: callback). */
  @Omittable() @IsIn(['voicemail', 'callback', 'choice']) queueTimeoutOffer?: 'voicemail' | 'callback' | 'choice';
  /** Inbound calls: what a caller who asked for a callback hears before the call ends. */
  @Omittable() @IsString() @Length(1, 500) @Matches(SPOKEN, { message: SPOKEN_HINT }) callbackPrompt?: string;
  /** Inbound calls: the question asked when queueTimeoutOffer is `choice`. */
  @Omittable() @IsString() @Length(1, 500) @Matches(SPOKEN, { message: SPOKEN_HINT }) queueChoicePrompt?: string;
}

/** A change to a tenant: any subset; what is left out stays as it is. */
export class TenantPatchDto {
  @Omittable() @IsString() @Length(1, 200) name?: string;
  @Omittable() @Matches(/^[A-Z]{2}$/, { message: 'must be a two-letter ISO 3166 region' }) defaultRegion?: string;
  /** The tenant's SMS provider (it must be configured on the gateway); null: the gateway's default. */
  @ValidateIf((o: TenantPatchDto) => o.smsProvider !== null) @IsOptional() @IsIn(SMS_PROVIDERS) smsProvider?: SmsProviderName | null;
  /** The tenant's voice provider (it must be configured on the gateway); null: the gateway's default. */
  @ValidateIf((o: TenantPatchDto) => o.voiceProvider !== null) @IsOptional() @IsIn(VOICE_PROVIDERS) voiceProvider?: VoiceProviderName | null;
  /** SMS providers in failover order (the whole list; []: none, the single `smsProvider` applies). */
  @Omittable() @IsArray() @ArrayMaxSize(2) @ArrayUnique() @IsIn(SMS_PROVIDERS, { each: true }) smsProviders?: SmsProviderName[];
  /** Voice providers in failover order (the whole list; []: none, the single `voiceProvider` applies). */
  @Omittable() @IsArray() @ArrayMaxSize(2) @ArrayUnique() @IsIn(VOICE_PROVIDERS, { each: true }) voiceProviders?: VoiceProviderName[];
  @Omittable() @IsObject() @ValidateNested() @Type(() => TenantPoliciesDto) policies?: TenantPoliciesDto;
  /** The version the change was made on (from GET): 409 when another change came first. Left out: last write wins. */
  @Omittable() @IsInt() @Min(1) version?: number;
}

/** One of the tenant's numbers and the provider that owns it. */
export class TenantNumberDto {
  /** The provider the number belongs to (it must be configured on the gateway); null or left out: not said. */
  @ValidateIf((o: TenantNumberDto) => o.provider !== null) @IsOptional() @IsIn(PROVIDERS.map((p) => p.name)) provider?: string | null;
}
