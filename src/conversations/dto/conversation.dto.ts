import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsOptional, IsString, Length, MaxLength, ValidateNested } from 'class-validator';
import { PageQuery } from '../../common/http/paging';
import { ContactInputDto } from '../../contacts/dto/contact-input.dto';
import { Omittable } from '../../common/errors/validation';

export class ChatLinkDto {
  @IsString() @Length(1, 200) sessionId!: string;
  @Omittable() @IsIn(['web', 'mobile']) origin?: 'web' | 'mobile';
}

export class CreateConversationDto {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ContactInputDto) contact!: ContactInputDto;
  @Omittable() @IsObject() @ValidateNested() @Type(() => ChatLinkDto) chat?: ChatLinkDto;
  @Omittable() @IsString() @Length(1, 200) agentId?: string;
  /** Screen-pop data pushed by the customer's app (at most 16 KiB as JSON). */
  @Omittable() @IsObject() context?: Record<string, unknown>;
}

export class ListConversationsQuery extends PageQuery {
  @IsOptional() @IsIn(['active', 'wrap-up', 'closed']) status?: 'active' | 'wrap-up' | 'closed';
  @IsOptional() @IsString() @MaxLength(200) contactId?: string;
  @IsOptional() @IsString() @MaxLength(200) agentId?: string;
  /** `me` (the caller's), `none` (the queue) or an agent's id. */
  @IsOptional() @IsString() @Length(1, 200) assigned?: string;
}

export class WrapUpDto {
  @IsString() @Length(1, 100) disposition!: string;
  @Omittable() @IsString() @MaxLength(4000) notes?: string;
}
