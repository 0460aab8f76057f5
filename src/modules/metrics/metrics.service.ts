import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { pgSafeText } from '../../common/http/pg-text';
import { TeamRole } from '../../common/auth/team-role';
import { isUuid } from '../../common/http/uuid';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditChanges, AuditResource } from '../audit/audit.types';
import { ProjectEntity } from '../projects/entities/project.entity';
import { ProjectErrors } from '../projects/projects.errors';
import { ProjectsService } from '../projects/projects.service';
import { TeamAccessService } from '../teams/team-access.service';
import { MetricDefinitionEntity } from './entities/metric-definition.entity';
import { MetricDefinitionChanges, MetricDefinitionsRepository } from './metric-definitions.repository';
import { MetricDefinitionPatch, isMetricSlug, sameJson } from './metric-rules';
import { MetricErrors } from './metrics.errors';

export interface CreateMetricDefinitionInput {
  name: string;
  slug: string;
  description: string | null;
  documentation: string | null;
  schemaDefinition: Record<string, unknown> | null;
  aggregationRules: Record<string, unknown> | null;
}

/** Audit field names (wire) of the PATCH-able fields, in the contract's order (§2.12.7). */
const AUDITED: readonly [keyof MetricDefinitionChanges, string][] = [
  ['name', 'name'],
  ['description', 'description'],
  ['documentation', 'documentation'],
  ['schemaDefinition', 'schema_definition'],
  ['aggregationRules', 'aggregation_rules'],
  ['status', 'status'],
];

/**
 * Metric definitions (§2.12.2): members read, admins write; agent keys act within their own team (the
 * permission guard has checked `metrics:*`). Checks run in the contract's order: body 400s (DTO / rules),
 * then project resolution (404), definition lookup (404), role (403).
 */
@Injectable()
export class MetricsService {
  constructor(
    private readonly ds: DataSource,
    private readonly definitions: MetricDefinitionsRepository,
    private readonly projects: ProjectsService,
    private readonly access: TeamAccessService,
    private readonly audit: AuditService,
  ) {}

  /** §2.12 project resolution: live, in a team the caller can access; otherwise 404 (also for malformed ids). */
  async resolveProject(who: Principal, projectId: string): Promise<ProjectEntity> {
    const project = await this.projects.findVisible(who, projectId);
    if (!project) throw new NotFoundException(ProjectErrors.notFound);
    return project;
  }

  async list(who: Principal, projectId: string): Promise<MetricDefinitionEntity[]> {
    const project = await this.resolveProject(who, projectId);
    return this.definitions.listActive(project.id);
  }

  async get(who: Principal, projectId: string, slug: string): Promise<MetricDefinitionEntity> {
    const project = await this.resolveProject(who, projectId);
    return this.findBySlug(project, slug);
  }

  /** 404 "Metric not found" for unknown/malformed ids, deleted definitions or projects, and foreign teams. */
  async getById(who: Principal, id: string): Promise<MetricDefinitionEntity> {
    const definition = isUuid(id) ? await this.definitions.findActiveById(id.toLowerCase()) : null;
    if (!definition || !(await this.projects.findVisible(who, definition.projectId))) {
      throw new NotFoundException(MetricErrors.notFound);
    }
    return definition;
  }

  async create(who: Principal, projectId: string, input: CreateMetricDefinitionInput): Promise<MetricDefinitionEntity> {
    if (!isMetricSlug(input.slug)) throw new BadRequestException(MetricErrors.slugFormat);
    const project = await this.resolveProject(who, projectId);
    await this.access.assertRole(who, project.teamId, TeamRole.Admin);
    return this.ds.transaction(async (m) => {
      // Share-lock the project: a definition is never created under a project being deleted right now.
      if (!(await this.projects.lockActive(project.id, m))) throw new NotFoundException(ProjectErrors.notFound);
      const definition = await this.definitions.insert({ projectId: project.id, ...input }, m);
      await this.audit.record(m, {
        teamId: project.teamId,
        actor: who,
        action: AuditAction.Create,
        resourceType: AuditResource.MetricDefinition,
        resourceId: definition.id,
        metadata: { name: definition.name, slug: definition.slug },
      });
      return definition;
    });
  }

  async update(who: Principal, projectId: string, slug: string, patch: MetricDefinitionPatch): Promise<MetricDefinitionEntity> {
    const project = await this.resolveProject(who, projectId);
    const found = await this.findBySlug(project, slug);
    await this.access.assertRole(who, project.teamId, TeamRole.Admin);
    return this.ds.transaction(async (m) => {
      // Re-read under a row lock so the audit diff compares with what is really replaced.
      const current = await this.definitions.lockActive(found.id, m);
      if (!current) throw new NotFoundException(MetricErrors.notFound);
      const changes: MetricDefinitionChanges = {};
      const audit: AuditChanges = {};
      for (const [key, wire] of AUDITED) {
        if (!(key in patch)) continue;
        const after = patch[key];
        (changes as Record<string, unknown>)[key] = after;
        if (!sameJson(current[key], after)) audit[wire] = { before: current[key], after };
      }
      const at = new Date();
      await this.definitions.update(current.id, changes, at, m);
      // No entry for a no-op update (B21); updated_at is refreshed either way (the PATCH happened).
      if (Object.keys(audit).length > 0) {
        await this.audit.record(m, {
          teamId: project.teamId,
          actor: who,
          action: AuditAction.Update,
          resourceType: AuditResource.MetricDefinition,
          resourceId: current.id,
          changes: audit,
        });
      }
      return { ...current, ...changes, updatedAt: at };
    });
  }

  /** Soft delete: the slug is free again at once (B21); metric rows are untouched. */
  async delete(who: UserPrincipal, projectId: string, slug: string): Promise<void> {
    const project = await this.resolveProject(who, projectId);
    const definition = await this.findBySlug(project, slug);
    await this.access.assertRole(who, project.teamId, TeamRole.Admin);
    await this.ds.transaction(async (m) => {
      if (!(await this.definitions.softDelete(definition.id, new Date(), m))) throw new NotFoundException(MetricErrors.notFound);
      await this.audit.record(m, {
        teamId: project.teamId,
        actor: who,
        action: AuditAction.Delete,
        resourceType: AuditResource.MetricDefinition,
        resourceId: definition.id,
        metadata: { slug: definition.slug },
      });
    });
  }

  /** Path slugs are taken literally (no format check on read paths): an unknown one finds nothing. */
  private async findBySlug(project: ProjectEntity, slug: string): Promise<MetricDefinitionEntity> {
    const definition = await this.definitions.findActiveBySlug(project.id, pgSafeText(slug));
    if (!definition) throw new NotFoundException(MetricErrors.notFound);
    return definition;
  }

  /** A project deletion's part here (cascades module): its live definitions go with the same timestamp. */
  softDeleteForProjects(projectIds: string[], at: Date, m: EntityManager): Promise<void> {
    return this.definitions.softDeleteForProjects(projectIds, at, m);
  }

  /** A project purge's part here (cascades module): its definitions are removed for good. */
  purgeForProjects(projectIds: string[], m: EntityManager): Promise<void> {
    return this.definitions.purgeForProjects(projectIds, m);
  }
}
