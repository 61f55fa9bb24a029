import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min } from 'class-validator';

/** `providers.drachtio`: the drachtio-server the SIP adapter controls; an empty host leaves SIP unconfigured. */
export class DrachtioConfig {
  @IsString() host!: string;
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) port!: number;
  @IsString() secret!: string;
}
