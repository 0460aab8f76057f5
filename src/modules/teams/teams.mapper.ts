import { toIso } from '../../common/http/timestamp';
import { TeamEntity } from './entities/team.entity';
import { MembershipRow } from './teams.repository';

export interface TeamMembershipResponse {
  id: string;
  name: string;
  slug: string;
  role: string;
}

export interface TeamSummaryResponse {
  id: string;
  name: string;
  slug: string;
}

export interface TeamResponse {
  id: string;
  name: string;
  slug: string;
  created_at: string;
  updated_at: string;
}

export const toTeamMembershipResponse = (r: MembershipRow): TeamMembershipResponse => ({
  id: r.id,
  name: r.name,
  slug: r.slug,
  role: r.role,
});

export const toTeamSummaryResponse = (t: { id: string; name: string; slug: string }): TeamSummaryResponse => ({
  id: t.id,
  name: t.name,
  slug: t.slug,
});

export const toTeamResponse = (t: TeamEntity): TeamResponse => ({
  id: t.id,
  name: t.name,
  slug: t.slug,
  created_at: toIso(t.createdAt),
  updated_at: toIso(t.updatedAt),
});
