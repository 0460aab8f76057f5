import { ApiProperty } from '@nestjs/swagger';
import { IsText, IsUuidText, RequireFields } from '../../../common/pipes/validation';
import { ProjectErrors } from '../projects.errors';

/** team_id problems are answered by the membership check (403), never as a length error. */
const ANY_LENGTH = Number.MAX_SAFE_INTEGER;

export class ListProjectsQuery {
  @IsUuidText({ uuidMessage: ProjectErrors.teamIdUuid }) team_id?: string;
}

@RequireFields(['team_id', 'name', 'slug'], ProjectErrors.createRequired)
export class CreateProjectDto {
  @ApiProperty({ format: 'uuid', description: 'Your personal team is in `teams` of the verify-code answer (or `GET /v1/auth/teams`).' })
  @IsText({ max: ANY_LENGTH })
  team_id: string;
  @ApiProperty({ example: 'Acme Mobile' })
  @IsText()
  name: string;
  @ApiProperty({ example: 'acme-mobile' })
  @IsText()
  slug: string;
}

/** Only `name` can change; the slug and everything else are ignored (dropped by the whitelist). */
@RequireFields(['name'], ProjectErrors.updateRequired)
export class UpdateProjectDto {
  @IsText() name: string;
}
