import { Controller, Get, Param } from '@nestjs/common';
import { TeamRole } from '../../common/auth/team-role';
import { RequireTeamRole, UserOnly } from '../../common/decorators/auth.decorators';
import { TeamsErrors } from '../teams/teams.errors';
import { toTeamDetailsResponse } from './invitations.mapper';
import { InvitationsService } from './invitations.service';

/**
 * GET /teams/:teamId (§2.3). It lives here rather than in the teams module because the answer embeds
 * the team's pending invitations, and invitations depend on teams, never the other way round.
 */
@Controller('teams')
export class TeamDetailsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Get(':teamId')
  @UserOnly(TeamsErrors.onlyUsersView)
  @RequireTeamRole(TeamRole.Member)
  async get(@Param('teamId') teamId: string) {
    return toTeamDetailsResponse(await this.invitations.teamDetails(teamId));
  }
}
