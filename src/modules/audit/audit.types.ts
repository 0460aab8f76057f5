import { Principal } from '../../common/auth/principal';

export enum AuditAction {
  Create = 'create',
  Update = 'update',
  Delete = 'delete',
}

export enum AuditResource {
  App = 'app',
  Project = 'project',
  ApiKey = 'api_key',
  Team = 'team',
  TeamMember = 'team_member',
  Invitation = 'invitation',
  User = 'user',
  MetricDefinition = 'metric_definition',
  FunnelDefinition = 'funnel_definition',
}

export type AuditChanges = Record<string, { before: unknown; after: unknown }>;

export interface AuditEntry {
  teamId: string;
  actor: Principal;
  action: AuditAction;
  resourceType: AuditResource;
  resourceId: string;
  changes?: AuditChanges | null;
  metadata?: Record<string, unknown> | null;
}

/** Builds `changes` from before/after pairs, keeping only fields that changed unless listed in `always`. */
export function diff(fields: Record<string, [unknown, unknown]>, always: string[] = []): AuditChanges {
  const out: AuditChanges = {};
  for (const [field, [before, after]] of Object.entries(fields)) {
    if (always.includes(field) || JSON.stringify(before) !== JSON.stringify(after)) out[field] = { before, after };
  }
  return out;
}
