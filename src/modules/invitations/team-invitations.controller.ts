import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { UserPrincipal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { listOf } from '../../common/openapi/schemas';
import { CreateInvitationDto } from './dto/invitations.dto';
import { TeamsErrors } from '../teams/teams.errors';
import { InvitationsErrors } from './invitations.errors';
import { toInvitationResponse } from './invitations.mapper';
import { InvitationsService } from './invitations.service';
import { SendInvitationUseCase } from './send-invitation.usecase';

/** Invitations of one team (§2.4). */
@ApiTags('Invitations')
@Controller('teams/:teamId/invitations')
export class TeamInvitationsController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly sendInvitation: SendInvitationUseCase,
  ) {}

  @Post()
  @Access({ usersOnly: InvitationsErrors.onlyUsersSend, teamRole: TeamRole.Admin })
  @ApiOperation({
    summary: 'Invite someone by email (or resend a pending invitation)',
    description: 'A pending invitation for the same email is resent: same id, new token, role, inviter and expiry.',
  })
  @ApiOk('Invitation', 201)
  @ApiErrors(
    [400, InvitationsErrors.emailRequired, InvitationsErrors.validEmailRequired, InvitationsErrors.invalidRole],
    [403, InvitationsErrors.onlyOwnersInviteOwner],
    [404, TeamsErrors.teamNotFound],
    [409, InvitationsErrors.alreadyMember, InvitationsErrors.invitationExists],
    [502, InvitationsErrors.sendFailed],
  )
  async create(@CurrentPrincipal() who: UserPrincipal, @Param('teamId') teamId: string, @Body() body: CreateInvitationDto) {
    return toInvitationResponse(await this.sendInvitation.execute(who, teamId, { email: body.email, role: body.role }));
  }

  @Get()
  @Access({ usersOnly: InvitationsErrors.onlyUsersList, teamRole: TeamRole.Member })
  @ApiOperation({ summary: 'Pending invitations of a team (created_at ascending)' })
  @ApiOk(listOf('invitations', 'Invitation'))
  async list(@Param('teamId') teamId: string) {
    return { invitations: (await this.invitations.pending(teamId)).map(toInvitationResponse) };
  }

  @Delete(':invitationId')
  @Access({ usersOnly: InvitationsErrors.onlyUsersRevoke, teamRole: TeamRole.Admin })
  @ApiOperation({ summary: 'Revoke an invitation; its token stops working' })
  @ApiOk('Deleted')
  @ApiErrors([404, InvitationsErrors.notFound])
  async revoke(@CurrentPrincipal() who: UserPrincipal, @Param('teamId') teamId: string, @Param('invitationId') invitationId: string) {
    await this.invitations.revoke(who, teamId, invitationId);
    return { deleted: true };
  }
}
