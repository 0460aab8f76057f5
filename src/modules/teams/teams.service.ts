import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditResource, diff } from '../audit/audit.types';
import { TeamEntity } from './entities/team.entity';
import { TEAM_SLUG_RE, TeamsErrors } from './teams.errors';
import { TeamsRepository } from './teams.repository';
import { MemberRow, MembershipRow } from './teams.types';

/** Slug of a personal team: the name lower-cased, runs outside [a-z0-9] → "-", trimmed of "-" ("team" if empty). */
export function personalTeamSlug(name: string, userId: string): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'team';
  return `${base}-${userId.slice(0, 8)}`;
}

/** Teams themselves (create, rename, and the team's own part of a deletion) plus the membership lookups other modules build on. */
@Injectable()
export class TeamsService {
  constructor(
    private readonly ds: DataSource,
    private readonly teams: TeamsRepository,
    private readonly audit: AuditService,
  ) {}

  membershipsOf(userId: string, m?: EntityManager): Promise<MembershipRow[]> {
    return this.teams.membershipsOf(userId, m);
  }

  findActive(teamId: string, m?: EntityManager): Promise<TeamEntity | null> {
    return this.teams.findActive(teamId, m);
  }

  /** Members of a team, oldest membership first. */
  membersOf(teamId: string, m?: EntityManager): Promise<MemberRow[]> {
    return this.teams.membersOf(teamId, m);
  }

  /** A user's role in a live team, or null. */
  roleOf(userId: string, teamId: string, m?: EntityManager): Promise<TeamRole | null> {
    return this.teams.roleOf(userId, teamId, m);
  }

  /**
   * Adds a member unless they already belong to the team (invitation acceptance). Returns whether a
   * membership was created and the user's role afterwards (an existing role is kept).
   */
  async addMemberIfAbsent(teamId: string, userId: string, role: TeamRole, m: EntityManager): Promise<{ created: boolean; role: TeamRole }> {
    if (await this.teams.insertMemberIfAbsent(teamId, userId, role, m)) return { created: true, role };
    const existing = await this.teams.findMember(teamId, userId, m);
    return { created: false, role: existing?.role ?? role };
  }

  /**
   * The team a new user gets at signup (§2.1), with its audit entries (`team` create; `team_member` create).
   * Runs inside the signup transaction.
   */
  async createPersonalTeam(user: { id: string; name: string }, actor: Principal, m: EntityManager): Promise<TeamEntity> {
    const team = await this.teams.insertTeam(`${user.name}'s Team`, personalTeamSlug(user.name, user.id), m);
    await this.teams.insertMember(team.id, user.id, TeamRole.Owner, m);
    await this.audit.record(
      m,
      { teamId: team.id, actor, action: AuditAction.Create, resourceType: AuditResource.Team, resourceId: team.id },
      {
        teamId: team.id,
        actor,
        action: AuditAction.Create,
        resourceType: AuditResource.TeamMember,
        resourceId: user.id,
        metadata: { role: TeamRole.Owner },
      },
    );
    return team;
  }

  /** POST /teams: the caller becomes owner. Slugs are unique over all rows, soft-deleted ones included. */
  async create(actor: UserPrincipal, input: { name: string; slug: string }): Promise<TeamEntity> {
    if (!TEAM_SLUG_RE.test(input.slug)) throw new BadRequestException(TeamsErrors.invalidSlug);
    if (await this.teams.slugExists(input.slug)) throw new ConflictException(TeamsErrors.slugTaken);
    // A concurrent create that takes the slug after the pre-check hits teams_slug_key: 409 (ErrorTranslationInterceptor).
    return this.ds.transaction(async (m) => {
      const team = await this.teams.insertTeam(input.name, input.slug, m);
      await this.teams.insertMember(team.id, actor.userId, TeamRole.Owner, m);
      await this.audit.record(
        m,
        {
          teamId: team.id,
          actor,
          action: AuditAction.Create,
          resourceType: AuditResource.Team,
          resourceId: team.id,
          metadata: { name: team.name, slug: team.slug },
        },
        {
          teamId: team.id,
          actor,
          action: AuditAction.Create,
          resourceType: AuditResource.TeamMember,
          resourceId: actor.userId,
          metadata: { role: TeamRole.Owner },
        },
      );
      return team;
    });
  }

  /** Team plus nothing else; 404 when the team vanished after the role check. */
  async get(teamId: string): Promise<TeamEntity> {
    const team = await this.teams.findActive(teamId.toLowerCase());
    if (!team) throw new NotFoundException(TeamsErrors.teamNotFound);
    return team;
  }

  async rename(actor: UserPrincipal, teamId: string, name: string): Promise<TeamEntity> {
    const id = teamId.toLowerCase();
    return this.ds.transaction(async (m) => {
      if (!(await this.teams.lockActive(id, m))) throw new NotFoundException(TeamsErrors.teamNotFound);
      const before = await this.teams.findActive(id, m);
      if (!before) throw new NotFoundException(TeamsErrors.teamNotFound);
      const team = await this.teams.rename(id, name, m);
      await this.audit.record(m, {
        teamId: id,
        actor,
        action: AuditAction.Update,
        resourceType: AuditResource.Team,
        resourceId: id,
        changes: diff({ name: [before.name, name] }, ['name']),
      });
      return team;
    });
  }

  /**
   * The checks of DELETE /teams/:teamId, inside the deletion's transaction: locks the actor's live teams in id
   * order (so two deletes touching one user's teams queue instead of both passing the check), then 400 when
   * this is the actor's only team and 404 when the team is already gone.
   */
  async lockForDeletion(actor: UserPrincipal, teamId: string, m: EntityManager): Promise<void> {
    await this.teams.lockTeamsOf(actor.userId, m);
    const others = (await this.teams.membershipsOf(actor.userId, m)).filter((t) => t.id !== teamId);
    if (others.length === 0) throw new BadRequestException(TeamsErrors.onlyTeam);
    if (!(await this.teams.lockActive(teamId, m))) throw new NotFoundException(TeamsErrors.teamNotFound);
  }

  /** Soft-deletes the team (timestamp `at`) and hard-deletes its memberships; the caller cascades the rest. */
  async softDelete(teamId: string, at: Date, m: EntityManager): Promise<void> {
    await this.teams.softDelete(teamId, at, m);
    await this.teams.deleteAllMembers(teamId, m);
  }
}
