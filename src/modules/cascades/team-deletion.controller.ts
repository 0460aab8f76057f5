import { Controller, Delete, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { UserPrincipal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { TeamsErrors } from '../teams/teams.errors';
import { DeleteTeamUseCase } from './delete-team.usecase';

/** `DELETE /v1/teams/:teamId` (§2.3): the deletion reaches every module that hangs off a team. */
@ApiTags('Teams')
@Controller('teams')
export class TeamDeletionController {
  constructor(private readonly deleteTeam: DeleteTeamUseCase) {}

  @Delete(':teamId')
  @Access({ usersOnly: TeamsErrors.onlyUsersDelete, teamRole: TeamRole.Owner })
  @ApiOperation({ summary: 'Delete a team with its projects, apps, keys, memberships, invitations and definitions' })
  @ApiOk('Deleted')
  @ApiErrors([400, TeamsErrors.onlyTeam], [404, TeamsErrors.teamNotFound])
  async remove(@CurrentPrincipal() who: UserPrincipal, @Param('teamId') teamId: string) {
    await this.deleteTeam.execute(who, teamId);
    return { deleted: true };
  }
}
