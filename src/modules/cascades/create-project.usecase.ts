import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { AppsService } from '../apps/apps.service';
import { FunnelsService } from '../funnels/funnels.service';
import { MetricsService } from '../metrics/metrics.service';
import { ProjectEntity } from '../projects/entities/project.entity';
import { CreateProjectInput, ProjectsService } from '../projects/projects.service';
import { PurgeAppsUseCase } from './purge-apps.usecase';

/**
 * POST /v1/projects. `(team_id, slug)` is unique over all rows (§3), so in one transaction a soft-deleted
 * holder of the slug is purged for good first — its apps with all their rows, its metric and funnel
 * definitions, the project row — and then the new project is inserted with its audit entry.
 */
@Injectable()
export class CreateProjectUseCase {
  constructor(
    private readonly ds: DataSource,
    private readonly projects: ProjectsService,
    private readonly apps: AppsService,
    private readonly metrics: MetricsService,
    private readonly funnels: FunnelsService,
    private readonly purgeApps: PurgeAppsUseCase,
  ) {}

  async execute(who: Principal, input: CreateProjectInput): Promise<ProjectEntity> {
    const teamId = await this.projects.checkCreate(who, input);
    return this.ds.transaction(async (m) => {
      const stale = await this.projects.lockDeletedBySlug(teamId, input.slug, m);
      if (stale.length) {
        await this.purgeApps.execute(await this.apps.idsForProjects(stale, m), m);
        await this.metrics.purgeForProjects(stale, m);
        await this.funnels.purgeForProjects(stale, m);
        await this.projects.purge(stale, m);
      }
      return this.projects.insert(who, teamId, input, m);
    });
  }
}
