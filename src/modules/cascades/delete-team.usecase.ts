import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UserPrincipal } from '../../common/auth/principal';
import { AppsService } from '../apps/apps.service';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditResource } from '../audit/audit.types';
import { FunnelsService } from '../funnels/funnels.service';
import { InvitationsService } from '../invitations/invitations.service';
import { ApiKeyStoreService } from '../keys/api-key-store.service';
import { MetricsService } from '../metrics/metrics.service';
import { ProjectsService } from '../projects/projects.service';
import { TeamsService } from '../teams/teams.service';

/**
 * DELETE /v1/teams/:teamId, in one transaction with one timestamp (§2.3): after the checks (only team → 400,
 * gone → 404, under locks), the team is soft-deleted and its memberships removed, every key of the team
 * revoked, its invitations deleted, its projects soft-deleted with their apps and metric/funnel definitions,
 * and the audit entry written.
 */
@Injectable()
export class DeleteTeamUseCase {
  constructor(
    private readonly ds: DataSource,
    private readonly teams: TeamsService,
    private readonly keys: ApiKeyStoreService,
    private readonly invitations: InvitationsService,
    private readonly projects: ProjectsService,
    private readonly apps: AppsService,
    private readonly metrics: MetricsService,
    private readonly funnels: FunnelsService,
    private readonly audit: AuditService,
  ) {}

  async execute(actor: UserPrincipal, rawTeamId: string): Promise<void> {
    const teamId = rawTeamId.toLowerCase();
    await this.ds.transaction(async (m) => {
      await this.teams.lockForDeletion(actor, teamId, m);
      const at = new Date();
      await this.teams.softDelete(teamId, at, m);
      await this.keys.revoke({ teamId }, at, m);
      await this.invitations.deleteForTeam(teamId, m);
      const projectIds = await this.projects.softDeleteForTeam(teamId, at, m);
      await this.apps.softDeleteForProjects(projectIds, at, m);
      await this.metrics.softDeleteForProjects(projectIds, at, m);
      await this.funnels.softDeleteForProjects(projectIds, at, m);
      await this.audit.record(m, { teamId, actor, action: AuditAction.Delete, resourceType: AuditResource.Team, resourceId: teamId });
    });
  }
}
