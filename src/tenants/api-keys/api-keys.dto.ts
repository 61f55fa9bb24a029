import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Length, Matches } from 'class-validator';
import { ROLES, type Role } from '../../common/auth/principal';
import { Omittable } from '../../common/errors/validation';

/** A new API key for a machine client of the caller's tenant. */
export class CreateApiKeyDto {
  /** What the key is for (shown in the list; not unique). */
  @IsString() @Length(1, 100) name!: string;
  /** The roles the key grants; never more than the creating admin holds. */
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(3) @ArrayUnique() @IsIn(ROLES, { each: true }) roles!: Role[];
  /** The agent the key acts as: required with the `agent` role, optional otherwise. */
  @Omittable() @IsString() @Length(1, 200) @Matches(/^\S+$/, { message: 'must hold no spaces' }) agentId?: string;
}
