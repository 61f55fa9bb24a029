import 'reflect-metadata';
import { AGENT_ID, AGENT_ID_HINT } from '../common/agent-id';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, MinLength, ValidateIf,
  ValidateBy, ValidateNested,
} from 'class-validator';
import { AGENT_ENDPOINT } from '../calls/domain/agent-endpoint';
import { AGENT_ENDPOINT_PATTERN, AGENT_ENDPOINT_PATTERN_HINT } from '../calls/domain/dial-policy';
import { RING_TIMEOUT_LIMITS } from '../calls/domain/ring-timeout';
import type { AnyProviderDescriptor } from '../providers/provider-descriptor';
import {
  PROVIDERS, SMS_PROVIDERS, VOICE_PROVIDERS, type ProvidersSettings, type SmsProviderName, type VoiceProviderName,
} from '../providers/providers';
import { envList } from './config-validators';
import { IsProxyAddress } from './proxy-address';

/** An environment variable's "true"/"false" as a boolean (YAML gives booleans already). */
const envBoolean = Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

/** Typed configuration. Every property has a default in config/default.yaml. */
export class HttpConfig {
  @IsString() host!: string;
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) port!: number;
  @Matches(/^https?:\/\/[^/\s]+(\/[^\s]*)?$/, { message: 'must be an absolute http(s) URL' })
  publicBaseUrl!: string;
  @Type(() => Number) @IsInt() @Min(1024) @Max(10 * 1024 * 1024) bodyLimitBytes!: number;
  /**
   * Addresses or CIDR ranges of the reverse proxies whose X-Forwarded-For is believed. Empty: no
   * proxy is trusted and the client address is the connection's (X-Forwarded-For is ignored).
   */
  @envList @IsArray() @IsProxyAddress({ each: true, message: 'must hold IP addresses or CIDR ranges (or loopback, linklocal, uniquelocal)' })
  trustedProxies!: string[];
  /** The request line and headers must arrive within this (else 408 and the connection is closed). */
  @Type(() => Number) @IsInt() @Min(100) @Max(600_000) headersTimeoutMs!: number;
  /** The whole request, headers and body, must arrive within this (else 408 and the connection is closed). */
  @ValidateBy({ name: 'notBelowHeadersTimeout', validator: { validate: (value, args) => typeof value === 'number' && value >= (args?.object as HttpConfig).headersTimeoutMs } },
    { message: 'must not be less than HTTP_HEADERS_TIMEOUT_MS (http.headersTimeoutMs)' })
  @Type(() => Number) @IsInt() @Min(100) @Max(3_600_000) requestTimeoutMs!: number;
  /** A connection silent this long while a request is open is closed (0: never). */
  @Type(() => Number) @IsInt() @Min(0) @Max(3_600_000) connectionTimeoutMs!: number;
  /** An idle keep-alive connection is closed after this; keep it above the balancer's idle timeout. */
  @Type(() => Number) @IsInt() @Min(100) @Max(3_600_000) keepAliveTimeoutMs!: number;
}

export class DatabaseConfig {
  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'must be sqlite:<path> or postgres://user@host:port/db',
  })
  url!: string;
  @IsIn(['OFF', 'NORMAL', 'FULL', 'EXTRA']) sqliteSynchronous!: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
}

export class RedisConfig {
  @ValidateIf((o: RedisConfig) => o.url !== '')
  @Matches(/^rediss?:\/\/.+/, { message: 'must be redis://host:port or empty' })
  url!: string;
}

export class AuthConfig {
  @ValidateIf((o: AuthConfig) => o.jwtSecret !== '')
  @IsString() @MinLength(32, { message: 'must be at least 32 characters' })
  jwtSecret!: string;
  @IsString() devSecretFile!: string;
  /**
   * CREDENTIALS_KEY: 32 bytes (64 hex characters, or base64) sealing tenants' provider credentials
   * with AES-256-GCM (src/tenants/provider-credentials). Empty: derived from the JWT secret outside
   * production; in production credentials cannot be stored, and stored ones stop the start-up.
   */
  @ValidateIf((o: AuthConfig) => o.credentialsKey !== '')
  @Matches(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=|[A-Za-z0-9_-]{43})$/, { message: 'must be 32 bytes as 64 hex characters or base64, e.g. openssl rand -hex 32' })
  credentialsKey!: string;
}

export class LogConfig {
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) level!: string;
}

export class MetricsConfig {
  /**
   * /metrics may be served without a token (when `token` is empty): true in default.yaml, false in
   * production.yaml. Declared first so that a bad value is reported before the token it excuses.
   */
  @envBoolean @IsBoolean() public!: boolean;
  /** The bearer token /metrics needs; empty only where `public` says /metrics is meant to be open. */
  @ValidateIf((o: MetricsConfig) => o.public !== true || typeof o.token !== 'string')
  @IsString() @MinLength(1, { message: 'must be set, or METRICS_PUBLIC (metrics.public) must be true to serve /metrics without a token' })
  token!: string;
}

