import { TEAM_ROLES, TeamRole } from '../../../common/auth/team-role';
import { IsAnyJson, IsOneOf, IsText, RequireFields } from '../../../common/pipes/validation';
import { TeamsErrors } from '../teams.errors';

/** The slug pattern is checked by the service, after these type/length checks (§2.3 order). */
@RequireFields(['name', 'slug'], TeamsErrors.nameAndSlugRequired)
export class CreateTeamDto {
  @IsText() name: string;
  @IsText() slug: string;
}

@RequireFields(['name'], TeamsErrors.noFieldToUpdate)
export class UpdateTeamDto {
  @IsText() name: string;
}

@RequireFields(['role'], TeamsErrors.validRoleRequired)
export class ChangeMemberRoleDto {
  @IsOneOf(TEAM_ROLES, TeamsErrors.validRoleRequired) role: TeamRole;
}

export class RemoveMemberQueryDto {
  /** Exactly `true` enables revocation; any other value means off (§2.3). */
  @IsAnyJson() revoke_agent_keys?: string;
}
