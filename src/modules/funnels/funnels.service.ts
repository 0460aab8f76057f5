import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { isUuid } from '../../common/http/uuid';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditResource, diff } from '../audit/audit.types';
import { ProjectEntity } from '../projects/entities/project.entity';
import { ProjectErrors } from '../projects/projects.errors';
import { ProjectsService } from '../projects/projects.service';
import { TeamAccessService } from '../teams/team-access.service';
import { FunnelDefinitionEntity } from './entities/funnel-definition.entity';
import { FunnelStep, couldBeStoredSlug, isFunnelSlug, parseSteps } from './funnel-steps';
import { FunnelErrors } from './funnels.errors';
import { FunnelsRepository } from './funnels.repository';

export interface CreateFunnelInput {
  name: string;
  slug: string;
  description?: string;
  steps: unknown;
}

/** PATCH input: `undefined` = not supplied; `description: null` clears the field. */
export interface UpdateFunnelInput {
  name?: string;
  description?: string | null;
  steps?: unknown;
}

const stepsOrThrow = (value: unknown): FunnelStep[] => {
  const result = parseSteps(value);
  if (result.problem !== undefined) throw new BadRequestException(result.problem);
  return result.steps;
};

/**
 * Funnel definitions (SPEC §2.13.1–2.13.3, §2.13.6). Reads need access to the project (members, or agent
 * keys of its team, permissions checked by the guard); writes need admin+ (users). Every write and its
 * audit entry share one transaction (B21).
 */
@Injectable()
export class FunnelsService {
  constructor(
    private readonly ds: DataSource,
    private readonly funnels: FunnelsRepository,
    private readonly projects: ProjectsService,
    private readonly access: TeamAccessService,
    private readonly audit: AuditService,
  ) {}

  /** Project resolution shared by every `:projectId` route (§2.12): else 404 "Project not found". */
  async project(who: Principal, projectId: string, m?: EntityManager): Promise<ProjectEntity> {
    const project = await this.projects.findVisible(who, projectId, m);
    if (!project) throw new NotFoundException(ProjectErrors.notFound);
    return project;
  }

  async list(who: Principal, projectId: string): Promise<FunnelDefinitionEntity[]> {
    return this.funnels.listLive((await this.project(who, projectId)).id);
  }

  /** A live definition of a visible project; path slugs are literal, so an impossible slug simply finds nothing. */
  async getBySlug(who: Principal, projectId: string, slug: string): Promise<FunnelDefinitionEntity> {
    const project = await this.project(who, projectId);
    const funnel = couldBeStoredSlug(slug) ? await this.funnels.findLiveBySlug(project.id, slug) : null;
    if (!funnel) throw new NotFoundException(FunnelErrors.notFound);
    return funnel;
  }

  /** 404 "Funnel not found" for unknown or malformed ids, deleted definitions and deleted or foreign projects. */
  async getById(who: Principal, id: string): Promise<FunnelDefinitionEntity> {
    const funnel = isUuid(id) ? await this.funnels.findLiveById(id.toLowerCase()) : null;
    if (!funnel || !(await this.projects.findVisible(who, funnel.projectId))) throw new NotFoundException(FunnelErrors.notFound);
    return funnel;
  }

  async create(who: Principal, projectId: string, input: CreateFunnelInput): Promise<FunnelDefinitionEntity> {
    if (!isFunnelSlug(input.slug)) throw new BadRequestException(FunnelErrors.slugFormat);
    const steps = stepsOrThrow(input.steps);
    const project = await this.project(who, projectId);
    await this.access.assertRole(who, project.teamId, TeamRole.Admin);
    return this.ds.transaction(async (m) => {
      // Share-lock the project so a concurrent project delete cannot miss the new definition.
      if (!(await this.projects.lockActive(project.id, m))) throw new NotFoundException(ProjectErrors.notFound);
      const funnel = await this.funnels.insert(
        { projectId: project.id, name: input.name, slug: input.slug, description: input.description ?? null, steps },
        m,
      );
      await this.audit.record(m, {
        teamId: project.teamId,
        actor: who,
        action: AuditAction.Create,
        resourceType: AuditResource.FunnelDefinition,
        resourceId: funnel.id,
        metadata: { name: funnel.name, slug: funnel.slug },
      });
      return funnel;
    });
  }

  async update(who: Principal, projectId: string, slug: string, input: UpdateFunnelInput): Promise<FunnelDefinitionEntity> {
    if (input.name === undefined && input.description === undefined && input.steps === undefined) {
      throw new BadRequestException(FunnelErrors.updateRequired);
    }
    const steps = input.steps === undefined ? undefined : stepsOrThrow(input.steps);
    const project = await this.project(who, projectId);
    await this.existing(project, slug);
    await this.access.assertRole(who, project.teamId, TeamRole.Admin);
    return this.ds.transaction(async (m) => {
      const before = await this.funnels.lockLiveBySlug(project.id, slug, m);
      if (!before) throw new NotFoundException(FunnelErrors.notFound);
      const after: FunnelDefinitionEntity = {
        ...before,
        name: input.name ?? before.name,
        description: input.description === undefined ? before.description : input.description,
        steps: steps ?? before.steps,
        updatedAt: new Date(),
      };
      await this.funnels.update(
        before.id,
        { name: after.name, description: after.description, steps: after.steps, updatedAt: after.updatedAt },
        m,
      );
      const changes = diff({
        name: [before.name, after.name],
        description: [before.description, after.description],
        steps: [before.steps, after.steps],
      });
      if (Object.keys(changes).length > 0) {
        await this.audit.record(m, {
          teamId: project.teamId,
          actor: who,
          action: AuditAction.Update,
          resourceType: AuditResource.FunnelDefinition,
          resourceId: before.id,
          changes,
        });
      }
      return after;
    });
  }

  /** Soft delete; the slug is free for a new definition at once (B21). */
  async delete(who: UserPrincipal, projectId: string, slug: string): Promise<void> {
    const project = await this.project(who, projectId);
    await this.existing(project, slug);
    await this.access.assertRole(who, project.teamId, TeamRole.Admin);
    await this.ds.transaction(async (m) => {
      const funnel = await this.funnels.lockLiveBySlug(project.id, slug, m);
      if (!funnel) throw new NotFoundException(FunnelErrors.notFound);
      await this.funnels.softDelete(funnel.id, new Date(), m);
      await this.audit.record(m, {
        teamId: project.teamId,
        actor: who,
        action: AuditAction.Delete,
        resourceType: AuditResource.FunnelDefinition,
        resourceId: funnel.id,
        metadata: { slug: funnel.slug },
      });
    });
  }

  /** A project deletion's part here (cascades module): its live definitions go with the same timestamp. */
  async softDeleteForProjects(projectIds: string[], at: Date, m: EntityManager): Promise<void> {
    if (projectIds.length) await this.funnels.softDeleteForProjects(projectIds, at, m);
  }

  /** A project purge's part here (cascades module): its definitions are removed for good. */
  async purgeForProjects(projectIds: string[], m: EntityManager): Promise<void> {
    if (projectIds.length) await this.funnels.purgeForProjects(projectIds, m);
  }

  /** 404 "Funnel not found" before the role check (§2.13.3 order). */
  private async existing(project: ProjectEntity, slug: string): Promise<FunnelDefinitionEntity> {
    const funnel = couldBeStoredSlug(slug) ? await this.funnels.findLiveBySlug(project.id, slug) : null;
    if (!funnel) throw new NotFoundException(FunnelErrors.notFound);
    return funnel;
  }
}