export class HealthConfig {
  @Type(() => Number) @IsInt() @Min(50) @Max(60_000) readyTimeoutMs!: number;
  /** How long a provider's readiness probe (an authenticated read of the account) is reused. */
  @Type(() => Number) @IsInt() @Min(0) @Max(3_600_000) providerCheckCacheMs!: number;
}

export class ShutdownConfig {
  @Type(() => Number) @IsInt() @Min(0) @Max(600_000) graceMs!: number;
}

export class IdempotencyConfig {
  @Type(() => Number) @IsInt() @Min(1) @Max(24 * 30) ttlHours!: number;
}

export class EventsConfig {
  @Type(() => Number) @IsInt() @Min(100) @Max(30_000) heartbeatMs!: number;
  @Type(() => Number) @IsInt() @Min(50) @Max(60_000) pollMs!: number;
  @Type(() => Number) @IsInt() @Min(16 * 1024) @Max(64 * 1024 * 1024) maxBufferedBytes!: number;
  /** Open sockets per bearer token on one instance; the next one is closed with 4029. */
  @Type(() => Number) @IsInt() @Min(1) @Max(10_000) maxSocketsPerToken!: number;
  /** Topics one socket may hold; a subscribe beyond it gets an error frame (422). */
  @Type(() => Number) @IsInt() @Min(1) @Max(100_000) maxTopicsPerSocket!: number;
  /** Topics one subscribe or unsubscribe frame may name (400 beyond). */
  @Type(() => Number) @IsInt() @Min(1) @Max(10_000) maxTopicsPerFrame!: number;
  /**
   * Frames per second per socket, sustained, and at once; a subscribe counts once per topic it
   * names. Beyond: an error frame (429); another `frameBurst` refused frames close with 4029.
   */
  @Type(() => Number) @IsNumber() @Min(0.1) @Max(100_000) framesPerSecond!: number;
  @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) frameBurst!: number;
}

export class RateLimitsConfig {
  /** Requests per second per bearer token (0: no limit), and the burst allowed at once. */
  @Type(() => Number) @IsNumber() @Min(0) @Max(1_000_000) apiPerSecond!: number;
  @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) apiBurst!: number;
  /** Webhook requests per second per source address and provider (0: no limit), and the burst. */
  @Type(() => Number) @IsNumber() @Min(0) @Max(1_000_000) webhookPerSecond!: number;
  @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) webhookBurst!: number;
}

export class DefaultsConfig {
  @Matches(/^[A-Z]{2}$/, { message: 'must be a two-letter ISO 3166 region such as US or GB' })
  region!: string;
  /**
   * Where a tenant without its own `agentEndpoints` may have agents and transfers dialled
   * (patterns: see calls/domain/dial-policy.ts). Permissive in default.yaml, `user:*` in production.
   */
  @envList @IsArray() @Matches(AGENT_ENDPOINT_PATTERN, { each: true, message: AGENT_ENDPOINT_PATTERN_HINT })
  agentEndpoints!: string[];
}

export class RoutingConfig {
  /** How often each instance looks for conversations left unassigned too long (unattended alerts). */
  @Type(() => Number) @IsInt() @Min(50) @Max(600_000) unattendedSweepMs!: number;
  /** How often each instance looks for inbound calls that rang out on an agent (RONA: back to the queue). */
  @Type(() => Number) @IsInt() @Min(50) @Max(60_000) ringNoAnswerSweepMs!: number;
  /** How long an agent holding callbacks may be offline (every socket closed) before they go to the next available agent. */
  @Type(() => Number) @IsInt() @Min(0) @Max(86_400_000) callbackOfflineGraceMs!: number;
}

export class SimulatorConfig {
  /**
   * The simulator's routes (playing a customer texting in) serve every tenant; when false, only
   * tenants whose SMS provider is the simulator, so no one can write as a real customer.
   */
  @envBoolean @IsBoolean() allTenants!: boolean;
  /**
   * The largest picture (decoded) a simulated MMS may carry. `POST /v1/simulator/inbound-sms`, and
   * only it, takes a body large enough for five of them in base64 (simulatorBodyLimit).
   */
  @Type(() => Number) @IsInt() @Min(1024) @Max(5 * 1024 * 1024) mediaMaxBytes!: number;
}

