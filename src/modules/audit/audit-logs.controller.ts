import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Permission } from '../../common/auth/permission';
import { TeamRole } from '../../common/auth/team-role';
import { Access } from '../../common/decorators/auth.decorators';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { pageOf } from '../../common/openapi/schemas';
import { AuditLogsErrors } from './audit-logs.errors';
import { AuditLogsQueryDto } from './dto/audit-logs-query.dto';
import { toAuditLogResponse } from './audit-logs.mapper';
import { AuditLogsService } from './audit-logs.service';

/** GET /teams/:teamId/audit-logs (§2.10): users admin+, agent keys with audit_logs:read on their own team. */
@ApiTags('Audit logs')
@Controller('teams/:teamId/audit-logs')
export class AuditLogsController {
  constructor(private readonly logs: AuditLogsService) {}

  @Get()
  @Access({ permissions: [Permission.AuditLogsRead], teamRole: TeamRole.Admin })
  @ApiOperation({ summary: 'Audit log of a team, newest first (cursor pages)' })
  @ApiOk(pageOf('audit_logs', 'AuditLog'))
  @ApiErrors([
    400,
    AuditLogsErrors.invalidAction,
    AuditLogsErrors.invalidSince,
    AuditLogsErrors.invalidUntil,
    AuditLogsErrors.invalidCursor,
  ])
  async list(@Param('teamId') teamId: string, @Query() q: AuditLogsQueryDto) {
    const page = await this.logs.list(teamId, {
      resourceType: q.resource_type,
      resourceId: q.resource_id,
      actorId: q.actor_id,
      action: q.action,
      since: q.since,
      until: q.until,
      cursor: q.cursor,
      limit: q.limit,
    });
    return { audit_logs: page.items.map(toAuditLogResponse), cursor: page.cursor, has_more: page.has_more };
  }
}
