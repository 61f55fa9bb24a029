import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsOptional, IsString, IsUrl, Length, MaxLength, ValidateNested } from 'class-validator';

export const MAX_BODY_LENGTH = 1600;

export class TemplateDto {
  @IsString() @Length(1, MAX_BODY_LENGTH) text!: string;
  @IsOptional() @IsObject() params?: Record<string, string>;
}

/** POST /v1/conversations/:id/messages */
export class SendMessageDto {
  @IsOptional() @IsString() @MaxLength(MAX_BODY_LENGTH) body?: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => TemplateDto) template?: TemplateDto;
  @IsOptional() @IsArray() @ArrayMaxSize(10)
  @IsUrl({ protocols: ['https'], require_protocol: true, require_tld: false }, { each: true, message: 'must hold https URLs' })
  mediaUrls?: string[];
  @IsOptional() @IsString() @MaxLength(40) to?: string;
  @IsOptional() @IsIn(['twilio', 'jambonz', 'simulator']) provider?: 'twilio' | 'jambonz' | 'simulator';
}
