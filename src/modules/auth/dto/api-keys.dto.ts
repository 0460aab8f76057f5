import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyType, Permission } from '../../../common/auth/permission';
import {
  CrossCheck,
  IsAnyJson,
  IsInteger,
  IsOneOf,
  IsText,
  IsUuidText,
  RequireAnyField,
  RequireFields,
  isMissing,
} from '../../../common/pipes/validation';

export class ListApiKeysQuery {
  @IsUuidText() team_id?: string;
}

@RequireFields(['name', 'key_type'], 'name and key_type required')
export class CreateApiKeyDto {
  @IsOneOf([ApiKeyType.Client, ApiKeyType.Agent], "key_type must be 'client' or 'agent'") key_type: ApiKeyType;

  /** §2.2 orders the per-type requirements before any type/length error. */
  @CrossCheck((b) => {
    if (b.key_type === ApiKeyType.Client && isMissing(b.app_id)) return 'Client keys require an app_id';
    if (b.key_type === ApiKeyType.Agent && isMissing(b.app_id) && isMissing(b.team_id)) return 'Agent keys require a team_id or app_id';
    return null;
  })
  readonly requirements?: never;

  @IsText() name: string;
  @ApiProperty({ format: 'uuid', description: "Required for client keys; the key's team comes from the app." })
  @IsText({ max: Number.MAX_SAFE_INTEGER })
  app_id?: string;
  @ApiProperty({ format: 'uuid', description: 'Required for agent keys without app_id.' })
  @IsText({ max: Number.MAX_SAFE_INTEGER })
  team_id?: string;
  @IsInteger({ min: 1, max: 3650, message: 'expires_in_days must be an integer between 1 and 3650' }) expires_in_days?: number;
  /** Validated after the role check (§1.8 texts). */
  @IsAnyJson({
    enum: Object.values(Permission),
    isArray: true,
    description: 'Default: every permission the key type allows (client keys: `events:write`; agent keys: every other permission).',
  })
  permissions?: unknown;
}

@RequireAnyField(['name', 'permissions'], 'At least one field to update is required')
export class UpdateApiKeyDto {
  @IsText() name?: string;
  /** Validated against the key's own type after the lookup and role check. */
  @IsAnyJson({ enum: Object.values(Permission), isArray: true }) permissions?: unknown;
}
