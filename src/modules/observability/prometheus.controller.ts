import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access } from '../../common/decorators/auth.decorators';
import { ApiErrors } from '../../common/openapi/openapi.decorators';
import { AuthErrors } from '../auth/auth.errors';
import { PrometheusService } from './prometheus.service';

/** GET /metrics: Prometheus text exposition (B12); behind `METRICS_TOKEN` when set (checked by the access guard). */
@ApiTags('Operations')
@Controller('metrics')
export class PrometheusController {
  constructor(private readonly metrics: PrometheusService) {}

  @Get()
  @Access({ public: true, metricsToken: true })
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format)',
    description: 'When `METRICS_TOKEN` is set, send it as `Authorization: Bearer <token>`.',
  })
  @ApiResponse({ status: 200, description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiErrors([401, AuthErrors.invalidMetricsToken])
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    reply.header('content-type', this.metrics.contentType);
    return this.metrics.render();
  }
}
