import { ForbiddenException, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { TeamRole, meetsMinimumRole, requiresRoleMessage } from '../../common/auth/team-role';
import { isUuid } from '../../common/http/uuid';
import { TeamsRepository } from './teams.repository';

export const NOT_A_MEMBER = 'Not a member of this team';

/**
 * The single answer to "may this caller act on this team": used by the access guard for team-scoped
 * routes and by services after loading a resource (`PATCH /apps/:id`). Roles are read on every call, so
 * role changes and removals take effect immediately (§1.7).
 */
@Injectable()
export class TeamAccessService {
  constructor(private readonly teams: TeamsRepository) {}

  /**
   * Users: 403 "Not a member of this team" for non-members (or malformed ids), then the role check.
   * API keys: only their own team; permissions were checked by the guard. Returns the user's role (null for keys).
   */
  async assertRole(principal: Principal, teamId: string, minimum: TeamRole, m?: EntityManager): Promise<TeamRole | null> {
    if (principal.kind === 'api_key') {
      if (principal.teamId !== teamId) throw new ForbiddenException(NOT_A_MEMBER);
      return null;
    }
    const role = isUuid(teamId) ? await this.teams.roleOf(principal.userId, teamId.toLowerCase(), m) : null;
    if (!role) throw new ForbiddenException(NOT_A_MEMBER);
    if (!meetsMinimumRole(role, minimum)) throw new ForbiddenException(requiresRoleMessage(minimum));
    return role;
  }

  /**
   * The one visibility check (§1.7): may this caller see resources of `teamId`? API keys: their own team
   * only; users: teams they are a member of (one indexed lookup). Invisible resources answer their 404.
   */
  async isTeamVisible(principal: Principal, teamId: string, m?: EntityManager): Promise<boolean> {
    if (principal.kind === 'api_key') return principal.teamId === teamId;
    return (await this.roleOf(principal, teamId, m)) !== null;
  }

  /** The caller's role in a live team, or null (keys have no role). */
  roleOf(principal: Principal, teamId: string, m?: EntityManager): Promise<TeamRole | null> {
    if (principal.kind === 'api_key' || !isUuid(teamId)) return Promise.resolve(null);
    return this.teams.roleOf(principal.userId, teamId.toLowerCase(), m);
  }

  /** Ids of the live teams a caller can see. */
  async accessibleTeamIds(principal: Principal, m?: EntityManager): Promise<string[]> {
    if (principal.kind === 'api_key') return [principal.teamId];
    return (await this.teams.membershipsOf(principal.userId, m)).map((t) => t.id);
  }

  /**
   * Resolves an optional `team_id` filter to the team ids to search: all accessible teams, or that one
   * team if accessible, else none (§1.7 visibility: lists come back empty, never 403).
   */
  async scopeTeamIds(principal: Principal, teamIdFilter?: string, m?: EntityManager): Promise<string[]> {
    const all = await this.accessibleTeamIds(principal, m);
    if (teamIdFilter === undefined) return all;
    const wanted = teamIdFilter.toLowerCase();
    return all.includes(wanted) ? [wanted] : [];
  }
}
