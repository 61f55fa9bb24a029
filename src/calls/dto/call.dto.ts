import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsObject, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Omittable } from '../../common/errors/validation';
import { VOICE_PROVIDERS, type VoiceProviderName } from '../../providers/providers';
import { AGENT_ENDPOINT } from '../domain/agent-endpoint';
import { RING_TIMEOUT_LIMITS } from '../domain/ring-timeout';

export class ConsentDto {
  @IsIn(['chat', 'verbal', 'prior']) via!: 'chat' | 'verbal' | 'prior';
  @Omittable() @IsISO8601({ strict: true }) at?: string;
}

/** POST /v1/conversations/:id/calls */
export class PlaceCallDto {
  @Omittable() @IsString() @MaxLength(40) to?: string;
  /** The agent's device; omitted: the calling agent's own (`PUT /v1/agents/{agentId}/device` or the tenant's seed), else 422. */
  @Omittable() @IsString() @Matches(AGENT_ENDPOINT, { message: 'must be a sip: URI, an E.164 number or user:<name>' }) agentEndpoint?: string;
  @Omittable() @IsString() @MaxLength(40) callerId?: string;
  @Omittable() @IsIn(VOICE_PROVIDERS) provider?: VoiceProviderName;
  @Omittable() @IsObject() @ValidateNested() @Type(() => ConsentDto) consent?: ConsentDto;
  /** How long the customer may ring before the call ends `no-answer` (default: the tenant's `ringTimeoutSeconds`, 45). */
  @Omittable() @IsInt() @Min(RING_TIMEOUT_LIMITS.min) @Max(RING_TIMEOUT_LIMITS.max) ringTimeoutSeconds?: number;
}

export class DtmfDto {
  @IsString() @Matches(/^[0-9*#A-Dw,]{1,64}$/, { message: 'must be 1 to 64 of 0-9 * # A-D w ,' }) digits!: string;
}

export class TransferDto {
  @IsString() @Matches(AGENT_ENDPOINT, { message: 'must be a sip: URI, an E.164 number or user:<name>' }) to!: string;
}
