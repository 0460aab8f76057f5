import { Global, Module } from '@nestjs/common';
import { RATE_LIMIT_REJECTIONS } from '../../common/rate-limit/rate-limit.constants';
import { PgPoolModule } from '../../database/pg-pool.module';
import { PrometheusController } from './prometheus.controller';
import { PrometheusService } from './prometheus.service';

/** Global so ingest and the rate limiter can count without importing a feature module. */
@Global()
@Module({
  imports: [PgPoolModule],
  controllers: [PrometheusController],
  // The rate limiter (common/) counts its refusals through a token it owns; Prometheus fills it here.
  providers: [PrometheusService, { provide: RATE_LIMIT_REJECTIONS, useExisting: PrometheusService }],
  exports: [PrometheusService, RATE_LIMIT_REJECTIONS],
})
export class ObservabilityModule {}
