import { IsEmail, IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { Omittable } from '../../common/errors/validation';

/** A contact as the desktop sends it when creating a conversation. */
export class ContactInputDto {
  @Omittable() @IsString() @MaxLength(40) phone?: string;
  @Omittable() @IsEmail() @MaxLength(254) email?: string;
  @Omittable() @IsString() @Length(1, 200) name?: string;
  @Omittable() @IsString() @Length(1, 200) externalId?: string;
}

/** PATCH /v1/contacts/:id: a field set to null is cleared. */
export class PatchContactDto {
  @ValidateIf((o: PatchContactDto) => o.phone !== null) @IsOptional() @IsString() @MaxLength(40) phone?: string | null;
  @ValidateIf((o: PatchContactDto) => o.email !== null) @IsOptional() @IsEmail() @MaxLength(254) email?: string | null;
  @ValidateIf((o: PatchContactDto) => o.name !== null) @IsOptional() @IsString() @Length(1, 200) name?: string | null;
  @ValidateIf((o: PatchContactDto) => o.externalId !== null) @IsOptional() @IsString() @Length(1, 200) externalId?: string | null;
}

export class ContactLookupQuery {
  @IsString() @Length(1, 40) phone!: string;
}
