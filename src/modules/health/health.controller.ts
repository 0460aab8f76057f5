import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { Access } from '../../common/decorators/auth.decorators';
import { HealthService } from './health.service';

/** Operational endpoints (§2.11): no /v1 prefix, no auth, not rate limited. */
@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness: never touches the database (B9). */
  @Get()
  @Access({ public: true })
  @ApiOperation({ summary: 'Liveness (never touches the database)' })
  @ApiOk('Status')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @Access({ public: true })
  @ApiOperation({ summary: 'Readiness: the database answers a trivial query within 2 s' })
  @ApiOk('Status')
  @ApiErrors([503, 'Database unavailable', 'Shutting down'])
  async ready() {
    const problem = await this.health.readinessProblem();
    if (problem) throw new ServiceUnavailableException(problem);
    return { status: 'ok' };
  }
}
