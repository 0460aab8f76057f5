import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ProjectsModule } from '../projects/projects.module';
import { TeamsModule } from '../teams/teams.module';
import { FunnelDefinitionEntity } from './entities/funnel-definition.entity';
import { FunnelQueryService } from './funnel-query.service';
import { FunnelsController } from './funnels.controller';
import { FunnelsRepository } from './funnels.repository';
import { FunnelsService } from './funnels.service';

/**
 * Funnels (SPEC §2.13): definitions and the funnel query. Reads the funnel rows that ingest writes
 * (funnel_events, owned by the events module's ingest statement) and never writes them.
 */
@Module({
  imports: [TypeOrmModule.forFeature([FunnelDefinitionEntity]), ProjectsModule, TeamsModule, AuditModule],
  controllers: [FunnelsController],
  providers: [FunnelsRepository, FunnelsService, FunnelQueryService],
  exports: [FunnelsService],
})
export class FunnelsModule {}
