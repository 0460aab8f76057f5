import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditResource } from '../audit/audit.types';
import { TeamEntity } from './entities/team.entity';
import { MembershipRow, TeamsRepository } from './teams.repository';

/** Slug of a personal team: the name lower-cased, runs outside [a-z0-9] → "-", trimmed of "-" ("team" if empty). */
export function personalTeamSlug(name: string, userId: string): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'team';
  return `${base}-${userId.slice(0, 8)}`;
}

@Injectable()
export class TeamsService {
  constructor(
    private readonly teams: TeamsRepository,
    private readonly audit: AuditService,
  ) {}

  membershipsOf(userId: string, m?: EntityManager): Promise<MembershipRow[]> {
    return this.teams.membershipsOf(userId, m);
  }

  findActive(teamId: string, m?: EntityManager): Promise<TeamEntity | null> {
    return this.teams.findActive(teamId, m);
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
        teamId: team.id, actor, action: AuditAction.Create, resourceType: AuditResource.TeamMember,
        resourceId: user.id, metadata: { role: TeamRole.Owner },
      },
    );
    return team;
  }
}