/** An agent's device from the YAML seed (`tenants[].agents`); the admin API's setting overrides it. */
export class AgentSeedConfig {
  @Matches(AGENT_ID, { message: AGENT_ID_HINT }) id!: string;
  @Matches(AGENT_ENDPOINT, { message: 'must be a sip: URI, an E.164 number or user:<name>' }) endpoint!: string;
}

export class MediaConfig {
  /** Where recordings are kept (local disk; a volume shared by every instance when there are several). */
  @IsString() @MinLength(1) recordingsDir!: string;
  /** How often each instance removes recordings past their tenant's `recordingRetentionDays`. */
  @Type(() => Number) @IsInt() @Min(50) @Max(86_400_000) retentionSweepMs!: number;
  /** Receivers of pushed audio streams: `public` wss: hosts only (production), or `any` (development). */
  @IsIn(['public', 'any']) streamTargets!: 'public' | 'any';
}

export class TenantConfig {
  @Matches(/^[a-z0-9][a-z0-9_-]{0,62}$/, { message: 'must be lower-case letters, digits, - or _' })
  id!: string;
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @Matches(/^[A-Z]{2}$/, { message: 'must be a two-letter ISO 3166 region' })
  defaultRegion?: string;
  @IsOptional() @IsArray() @Matches(/^\+[1-9]\d{6,14}$/, { each: true, message: 'must hold E.164 numbers' })
  numbers?: string[];
  /**
   * Which provider owns some of `numbers` (`{ "+14155550100": twilio }`), as the admin API's
   * `PUT …/numbers/{number}` says it: a call failing over uses a number the next provider owns.
   * Checked by the loader (each key one of `numbers`, each value a provider).
   */
  @IsOptional() @IsObject() numberProviders?: Record<string, string>;
  @IsOptional() @IsIn(SMS_PROVIDERS) smsProvider?: SmsProviderName;
  @IsOptional() @IsIn(VOICE_PROVIDERS) voiceProvider?: VoiceProviderName;
  /** Providers in failover order: a send or call the first could not take (no answer, 5xx) is tried once on the second. */
  @IsOptional() @IsArray() @ArrayMaxSize(2) @ArrayUnique() @IsIn(SMS_PROVIDERS, { each: true }) smsProviders?: SmsProviderName[];
  @IsOptional() @IsArray() @ArrayMaxSize(2) @ArrayUnique() @IsIn(VOICE_PROVIDERS, { each: true }) voiceProviders?: VoiceProviderName[];
  /** Calls need the customer's consent (`consent` on the request), e.g. asked for in the chat. */
  @IsOptional() @IsBoolean() requireConsent?: boolean;
  @IsOptional() @IsArray() @Matches(/^\+[1-9]\d{6,14}$/, { each: true, message: 'must hold E.164 numbers' })
  doNotCall?: string[];
  /** Longest SMS body an agent may type (the contract allows 1,600). */
  @IsOptional() @IsInt() @Min(1) @Max(1600) maxComposeLength?: number;
  /** Agents see phone numbers, e-mails and card/IBAN/SSN-like data masked. */
  @IsOptional() @IsBoolean() maskSensitiveData?: boolean;
  /** Agent endpoints and transfer targets this tenant may dial (replaces `defaults.agentEndpoints`). */
  @IsOptional() @IsArray() @Matches(AGENT_ENDPOINT_PATTERN, { each: true, message: AGENT_ENDPOINT_PATTERN_HINT })
  agentEndpoints?: string[];
  /**
   * Who gets a customer's message when no conversation of theirs is open: `sticky` (default) the
   * agent of their latest conversation within `stickyDays` when that agent is online, else the
   * queue; `queue` always the queue.
   */
  @IsOptional() @IsIn(['sticky', 'queue']) inboundRouting?: 'sticky' | 'queue';
  @IsOptional() @IsInt() @Min(1) @Max(365) stickyDays?: number;
  /** A conversation left in the queue this long is announced once as `conversation.unattended` (0: never). */
  @IsOptional() @IsInt() @Min(0) @Max(7 * 24 * 3600) unattendedAlertSeconds?: number;
  /** Wrap-up reasons agents choose from; when set, a wrap-up with any other disposition is refused (422). */
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @Length(1, 100, { each: true }) dispositions?: string[];
  /** SMS templates agents pick from in the console; `<name>` marks a parameter they fill in. */
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @Length(1, 1600, { each: true }) smsTemplates?: string[];
  /** How long a customer's phone may ring on click-to-call before the call ends `no-answer` (a request may ask for less or more). */
  @IsOptional() @IsInt() @Min(RING_TIMEOUT_LIMITS.min) @Max(RING_TIMEOUT_LIMITS.max) ringTimeoutSeconds?: number;
  /** Call recording: `off` (default), `always` (every answered call, pausable, not stoppable) or `on-demand`. */
  @IsOptional() @IsIn(['off', 'always', 'on-demand']) recordCalls?: 'off' | 'always' | 'on-demand';
  /** What a paused recording keeps of the paused span: `silence` (default) or nothing (`skip`). */
  @IsOptional() @IsIn(['silence', 'skip']) pauseBehavior?: 'silence' | 'skip';
  /** Recordings are deleted this many days after they became available (0: kept until deleted). */
  @IsOptional() @IsInt() @Min(0) @Max(36_500) recordingRetentionDays?: number;
  /** Inbound calls: how long an agent's console may ring with a call before it goes back to the queue and the agent is marked away (RONA). */
  @IsOptional() @IsInt() @Min(1) @Max(600) ringNoAnswerSeconds?: number;
  /** Inbound calls: what the caller hears first, then hold music until an agent answers. */
  @IsOptional() @IsString() @Length(1, 500) inboundGreeting?: string;
  /** Inbound calls: the audio (https) played in a loop while the caller waits; empty: the provider's own. */
  @IsOptional() @Matches(/^https?:\/\/[^\s]{1,2000}$/, { message: 'must be an http(s) URL' }) holdMusicUrl?: string;
  /** Inbound calls: after this many seconds without an answer the caller is offered voicemail (0, the default: never). */
  @IsOptional() @IsInt() @Min(0) @Max(86_400) queueTimeoutSeconds?: number;
  /** Inbound calls: what a caller whose wait timed out hears before leaving a message. */
  @IsOptional() @IsString() @Length(1, 500) voicemailPrompt?: string;
  /** Inbound calls: what a caller whose wait timed out is offered: `voicemail` (default), `callback`, or the `choice` (1: voicemail, 2: callback). */
  @IsOptional() @IsIn(['voicemail', 'callback', 'choice']) queueTimeoutOffer?: 'voicemail' | 'callback' | 'choice';
  /** Inbound calls: what a caller who asked for a callback hears before the call ends. */
  @IsOptional() @IsString() @Length(1, 500) callbackPrompt?: string;
  /** Inbound calls: the question a caller whose wait timed out is asked (queueTimeoutOffer `choice`). */
  @IsOptional() @IsString() @Length(1, 500) queueChoicePrompt?: string;
  /** Agents' devices (seed): where each agent's calls ring unless set through `PUT /v1/agents/{id}/device`. */
  @IsOptional() @IsArray() @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => AgentSeedConfig) agents?: AgentSeedConfig[];
}

