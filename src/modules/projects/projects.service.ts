import { BadRequestException, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { isUuid } from '../../common/http/uuid';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditResource, diff } from '../audit/audit.types';
import { TeamAccessService } from '../teams/team-access.service';
import { TeamLifecycle } from '../teams/team-lifecycle';
import { ProjectEntity } from './entities/project.entity';
import { ProjectLifecycle } from './project-lifecycle';
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
export class ProjectsService implements OnModuleInit {
  constructor(
    private readonly ds: DataSource,
    private readonly projects: ProjectsRepository,
    private readonly access: TeamAccessService,
    private readonly audit: AuditService,
    private readonly lifecycle: ProjectLifecycle,
    private readonly teamLifecycle: TeamLifecycle,
  ) {}

  onModuleInit(): void {
    // A team deletion soft-deletes its projects (and, through our own hook, their apps) with its timestamp.
    this.teamLifecycle.onTeamDeleted(async (teamId, at, m) => {
      const ids = await this.projects.softDeleteForTeam(teamId, at, m);
      await this.lifecycle.projectsDeleted(ids, at, m);
    });
  }

  async list(who: Principal, teamIdFilter?: string): Promise<ProjectEntity[]> {
    return this.projects.listActive(await this.access.scopeTeamIds(who, teamIdFilter));
  }

  /** A live project in a team the caller can access; null for unknown, deleted, malformed or foreign ids. */
  async findVisible(who: Principal, id: string, m?: EntityManager): Promise<ProjectEntity | null> {
    const project = isUuid(id) ? await this.projects.findActive(id.toLowerCase(), m) : null;
    if (!project) return null;
    return (await this.access.accessibleTeamIds(who, m)).includes(project.teamId) ? project : null;
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

  async create(who: Principal, input: CreateProjectInput): Promise<ProjectEntity> {
    if (!isProjectSlug(input.slug)) throw new BadRequestException(ProjectErrors.slugFormat);
    // A malformed or foreign team_id is "Not a member of this team" (assertRole), never a 400.
    const teamId = isUuid(input.teamId) ? input.teamId.toLowerCase() : input.teamId;
    await this.access.assertRole(who, teamId, TeamRole.Admin);
    return this.ds.transaction(async (m) => {
      // (team_id, slug) is unique over all rows, so a soft-deleted holder of the slug is removed for good first.
      const stale = await this.projects.lockDeletedBySlug(teamId, input.slug, m);
      if (stale.length) {
        await this.lifecycle.projectsPurged(stale, m);
        await this.projects.purge(stale, m);
      }
      const project = await this.projects.insert({ teamId, name: input.name, slug: input.slug }, m);
      await this.audit.record(m, {
        teamId, actor: who, action: AuditAction.Create, resourceType: AuditResource.Project, resourceId: project.id,
        metadata: { name: project.name, slug: project.slug },
      });
      return project;
    });
  }

  async rename(who: Principal, id: string, newName: string): Promise<ProjectEntity> {
    const name = newName;
    const project = await this.get(who, id);
    await this.access.assertRole(who, project.teamId, TeamRole.Admin);
    await this.ds.transaction(async (m) => {
      if (!(await this.projects.rename(project.id, name, m))) throw new NotFoundException(ProjectErrors.notFound);
      await this.audit.record(m, {
        teamId: project.teamId, actor: who, action: AuditAction.Update, resourceType: AuditResource.Project,
        resourceId: project.id, changes: diff({ name: [project.name, name] }, ['name']),
      });
    });
    return { ...project, name };
  }

  /** Soft-deletes the project, its apps and their keys with one timestamp, in one transaction. */
  async delete(who: UserPrincipal, id: string): Promise<void> {
    const project = await this.get(who, id);
    await this.access.assertRole(who, project.teamId, TeamRole.Admin);
    await this.ds.transaction(async (m) => {
      const at = new Date();
      if (!(await this.projects.softDelete(project.id, at, m))) throw new NotFoundException(ProjectErrors.notFound);
      await this.lifecycle.projectsDeleted([project.id], at, m);
      await this.audit.record(m, {
        teamId: project.teamId, actor: who, action: AuditAction.Delete, resourceType: AuditResource.Project,
        resourceId: project.id,
      });
    });
    this.lifecycle.projectsDeletedCommitted([project.id]);
  }
}
