import { IsAnyJson, IsOneOf, IsText, IsUuidText } from '../../../common/pipes/validation';
import { AuditAction } from '../audit.types';
import { AuditLogsErrors } from '../audit-logs.errors';

const ANY_LENGTH = Number.MAX_SAFE_INTEGER;

/** Query parameters in the order §2.10 lists them; since/until/cursor are parsed by the service after these. */
export class AuditLogsQueryDto {
  /** Unknown values are allowed: they just match nothing. */
  @IsText({ max: ANY_LENGTH }) resource_type?: string;
  /** A UUID filter: malformed → 400 "resource_id must be a valid UUID" (§1.11). */
  @IsUuidText() resource_id?: string;
  @IsText({ max: ANY_LENGTH }) actor_id?: string;
  @IsOneOf(Object.values(AuditAction), AuditLogsErrors.invalidAction) action?: AuditAction;
  @IsAnyJson() since?: string;
  @IsAnyJson() until?: string;
  @IsAnyJson() cursor?: string;
  @IsAnyJson() limit?: string;
}
