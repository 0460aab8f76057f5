import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { isUuid } from '../../common/http/uuid';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditResource, diff } from '../audit/audit.types';
import { TeamAccessService } from '../teams/team-access.service';
import { ProjectEntity } from './entities/project.entity';
import { isProjectSlug } from './project-slug';
import { ProjectErrors } from './projects.errors';
import { ProjectsRepository } from './projects.repository';

export interface CreateProjectInput {
  teamId: string;
  name: string;
  slug: string;
}

/** Projects (SPEC §2.5). Users act by team role, agent keys within their own team (permissions checked by the guard). */
@Injectable()
export class ProjectsService {
  constructor(
    private readonly ds: DataSource,
    private readonly projects: ProjectsRepository,
    private readonly access: TeamAccessService,
    private readonly audit: AuditService,
  ) {}

  async list(who: Principal, teamIdFilter?: string): Promise<ProjectEntity[]> {
    return this.projects.listActive(await this.access.scopeTeamIds(who, teamIdFilter));
  }

  /** A live project in a team the caller can access; null for unknown, deleted, malformed or foreign ids. */
  async findVisible(who: Principal, id: string, m?: EntityManager): Promise<ProjectEntity | null> {
    const project = isUuid(id) ? await this.projects.findActive(id.toLowerCase(), m) : null;
    if (!project) return null;
    return (await this.access.isTeamVisible(who, project.teamId, m)) ? project : null;
  }

  async get(who: Principal, id: string): Promise<ProjectEntity> {
    const project = await this.findVisible(who, id);
    if (!project) throw new NotFoundException(ProjectErrors.notFound);
    return project;
  }

  /**
   * Re-reads a live project inside a transaction and share-locks it, so a row that hangs off it (an app)
   * cannot be created under a project that a concurrent request is deleting.
   */
  lockActive(id: string, m: EntityManager): Promise<ProjectEntity | null> {
    return this.projects.lockActive(id, m);
  }

  /**
   * The checks of POST /projects before its transaction: slug format, then admin role in the team (a malformed
   * or foreign team_id is "Not a member of this team", never a 400). Returns the normalised team id. The
   * create itself is a use case of the cascades module (slug reuse purges what hangs off the old project).
   */
  async checkCreate(who: Principal, input: CreateProjectInput): Promise<string> {
    if (!isProjectSlug(input.slug)) throw new BadRequestException(ProjectErrors.slugFormat);
    const teamId = isUuid(input.teamId) ? input.teamId.toLowerCase() : input.teamId;
    await this.access.assertRole(who, teamId, TeamRole.Admin);
    return teamId;
  }

  /** Soft-deleted projects of the team holding `slug` ((team_id, slug) is unique over all rows), locked for purging. */
  lockDeletedBySlug(teamId: string, slug: string, m: EntityManager): Promise<string[]> {
    return this.projects.lockDeletedBySlug(teamId, slug, m);
  }

  /** Inserts the project with its audit entry, inside the caller's transaction. */
  async insert(who: Principal, teamId: string, input: CreateProjectInput, m: EntityManager): Promise<ProjectEntity> {
    const project = await this.projects.insert({ teamId, name: input.name, slug: input.slug }, m);
    await this.audit.record(m, {
      teamId,
      actor: who,
      action: AuditAction.Create,
      resourceType: AuditResource.Project,
      resourceId: project.id,
      metadata: { name: project.name, slug: project.slug },
    });
    return project;
  }

  /** Removes projects for good (whatever hangs off them was purged first by the caller). */
  purge(ids: string[], m: EntityManager): Promise<void> {
    return this.projects.purge(ids, m);
  }

  async rename(who: Principal, id: string, newName: string): Promise<ProjectEntity> {
    const name = newName;
    const project = await this.get(who, id);
    await this.access.assertRole(who, project.teamId, TeamRole.Admin);
    await this.ds.transaction(async (m) => {
      if (!(await this.projects.rename(project.id, name, m))) throw new NotFoundException(ProjectErrors.notFound);
      await this.audit.record(m, {
        teamId: project.teamId,
        actor: who,
        action: AuditAction.Update,
        resourceType: AuditResource.Project,
        resourceId: project.id,
        changes: diff({ name: [project.name, name] }, ['name']),
      });
    });
    return { ...project, name };
  }

  /** The checks of DELETE /projects/:id before its transaction: visible (404), then admin role (403). */
  async checkDelete(who: UserPrincipal, id: string): Promise<ProjectEntity> {
    const project = await this.get(who, id);
    await this.access.assertRole(who, project.teamId, TeamRole.Admin);
    return project;
  }

  /** Soft-deletes a live project with the deletion's timestamp; false when it was already gone. */
  softDelete(id: string, at: Date, m: EntityManager): Promise<boolean> {
    return this.projects.softDelete(id, at, m);
  }

  /** A team deletion's part here: every live project of the team, with its timestamp; returns their ids. */
  softDeleteForTeam(teamId: string, at: Date, m: EntityManager): Promise<string[]> {
    return this.projects.softDeleteForTeam(teamId, at, m);
  }
}
