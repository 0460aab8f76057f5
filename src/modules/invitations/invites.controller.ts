import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { UserPrincipal } from '../../common/auth/principal';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { AcceptInvitationUseCase } from './accept-invitation.usecase';
import { AcceptInvitationDto } from './dto/invitations.dto';
import { InvitationsErrors, wrongRecipientMessage } from './invitations.errors';
import { toPublicInvitationResponse } from './invitations.mapper';
import { InvitationsService } from './invitations.service';

/** The invitee's side (§2.4): public lookup by token, and acceptance. */
@ApiTags('Invitations')
@Controller('invites')
export class InvitesController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly acceptInvitation: AcceptInvitationUseCase,
  ) {}

  @Access({ public: true })
  @Get(':token')
  @ApiOperation({ summary: 'Look up an invitation by its emailed token' })
  @ApiParam({ name: 'token', description: "The token of the invitation email's link." })
  @ApiOk('PublicInvitation')
  @ApiErrors([404, InvitationsErrors.notFound], [410, InvitationsErrors.alreadyAccepted, InvitationsErrors.expired])
  async lookup(@Param('token') token: string) {
    return toPublicInvitationResponse(await this.invitations.lookup(token));
  }

  @Post('accept')
  @HttpCode(200)
  @Access({ usersOnly: InvitationsErrors.onlyUsersAccept })
  @ApiOperation({ summary: "Accept an invitation sent to the caller's email (single-use)" })
  @ApiOk('AcceptedInvitation')
  @ApiErrors(
    [400, InvitationsErrors.tokenRequired, 'token must be a string'],
    [403, wrongRecipientMessage('<invited email>', '<caller email>')],
    [404, InvitationsErrors.notFound],
    [410, InvitationsErrors.alreadyAccepted, InvitationsErrors.expired],
  )
  async accept(@CurrentPrincipal() who: UserPrincipal, @Body() body: AcceptInvitationDto) {
    const result = await this.acceptInvitation.execute(who, body.token);
    return { team_id: result.teamId, team_name: result.teamName, role: result.role };
  }
}
