/** Team roles (SPEC §1.9) and their ranking rules. Pure. */
export enum TeamRole {
  Owner = 'owner',
  Admin = 'admin',
  Member = 'member',
}

export const TEAM_ROLES: readonly TeamRole[] = [TeamRole.Owner, TeamRole.Admin, TeamRole.Member];

const RANK: Record<TeamRole, number> = { [TeamRole.Owner]: 3, [TeamRole.Admin]: 2, [TeamRole.Member]: 1 };

export const isTeamRole = (v: unknown): v is TeamRole => typeof v === 'string' && (TEAM_ROLES as string[]).includes(v);

export const roleRank = (role: TeamRole): number => RANK[role];

/** True when `role` is at least `minimum`. */
export const meetsMinimumRole = (role: TeamRole, minimum: TeamRole): boolean => RANK[role] >= RANK[minimum];

/** An owner may act on anyone; an admin only on members ranked strictly below them; a member on nobody. */
export const canManageRole = (actor: TeamRole, target: TeamRole): boolean =>
  actor === TeamRole.Owner || (actor === TeamRole.Admin && RANK[target] < RANK[actor]);

export const requiresRoleMessage = (minimum: TeamRole): string => `Requires ${minimum} role or higher`;

/** Only owners may grant (or invite as) `owner`; admins may grant the lower roles. */
export const canGrantRole = (actor: TeamRole, role: TeamRole): boolean => role !== TeamRole.Owner || actor === TeamRole.Owner;
