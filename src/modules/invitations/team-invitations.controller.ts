import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { UserPrincipal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { CurrentPrincipal, RequireTeamRole, UserOnly } from '../../common/decorators/auth.decorators';
import { CreateInvitationDto } from './dto/invitations.dto';
import { InvitationsErrors } from './invitations.errors';
import { toInvitationResponse } from './invitations.mapper';
import { InvitationsService } from './invitations.service';
import { SendInvitationUseCase } from './send-invitation.usecase';

/** Invitations of one team (§2.4). */
@Controller('teams/:teamId/invitations')
export class TeamInvitationsController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly sendInvitation: SendInvitationUseCase,
  ) {}

  @Post()
  @UserOnly(InvitationsErrors.onlyUsersSend)
  @RequireTeamRole(TeamRole.Admin)
  async create(@CurrentPrincipal() who: UserPrincipal, @Param('teamId') teamId: string, @Body() body: CreateInvitationDto) {
    return toInvitationResponse(await this.sendInvitation.execute(who, teamId, { email: body.email, role: body.role }));
  }

  @Get()
  @UserOnly(InvitationsErrors.onlyUsersList)
  @RequireTeamRole(TeamRole.Member)
  async list(@Param('teamId') teamId: string) {
    return { invitations: (await this.invitations.pending(teamId)).map(toInvitationResponse) };
  }

  @Delete(':invitationId')
  @UserOnly(InvitationsErrors.onlyUsersRevoke)
  @RequireTeamRole(TeamRole.Admin)
  async revoke(@CurrentPrincipal() who: UserPrincipal, @Param('teamId') teamId: string, @Param('invitationId') invitationId: string) {
    await this.invitations.revoke(who, teamId, invitationId);
    return { deleted: true };
  }
}
