import { Global, Module } from '@nestjs/common';
import { PrometheusController } from './prometheus.controller';
import { PrometheusService } from './prometheus.service';

/** Global so ingest and the rate limiter can count without importing a feature module. */
@Global()
@Module({ controllers: [PrometheusController], providers: [PrometheusService], exports: [PrometheusService] })
export class ObservabilityModule {}
