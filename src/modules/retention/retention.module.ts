import { Module } from '@nestjs/common';
import { CascadesModule } from '../cascades/cascades.module';
import { EventsModule } from '../events/events.module';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

@Module({
  imports: [CascadesModule, EventsModule],
  providers: [RetentionRepository, RetentionService],
  exports: [RetentionService],
})
export class RetentionModule {}
