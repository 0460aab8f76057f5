import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags, SchemaObject } from '@nestjs/swagger';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { Access } from '../../common/decorators/auth.decorators';
import { HealthService } from './health.service';

/** `{"status":"ok"}`, plus `replicas` only when DATABASE_REPLICA_URLS is set. */
const READY_SCHEMA = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    replicas: {
      type: 'array',
      description: 'Only with DATABASE_REPLICA_URLS: each read replica, `down` ones are skipped (reads go to the primary).',
      items: {
        type: 'object',
        required: ['name', 'state', 'lag_ms'],
        properties: {
          name: { type: 'string', example: 'replica-1.internal:5432/owlmetry' },
          state: { type: 'string', enum: ['ok', 'down'] },
          lag_ms: { type: 'integer', nullable: true, description: 'Replay lag at the last probe (null before the first)' },
          problem: { type: 'string', description: 'Why it is down (or not probed yet)' },
        },
      },
    },
  },
} satisfies SchemaObject;

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
  @ApiOperation({
    summary: 'Readiness: the database answers a trivial query within 2 s',
    description:
      'With DATABASE_REPLICA_URLS, the body also lists each read replica (`replicas`); a replica that is down never makes the instance unready.',
  })
  @ApiOk(READY_SCHEMA)
  @ApiErrors([503, 'Database unavailable', 'Shutting down'])
  async ready() {
    const problem = await this.health.readinessProblem();
    if (problem) throw new ServiceUnavailableException(problem);
    const replicas = this.health.replicaState();
    if (replicas === null) return { status: 'ok' };
    return {
      status: 'ok',
      replicas: replicas.map((r) => ({ name: r.name, state: r.state, lag_ms: r.lagMs, ...(r.problem ? { problem: r.problem } : {}) })),
    };
  }
}
