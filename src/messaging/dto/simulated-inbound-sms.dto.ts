import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsString, Length, MaxLength, ValidateNested } from 'class-validator';
import { Omittable } from '../../common/errors/validation';
import { MAX_SIMULATED_MEDIA } from '../domain/simulated-media';

/** One picture of a simulated MMS: base64 `data` with its `contentType`, or a base64 `data:` URL. */
export class SimulatedMediaDto {
  /** A passive image type (image/jpeg, image/png, image/gif, image/webp, …); may come from a data: URL instead. */
  @Omittable() @IsString() @MaxLength(200) contentType?: string;
  /** Base64, or `data:image/png;base64,…`; at most simulator.mediaMaxBytes once decoded. */
  @IsString() data!: string;
}

export class SimulatedInboundSmsDto {
  @IsString() @Length(1, 40) from!: string;
  @IsString() @Length(1, 40) to!: string;
  @IsString() @MaxLength(1600) body!: string;
  /** Pictures the customer sends with the text (a simulated MMS). */
  @Omittable() @IsArray() @ArrayMaxSize(MAX_SIMULATED_MEDIA) @ValidateNested({ each: true }) @Type(() => SimulatedMediaDto)
  media?: SimulatedMediaDto[];
}
