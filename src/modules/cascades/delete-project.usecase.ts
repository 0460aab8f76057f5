import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UserPrincipal } from '../../common/auth/principal';
import { AppsService } from '../apps/apps.service';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditResource } from '../audit/audit.types';
import { FunnelsService } from '../funnels/funnels.service';
import { MetricsService } from '../metrics/metrics.service';
import { ProjectErrors } from '../projects/projects.errors';
import { ProjectsService } from '../projects/projects.service';

/**
 * DELETE /v1/projects/:id, in one transaction with one timestamp: the project, its apps and their keys, its
 * metric and funnel definitions, and the audit entry. The revoked keys stop authenticating once it commits
 * (the key store clears its cache after the commit).
 */
@Injectable()
export class DeleteProjectUseCase {
  constructor(
    private readonly ds: DataSource,
    private readonly projects: ProjectsService,
    private readonly apps: AppsService,
    private readonly metrics: MetricsService,
    private readonly funnels: FunnelsService,
    private readonly audit: AuditService,
  ) {}

  async execute(who: UserPrincipal, id: string): Promise<void> {
    const project = await this.projects.checkDelete(who, id);
    await this.ds.transaction(async (m) => {
      const at = new Date();
      if (!(await this.projects.softDelete(project.id, at, m))) throw new NotFoundException(ProjectErrors.notFound);
      await this.apps.softDeleteForProjects([project.id], at, m);
      await this.metrics.softDeleteForProjects([project.id], at, m);
      await this.funnels.softDeleteForProjects([project.id], at, m);
      await this.audit.record(m, {
        teamId: project.teamId,
        actor: who,
        action: AuditAction.Delete,
        resourceType: AuditResource.Project,
        resourceId: project.id,
      });
    });
  }
}
