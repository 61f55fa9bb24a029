import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf,
  ValidateNested,
} from 'class-validator';

/** Typed configuration. Every property has a default in config/default.yaml. */
export class HttpConfig {
  @IsString() host!: string;
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) port!: number;
  @Matches(/^https?:\/\/[^/\s]+(\/[^\s]*)?$/, { message: 'must be an absolute http(s) URL' })
  publicBaseUrl!: string;
  @Type(() => Number) @IsInt() @Min(1024) @Max(10 * 1024 * 1024) bodyLimitBytes!: number;
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
}

export class LogConfig {
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) level!: string;
}

export class MetricsConfig {
  @IsString() token!: string;
}

export class HealthConfig {
  @Type(() => Number) @IsInt() @Min(50) @Max(60_000) readyTimeoutMs!: number;
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
}

export class TenantConfig {
  @Matches(/^[a-z0-9][a-z0-9_-]{0,62}$/, { message: 'must be lower-case letters, digits, - or _' })
  id!: string;
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @Matches(/^[A-Z]{2}$/, { message: 'must be a two-letter ISO 3166 region' })
  defaultRegion?: string;
  @IsOptional() @IsArray() @Matches(/^\+[1-9]\d{6,14}$/, { each: true, message: 'must hold E.164 numbers' })
  numbers?: string[];
  @IsOptional() @IsIn(['twilio', 'jambonz', 'simulator']) smsProvider?: 'twilio' | 'jambonz' | 'simulator';
  @IsOptional() @IsIn(['twilio', 'jambonz', 'sip', 'simulator']) voiceProvider?: 'twilio' | 'jambonz' | 'sip' | 'simulator';
  /** Calls need the customer's consent (`consent` on the request), e.g. asked for in the chat. */
  @IsOptional() @IsBoolean() requireConsent?: boolean;
  @IsOptional() @IsArray() @Matches(/^\+[1-9]\d{6,14}$/, { each: true, message: 'must hold E.164 numbers' })
  doNotCall?: string[];
  /** Longest SMS body an agent may type (the contract allows 1,600). */
  @IsOptional() @IsInt() @Min(1) @Max(1600) maxComposeLength?: number;
  /** Agents see phone numbers, e-mails and card/IBAN/SSN-like data masked. */
  @IsOptional() @IsBoolean() maskSensitiveData?: boolean;
}

export class TwilioConfig {
  @IsString() accountSid!: string;
  @IsString() authToken!: string;
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an absolute http(s) URL' }) apiBaseUrl!: string;
}

export class JambonzConfig {
  @ValidateIf((o: JambonzConfig) => o.apiBaseUrl !== '')
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an absolute http(s) URL or empty' })
  apiBaseUrl!: string;
  @IsString() accountSid!: string;
  @IsString() apiKey!: string;
  @IsString() webhookSecret!: string;
}

export class DrachtioConfig {
  @IsString() host!: string;
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) port!: number;
  @IsString() secret!: string;
}

export class ProvidersConfig {
  @ValidateNested() @Type(() => TwilioConfig) twilio!: TwilioConfig;
  @ValidateNested() @Type(() => JambonzConfig) jambonz!: JambonzConfig;
  @ValidateNested() @Type(() => DrachtioConfig) drachtio!: DrachtioConfig;
  @IsString() sipTrunkUri!: string;
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
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => TenantConfig)
  tenants?: TenantConfig[];
  @ValidateNested() @Type(() => ProvidersConfig) providers!: ProvidersConfig;
}
