import { Body, Controller, Delete, Get, Param, Patch, Query } from '@nestjs/common';
import { UserPrincipal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { CurrentPrincipal, RequireTeamRole, UserOnly } from '../../common/decorators/auth.decorators';
import { ChangeMemberRoleDto, RemoveMemberQueryDto } from './dto/teams.dto';
import { TeamMembersService } from './team-members.service';
import { toMemberAgentKeyResponse, toMemberResponse } from './teams.mapper';
import { TeamsErrors } from './teams.errors';

/**
 * Members (§2.3). Removal and the agent-key list are open to every member at the guard; the service
 * asks for admin+ when the caller acts on someone else (leaving and one's own keys need no role).
 */
@Controller('teams/:teamId/members')
export class TeamMembersController {
  constructor(private readonly members: TeamMembersService) {}

  @Get()
  @UserOnly(TeamsErrors.onlyUsersListMembers)
  @RequireTeamRole(TeamRole.Member)
  async list(@Param('teamId') teamId: string) {
    return { members: (await this.members.list(teamId)).map(toMemberResponse) };
  }

  @Patch(':userId')
  @UserOnly(TeamsErrors.onlyUsersChangeRoles)
  @RequireTeamRole(TeamRole.Admin)
  async changeRole(
    @CurrentPrincipal() who: UserPrincipal,
    @Param('teamId') teamId: string,
    @Param('userId') userId: string,
    @Body() body: ChangeMemberRoleDto,
  ) {
    const result = await this.members.changeRole(who, teamId, userId, body.role);
    return { user_id: result.userId, role: result.role };
  }

  @Delete(':userId')
  @UserOnly(TeamsErrors.onlyUsersRemoveMembers)
  @RequireTeamRole(TeamRole.Member)
  async remove(
    @CurrentPrincipal() who: UserPrincipal,
    @Param('teamId') teamId: string,
    @Param('userId') userId: string,
    @Query() query: RemoveMemberQueryDto,
  ) {
    const result = await this.members.remove(who, teamId, userId, query.revoke_agent_keys === 'true');
    return { removed: true, revoked_agent_keys: result.revokedAgentKeys };
  }

  @Get(':userId/agent-keys')
  @UserOnly(TeamsErrors.onlyUsersViewAgentKeys)
  @RequireTeamRole(TeamRole.Member)
  async agentKeys(@CurrentPrincipal() who: UserPrincipal, @Param('teamId') teamId: string, @Param('userId') userId: string) {
    return { keys: (await this.members.agentKeys(who, teamId, userId)).map(toMemberAgentKeyResponse) };
  }
}
