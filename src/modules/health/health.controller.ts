import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '../../common/decorators/auth.decorators';
import { HealthService } from './health.service';

/** Operational endpoints (§2.11): no /v1 prefix, no auth, not rate limited. */
@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness: never touches the database (B9). */
  @Get()
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    const problem = await this.health.readinessProblem();
    if (problem) throw new ServiceUnavailableException(problem);
    return { status: 'ok' };
  }
}
