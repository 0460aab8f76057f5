import { Module } from '@nestjs/common';
import { RateLimitModule } from '../../common/rate-limit/rate-limit.module';
import { PgPoolModule } from '../../database/pg-pool.module';
import { AppsModule } from '../apps/apps.module';
import { TeamsModule } from '../teams/teams.module';
import { EventsController } from './events.controller';
import { EventsMaintenanceService } from './events-maintenance.service';
import { EventsQueryService } from './events-query.service';
import { EventsRepository } from './events.repository';
import { IdentityClaimService } from './identity-claim.service';
import { IdentityController } from './identity.controller';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { INGEST_WRITER_DEFAULTS, INGEST_WRITER_OPTIONS, IngestWriter } from './ingest-writer';

/** SDK ingest, event queries and identity claim (§2.7–§2.9); owns the events and event_dedup tables. */
@Module({
  imports: [AppsModule, TeamsModule, RateLimitModule, PgPoolModule],
  controllers: [IngestController, EventsController, IdentityController],
  providers: [
    EventsRepository,
    { provide: INGEST_WRITER_OPTIONS, useValue: INGEST_WRITER_DEFAULTS },
    IngestWriter,
    IngestService,
    EventsQueryService,
    IdentityClaimService,
    EventsMaintenanceService,
  ],
  exports: [EventsMaintenanceService],
})
export class EventsModule {}
