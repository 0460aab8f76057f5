import { toIso } from '../../common/http/timestamp';
import { TeamEntity } from './entities/team.entity';
import { MemberRow, MembershipRow } from './teams.types';

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

export const toTeamResponse = (t: TeamEntity): TeamResponse => ({
  id: t.id,
  name: t.name,
  slug: t.slug,
  created_at: toIso(t.createdAt),
  updated_at: toIso(t.updatedAt),
});

export interface MemberResponse {
  user_id: string;
  email: string;
  name: string;
  role: string;
  joined_at: string;
}

export const toMemberResponse = (r: MemberRow): MemberResponse => ({
  user_id: r.userId,
  email: r.email,
  name: r.name,
  role: r.role,
  joined_at: toIso(r.joinedAt),
});

export interface MemberAgentKeyResponse {
  id: string;
  name: string;
  key_prefix: string;
  permissions: string[];
  created_at: string;
}

/** The short key shape of `GET /teams/:teamId/members/:userId/agent-keys` (§2.3). */
export const toMemberAgentKeyResponse = (k: {
  id: string;
  name: string;
  keyPrefix: string;
  permissions: string[];
  createdAt: Date;
}): MemberAgentKeyResponse => ({
  id: k.id,
  name: k.name,
  key_prefix: k.keyPrefix,
  permissions: k.permissions,
  created_at: toIso(k.createdAt),
});
