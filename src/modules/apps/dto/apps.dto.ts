import { ApiProperty } from '@nestjs/swagger';
import { IsAnyJson, IsOneOf, IsText, IsUuidText, RequireFields } from '../../../common/pipes/validation';
import { AppErrors } from '../apps.errors';
import { APP_PLATFORMS } from '../entities/app.entity';

/** Fields whose bad values get their own answer (platform → "Invalid platform", project_id → 404), never a length error. */
const ANY_LENGTH = Number.MAX_SAFE_INTEGER;

export class ListAppsQuery {
  @IsUuidText({ uuidMessage: AppErrors.teamIdUuid }) team_id?: string;
}

/** Declared in the contract's field order, so type/length errors come out in that order. */
@RequireFields(['name', 'platform', 'project_id'], AppErrors.createRequired)
export class CreateAppDto {
  @ApiProperty({ example: 'Acme iOS' })
  @IsText()
  name: string;
  @ApiProperty({ enum: [...APP_PLATFORMS], example: 'apple' })
  @IsText({ max: ANY_LENGTH })
  platform: string;
  @ApiProperty({ description: 'Required unless the platform is `backend` (which has none).', example: 'com.acme.mobile' })
  @IsText()
  bundle_id?: string;
  @ApiProperty({ format: 'uuid', description: 'The `id` of a project (`POST /v1/projects`).' })
  @IsText({ max: ANY_LENGTH })
  project_id: string;
}

/** Only `name` can change; platform, bundle_id and everything else are ignored (dropped by the whitelist). */
@RequireFields(['name'], AppErrors.updateRequired)
export class UpdateAppDto {
  @IsText() name: string;
}

export class ListAppUsersQuery {
  @IsText({ max: ANY_LENGTH }) search?: string;
  @IsOneOf(['true', 'false'], AppErrors.isAnonymous) is_anonymous?: string;
  /** Decoded after the app lookup: `400 "Invalid cursor"` comes after `404 "App not found"` (§2.6). */
  @IsAnyJson() cursor?: string;
  /** Clamped by normalizeLimit, never an error (§1.5). */
  @IsAnyJson() limit?: string;
}
