import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsString, Length, MaxLength, ValidateNested } from 'class-validator';
import { Omittable } from '../../common/errors/validation';
import { SMS_PROVIDERS, type SmsProviderName } from '../../providers/providers';

export const MAX_BODY_LENGTH = 1600;

export class TemplateDto {
  @IsString() @Length(1, MAX_BODY_LENGTH) text!: string;
  @Omittable() @IsObject() params?: Record<string, string>;
}

/** POST /v1/conversations/:id/messages */
export class SendMessageDto {
  @Omittable() @IsString() @MaxLength(MAX_BODY_LENGTH) body?: string;
  @Omittable() @IsObject() @ValidateNested() @Type(() => TemplateDto) template?: TemplateDto;
  /** Each is checked by publicUrlProblem in the service, so an error names `mediaUrls.N`. */
  @Omittable() @IsArray() @ArrayMaxSize(10) @IsString({ each: true, message: 'must hold URLs' })
  mediaUrls?: string[];
  @Omittable() @IsString() @MaxLength(40) to?: string;
  @Omittable() @IsIn(SMS_PROVIDERS) provider?: SmsProviderName;
}
