import { IsAnyJson, IsOneOf, IsText } from '../../../common/pipes/validation';
import { AuditAction } from '../audit.types';
import { AuditLogsErrors } from '../audit-logs.errors';

const ANY_LENGTH = Number.MAX_SAFE_INTEGER;

/** Query parameters in the order §2.10 lists them; since/until/cursor are parsed by the service after these. */
export class AuditLogsQueryDto {
  /** Unknown values are allowed: they just match nothing. */
  @IsText({ max: ANY_LENGTH }) resource_type?: string;
  /** Free text, exact match (§2.10): a value that is no id of anything just matches nothing. */
  @IsText({ max: ANY_LENGTH }) resource_id?: string;
  @IsText({ max: ANY_LENGTH }) actor_id?: string;
  @IsOneOf(Object.values(AuditAction), AuditLogsErrors.invalidAction) action?: AuditAction;
  @IsAnyJson() since?: string;
  @IsAnyJson() until?: string;
  @IsAnyJson() cursor?: string;
  @IsAnyJson() limit?: string;
}
