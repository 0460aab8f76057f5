import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { UserPrincipal } from '../../common/auth/principal';
import { CurrentPrincipal, Public, UserOnly } from '../../common/decorators/auth.decorators';
import { AcceptInvitationUseCase } from './accept-invitation.usecase';
import { AcceptInvitationDto } from './dto/invitations.dto';
import { InvitationsErrors } from './invitations.errors';
import { toPublicInvitationResponse } from './invitations.mapper';
import { InvitationsService } from './invitations.service';

/** The invitee's side (§2.4): public lookup by token, and acceptance. */
@Controller('invites')
export class InvitesController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly acceptInvitation: AcceptInvitationUseCase,
  ) {}

  @Public()
  @Get(':token')
  async lookup(@Param('token') token: string) {
    return toPublicInvitationResponse(await this.invitations.lookup(token));
  }

  @Post('accept')
  @HttpCode(200)
  @UserOnly(InvitationsErrors.onlyUsersAccept)
  async accept(@CurrentPrincipal() who: UserPrincipal, @Body() body: AcceptInvitationDto) {
    const result = await this.acceptInvitation.execute(who, body.token);
    return { team_id: result.teamId, team_name: result.teamName, role: result.role };
  }
}
