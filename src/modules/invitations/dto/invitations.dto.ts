import { TEAM_ROLES, TeamRole } from '../../../common/auth/team-role';
import { IsAnyJson, IsText, RequireFields } from '../../../common/pipes/validation';
import { InvitationsErrors } from '../invitations.errors';

/** `email` and `role` keep their raw JSON values: their texts ("Valid email is required", "Invalid role") are checked in order by the use case. */
@RequireFields(['email'], InvitationsErrors.emailRequired)
export class CreateInvitationDto {
  @IsAnyJson({ type: 'string', format: 'email', maxLength: 255 }) email: unknown;
  @IsAnyJson({ type: 'string', enum: [...TEAM_ROLES], default: TeamRole.Member }) role?: unknown;
}

@RequireFields(['token'], InvitationsErrors.tokenRequired)
export class AcceptInvitationDto {
  @IsText({ max: Number.MAX_SAFE_INTEGER }) token: string;
}
