import { toIso } from '../../common/http/timestamp';
import { AuditLogEntity } from './entities/audit-log.entity';

export interface AuditLogResponse {
  id: string;
  team_id: string;
  actor_type: string;
  actor_id: string;
  action: string;
  resource_type: string;
  resource_id: string;
  changes: Record<string, { before: unknown; after: unknown }> | null;
  metadata: Record<string, unknown> | null;
  timestamp: string;
}

/** `changes` and `metadata` pass through untouched: their keys are data, not wire names. */
export const toAuditLogResponse = (a: AuditLogEntity): AuditLogResponse => ({
  id: a.id,
  team_id: a.teamId,
  actor_type: a.actorType,
  actor_id: a.actorId,
  action: a.action,
  resource_type: a.resourceType,
  resource_id: a.resourceId,
  changes: a.changes,
  metadata: a.metadata,
  timestamp: toIso(a.timestamp),
});
