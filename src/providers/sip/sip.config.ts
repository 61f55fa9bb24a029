import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min, ValidateBy } from 'class-validator';

/** `providers.drachtio`: the drachtio-server the SIP adapter controls; an empty host leaves SIP unconfigured. */
export class DrachtioConfig {
  @IsString() host!: string;
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) port!: number;
  @IsString() secret!: string;
}

/**
 * The trunk's account comes in pairs: a username without its password (or the reverse) would dial
 * unauthenticated, and a trunk's 401 on every call is all anyone would learn. Flags the empty one.
 */
export function SetWhenSet(other: string, otherEnv: string): PropertyDecorator {
  return ValidateBy({
    name: 'setWhenSet',
    validator: {
      validate: (value: unknown, args) => Boolean(value) || !(args?.object as Record<string, unknown>)[other],
      defaultMessage: () => `must be set when providers.${other} (${otherEnv}) is`,
    },
  });
}
