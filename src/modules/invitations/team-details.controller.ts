import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TeamRole } from '../../common/auth/team-role';
import { Access } from '../../common/decorators/auth.decorators';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { TeamsErrors } from '../teams/teams.errors';
import { toTeamDetailsResponse } from './invitations.mapper';
import { InvitationsService } from './invitations.service';

/**
 * GET /teams/:teamId (§2.3). It lives here rather than in the teams module because the answer embeds
 * the team's pending invitations, and invitations depend on teams, never the other way round.
 */
@ApiTags('Teams')
@Controller('teams')
export class TeamDetailsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Get(':teamId')
  @Access({ usersOnly: TeamsErrors.onlyUsersView, teamRole: TeamRole.Member })
  @ApiOperation({ summary: 'A team with its members and pending invitations' })
  @ApiOk('TeamDetails')
  @ApiErrors([404, TeamsErrors.teamNotFound])
  async get(@Param('teamId') teamId: string) {
    return toTeamDetailsResponse(await this.invitations.teamDetails(teamId));
  }
}
