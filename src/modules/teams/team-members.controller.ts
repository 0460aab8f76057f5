import { Body, Controller, Delete, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { UserPrincipal } from '../../common/auth/principal';
import { TEAM_ROLES, TeamRole, requiresRoleMessage } from '../../common/auth/team-role';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { listOf, object } from '../../common/openapi/schemas';
import { ChangeMemberRoleDto, RemoveMemberQueryDto } from './dto/teams.dto';
import { TeamMembersService } from './team-members.service';
import { toMemberAgentKeyResponse, toMemberResponse } from './teams.mapper';
import { TeamsErrors } from './teams.errors';

/**
 * Members (§2.3). Removal and the agent-key list are open to every member at the guard; the service
 * asks for admin+ when the caller acts on someone else (leaving and one's own keys need no role).
 */
@ApiTags('Teams')
@Controller('teams/:teamId/members')
export class TeamMembersController {
  constructor(private readonly members: TeamMembersService) {}

  @Get()
  @Access({ usersOnly: TeamsErrors.onlyUsersListMembers, teamRole: TeamRole.Member })
  @ApiOperation({ summary: 'List the members of a team (joined_at ascending)' })
  @ApiOk(listOf('members', 'Member'))
  async list(@Param('teamId') teamId: string) {
    return { members: (await this.members.list(teamId)).map(toMemberResponse) };
  }

  @Patch(':userId')
  @Access({ usersOnly: TeamsErrors.onlyUsersChangeRoles, teamRole: TeamRole.Admin })
  @ApiOperation({ summary: "Change a member's role" })
  @ApiOk(object({ user_id: { type: 'string', format: 'uuid' }, role: { type: 'string', enum: [...TEAM_ROLES] } }))
  @ApiErrors(
    [400, TeamsErrors.validRoleRequired, TeamsErrors.ownRole, TeamsErrors.lastOwner],
    [403, TeamsErrors.onlyOwnersPromote, TeamsErrors.equalOrHigherRole],
    [404, TeamsErrors.memberNotFound],
  )
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
  @Access({ usersOnly: TeamsErrors.onlyUsersRemoveMembers, teamRole: TeamRole.Member })
  @ApiOperation({
    summary: 'Remove a member, or leave the team (userId = caller)',
    description:
      'Removing someone else needs the admin role or higher. With `revoke_agent_keys=true` (exactly), the agent keys the removed user created in this team are revoked.',
  })
  @ApiOk(object({ removed: { type: 'boolean', enum: [true] }, revoked_agent_keys: { type: 'integer' } }))
  @ApiErrors(
    [400, TeamsErrors.soleOwnerLeaving],
    [403, requiresRoleMessage(TeamRole.Admin), TeamsErrors.removeEqualOrHigher],
    [404, TeamsErrors.memberNotFound],
  )
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
  @Access({ usersOnly: TeamsErrors.onlyUsersViewAgentKeys, teamRole: TeamRole.Member })
  @ApiOperation({ summary: 'Agent keys a member created in this team (admin+, or the member themselves)' })
  @ApiOk(listOf('keys', 'MemberAgentKey'))
  @ApiErrors([403, requiresRoleMessage(TeamRole.Admin)])
  async agentKeys(@CurrentPrincipal() who: UserPrincipal, @Param('teamId') teamId: string, @Param('userId') userId: string) {
    return { keys: (await this.members.agentKeys(who, teamId, userId)).map(toMemberAgentKeyResponse) };
  }
}
