import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { AuditModule } from '../audit/audit.module';
import { EventsModule } from '../events/events.module';
import { FunnelsModule } from '../funnels/funnels.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { KeysModule } from '../keys/keys.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ProjectsModule } from '../projects/projects.module';
import { TeamsModule } from '../teams/teams.module';
import { CreateProjectUseCase } from './create-project.usecase';
import { DeleteProjectUseCase } from './delete-project.usecase';
import { DeleteTeamUseCase } from './delete-team.usecase';
import { ProjectWritesController } from './project-writes.controller';
import { PurgeAppsUseCase } from './purge-apps.usecase';
import { TeamDeletionController } from './team-deletion.controller';

/**
 * The top of the module graph: the flows that cross module lines downwards — deleting a team or a project
 * (soft deletes with one timestamp) and purging apps or projects for good (slug reuse, retention). Each is
 * an explicit use case calling the exported `softDeleteFor…` / `purge…` of every module it reaches, inside
 * one transaction; nothing below registers listeners or calls upwards.
 */
@Module({
  imports: [
    TeamsModule,
    InvitationsModule,
    ProjectsModule,
    AppsModule,
    EventsModule,
    MetricsModule,
    FunnelsModule,
    KeysModule,
    AuditModule,
  ],
  controllers: [ProjectWritesController, TeamDeletionController],
  providers: [CreateProjectUseCase, DeleteProjectUseCase, DeleteTeamUseCase, PurgeAppsUseCase],
  exports: [PurgeAppsUseCase, DeleteTeamUseCase, DeleteProjectUseCase],
})
export class CascadesModule {}