/**
 * `providers.`: each provider's own settings, as its descriptor declares them (providers.ts).
 * The properties and their checks are laid on in the list's order, so errors read as before.
 */
export type ProvidersConfig = ProvidersSettings;

/** The class class-validator checks `providers.` with (its properties come from the descriptors). */
export class ProvidersConfigSchema {}
for (const provider of PROVIDERS as readonly AnyProviderDescriptor[]) {
  for (const [key, decorators] of Object.entries(provider.config?.properties ?? {})) {
    for (const decorate of decorators as readonly PropertyDecorator[]) decorate(ProvidersConfigSchema.prototype, key);
  }
}

export class AppConfig {
  @IsIn(['development', 'production', 'test']) env!: 'development' | 'production' | 'test';
  @ValidateNested() @Type(() => HttpConfig) http!: HttpConfig;
  @ValidateNested() @Type(() => DatabaseConfig) database!: DatabaseConfig;
  @ValidateNested() @Type(() => RedisConfig) redis!: RedisConfig;
  @ValidateNested() @Type(() => AuthConfig) auth!: AuthConfig;
  @ValidateNested() @Type(() => LogConfig) log!: LogConfig;
  @ValidateNested() @Type(() => MetricsConfig) metrics!: MetricsConfig;
  @ValidateNested() @Type(() => HealthConfig) health!: HealthConfig;
  @ValidateNested() @Type(() => ShutdownConfig) shutdown!: ShutdownConfig;
  @ValidateNested() @Type(() => IdempotencyConfig) idempotency!: IdempotencyConfig;
  @ValidateNested() @Type(() => EventsConfig) events!: EventsConfig;
  @ValidateNested() @Type(() => RateLimitsConfig) rateLimits!: RateLimitsConfig;
  @ValidateNested() @Type(() => DefaultsConfig) defaults!: DefaultsConfig;
  @ValidateNested() @Type(() => SimulatorConfig) simulator!: SimulatorConfig;
  @ValidateNested() @Type(() => RoutingConfig) routing!: RoutingConfig;
  @ValidateNested() @Type(() => MediaConfig) media!: MediaConfig;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => TenantConfig)
  tenants?: TenantConfig[];
  @ValidateNested() @Type(() => ProvidersConfigSchema) providers!: ProvidersConfig;
}
