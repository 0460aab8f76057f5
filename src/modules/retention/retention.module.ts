import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { EventsModule } from '../events/events.module';
import { KeysModule } from '../keys/keys.module';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

@Module({
  imports: [AppsModule, EventsModule, KeysModule],
  providers: [RetentionRepository, RetentionService],
  exports: [RetentionService],
})
export class RetentionModule {}
