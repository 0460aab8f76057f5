import { Controller, Get, Headers, Inject, Res, UnauthorizedException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '../../common/decorators/auth.decorators';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { ApiErrors } from '../../openapi/openapi.decorators';
import { PrometheusService } from './prometheus.service';

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** GET /metrics: Prometheus text exposition (B12); optionally behind `METRICS_TOKEN`. */
@ApiTags('Operations')
@Controller('metrics')
@Public()
export class PrometheusController {
  constructor(
    private readonly metrics: PrometheusService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)', description: 'When `METRICS_TOKEN` is set, send it as `Authorization: Bearer <token>`.' })
  @ApiResponse({ status: 200, description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiErrors([401, 'Invalid metrics token'])
  async scrape(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const token = this.config.metricsToken;
    if (token && !sameSecret(authorization ?? '', `Bearer ${token}`)) throw new UnauthorizedException('Invalid metrics token');
    reply.header('content-type', this.metrics.contentType);
    return this.metrics.render();
  }
}
