import { toIso, toIsoOrNull } from '../../common/http/timestamp';
import { TeamEntity } from '../teams/entities/team.entity';
import { MemberResponse, TeamResponse, toMemberResponse, toTeamResponse } from '../teams/teams.mapper';
import { MemberRow } from '../teams/teams.types';
import { InvitationView, TokenInvitationView } from './invitations.repository';

export interface InvitationResponse {
  id: string;
  team_id: string;
  email: string;
  role: string;
  invited_by: { user_id: string; name: string; email: string };
  expires_at: string;
  accepted_at: string | null;
  created_at: string;
}

/** Never carries the token: it travels only in the emailed link. */
export const toInvitationResponse = (i: InvitationView): InvitationResponse => ({
  id: i.id,
  team_id: i.teamId,
  email: i.email,
  role: i.role,
  invited_by: { user_id: i.invitedByUserId, name: i.inviterName, email: i.inviterEmail },
  expires_at: toIso(i.expiresAt),
  accepted_at: toIsoOrNull(i.acceptedAt),
  created_at: toIso(i.createdAt),
});

export interface PublicInvitationResponse {
  team_name: string;
  team_slug: string;
  role: string;
  email: string;
  invited_by_name: string;
  expires_at: string;
}

export const toPublicInvitationResponse = (i: TokenInvitationView): PublicInvitationResponse => ({
  team_name: i.teamName,
  team_slug: i.teamSlug,
  role: i.role,
  email: i.email,
  invited_by_name: i.inviterName,
  expires_at: toIso(i.expiresAt),
});

export interface TeamDetailsResponse extends TeamResponse {
  members: MemberResponse[];
  pending_invitations: InvitationResponse[];
}

export const toTeamDetailsResponse = (d: {
  team: TeamEntity;
  members: MemberRow[];
  invitations: InvitationView[];
}): TeamDetailsResponse => ({
  ...toTeamResponse(d.team),
  members: d.members.map(toMemberResponse),
  pending_invitations: d.invitations.map(toInvitationResponse),
});
