import { ConstraintAnswers } from '../../common/errors/db-errors';
/** Contract texts of the invitation endpoints (SPEC §2.4). */
export const InvitationsErrors = {
  onlyUsersSend: 'Only users can send invitations',
  onlyUsersList: 'Only users can list invitations',
  onlyUsersRevoke: 'Only users can revoke invitations',
  onlyUsersAccept: 'Only users can accept invitations',
  emailRequired: 'email is required',
  validEmailRequired: 'Valid email is required',
  invalidRole: 'Invalid role',
  onlyOwnersInviteOwner: 'Only owners can invite members as owner',
  alreadyMember: 'User is already a member of this team',
  invitationExists: 'An invitation for this email already exists',
  sendFailed: 'Failed to send email',
  notFound: 'Invitation not found',
  alreadyAccepted: 'This invitation has already been accepted',
  expired: 'This invitation has expired',
  tokenRequired: 'token is required',
} as const;

export const wrongRecipientMessage = (invited: string, caller: string): string =>
  `This invitation was sent to ${invited}. You are signed in as ${caller}.`;

/** An invitation expires 7 × 24 h after it was (re)sent (§2.4). */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export const TEAM_EMAIL_CONSTRAINT = 'team_invitations_team_email_key';

/** Unique constraints whose violation answers 409 with the contract's text (ErrorTranslationInterceptor). */
export const INVITATIONS_CONSTRAINTS: ConstraintAnswers = { [TEAM_EMAIL_CONSTRAINT]: InvitationsErrors.invitationExists };
