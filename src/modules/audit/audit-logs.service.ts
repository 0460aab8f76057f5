import { BadRequestException, Injectable } from '@nestjs/common';
import { CursorPosition, Page, decodeCursor, normalizeLimit, pageOf } from '../../common/http/pagination';
import { parseTimestamp } from '../../common/http/timestamp';
import { AuditLogsErrors } from './audit-logs.errors';
import { AuditLogsRepository } from './audit-logs.repository';
import { AuditLogEntity } from './entities/audit-log.entity';

export interface AuditLogQuery {
  resourceType?: string;
  resourceId?: string;
  actorId?: string;
  action?: string;
  since?: string;
  until?: string;
  cursor?: string;
  limit?: string;
}

const parseBound = (raw: string | undefined, message: string): Date | undefined => {
  if (raw === undefined) return undefined;
  const at = parseTimestamp(raw);
  if (!at) throw new BadRequestException(message);
  return at;
};

/** Reads a team's audit log (§2.10); access was settled by the guards. */
@Injectable()
export class AuditLogsService {
  constructor(private readonly logs: AuditLogsRepository) {}

  async list(teamId: string, query: AuditLogQuery): Promise<Page<AuditLogEntity>> {
    const since = parseBound(query.since, AuditLogsErrors.invalidSince);
    const until = parseBound(query.until, AuditLogsErrors.invalidUntil);
    let after: CursorPosition | undefined;
    if (query.cursor !== undefined) {
      const decoded = decodeCursor(query.cursor);
      if (!decoded) throw new BadRequestException(AuditLogsErrors.invalidCursor);
      after = decoded;
    }
    const limit = normalizeLimit(query.limit);
    const rows = await this.logs.find(
      {
        teamId: teamId.toLowerCase(),
        resourceType: query.resourceType,
        // Free text, exact match (§2.10), like every id the API prints (lower-case).
        resourceId: query.resourceId,
        actorId: query.actorId,
        action: query.action,
        since,
        until,
        after,
      },
      limit + 1,
    );
    return pageOf(rows, limit, (r) => ({ timestamp: r.timestamp, id: r.id }));
  }
}
