import { TeamRole } from '../../common/auth/team-role';

/** A team as seen by one member. */
export interface MembershipRow {
  id: string;
  name: string;
  slug: string;
  role: TeamRole;
  joinedAt: Date;
}

/** A member of a team with the user's email and name (§2.0 Member). */
export interface MemberRow {
  userId: string;
  email: string;
  name: string;
  role: TeamRole;
  joinedAt: Date;
}
