import { TeamMembershipResponse, TeamSummaryResponse, toTeamMembershipResponse } from '../teams/teams.mapper';
import { UserResponse, toUserResponse } from '../users/users.mapper';
import { AuthService, SessionResult } from './auth.service';

export interface SessionResponse {
  token: string;
  user: UserResponse;
  teams: TeamMembershipResponse[];
  is_new_user: boolean;
}

export const toSessionResponse = (s: SessionResult): SessionResponse => ({
  token: s.token,
  user: toUserResponse(s.user),
  teams: s.teams.map(toTeamMembershipResponse),
  is_new_user: s.isNewUser,
});

export type WhoamiResponse =
  | { type: 'api_key'; key_type: string; team: TeamSummaryResponse | null; permissions: string[] }
  | { type: 'user'; email: string; teams: TeamMembershipResponse[] };

export const toWhoamiResponse = (w: Awaited<ReturnType<AuthService['whoami']>>): WhoamiResponse =>
  w.kind === 'api_key'
    ? { type: 'api_key', key_type: w.keyType, team: w.team, permissions: w.permissions }
    : { type: 'user', email: w.email, teams: w.teams.map(toTeamMembershipResponse) };
