import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ProjectsModule } from '../projects/projects.module';
import { TeamsModule } from '../teams/teams.module';
import { MetricDefinitionEntity } from './entities/metric-definition.entity';
import { MetricDefinitionsRepository } from './metric-definitions.repository';
import { MetricEventsRepository } from './metric-events.repository';
import { MetricsByIdController, ProjectMetricsController } from './metrics.controller';
import { MetricsQueryService } from './metrics-query.service';
import { MetricsService } from './metrics.service';

/**
 * The metrics product feature (SPEC §2.12): definitions and the queries over the metric rows that ingest
 * writes (the events module owns that write, §2.12.6). Not the Prometheus exporter (modules/observability).
 */
@Module({
  imports: [TypeOrmModule.forFeature([MetricDefinitionEntity]), ProjectsModule, TeamsModule, AuditModule],
  controllers: [ProjectMetricsController, MetricsByIdController],
  providers: [MetricDefinitionsRepository, MetricEventsRepository, MetricsService, MetricsQueryService],
  exports: [MetricsService],
})
export class MetricsModule {}
