import { SchemaSet, nullable, object, stringEnum, text, timestamp, uuid } from '../../common/openapi/schemas';
import { AuditAction, AuditResource } from './audit.types';

/** Audit-log entries (OpenAPI). Registered by src/app.openapi.ts. */
export const AUDIT_SCHEMAS: SchemaSet = {
  AuditLog: object({
    id: uuid,
    team_id: uuid,
    actor_type: stringEnum(['user', 'api_key', 'system']),
    actor_id: text,
    action: stringEnum(Object.values(AuditAction)),
    resource_type: stringEnum(Object.values(AuditResource)),
    resource_id: text,
    changes: nullable({
      type: 'object',
      description: '`{field: {"before": …, "after": …}}` for updates.',
      additionalProperties: { type: 'object', properties: { before: {}, after: {} } },
    }),
    metadata: nullable({ type: 'object', additionalProperties: true }),
    timestamp,
  }),
};
