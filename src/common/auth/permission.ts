/** API-key permissions (SPEC §1.8). Pure. */
export enum Permission {
  EventsWrite = 'events:write',
  EventsRead = 'events:read',
  FunnelsRead = 'funnels:read',
  FunnelsWrite = 'funnels:write',
  AppsRead = 'apps:read',
  AppsWrite = 'apps:write',
  ProjectsRead = 'projects:read',
  ProjectsWrite = 'projects:write',
  MetricsRead = 'metrics:read',
  MetricsWrite = 'metrics:write',
  AuditLogsRead = 'audit_logs:read',
}

export enum ApiKeyType {
  Client = 'client',
  Agent = 'agent',
}

export const API_KEY_PREFIX: Record<ApiKeyType, string> = {
  [ApiKeyType.Client]: 'owl_client_',
  [ApiKeyType.Agent]: 'owl_agent_',
};

/** A bearer token with an API-key prefix is an API key (§1.7); anything else is treated as a session JWT. */
export const looksLikeApiKey = (token: string): boolean =>
  token.startsWith(API_KEY_PREFIX[ApiKeyType.Client]) || token.startsWith(API_KEY_PREFIX[ApiKeyType.Agent]);

const ALL_PERMISSIONS = new Set<string>(Object.values(Permission));

/** The agent default, in the order the contract lists it. */
export const DEFAULT_AGENT_PERMISSIONS: readonly Permission[] = [
  Permission.EventsRead,
  Permission.FunnelsRead,
  Permission.FunnelsWrite,
  Permission.AppsRead,
  Permission.AppsWrite,
  Permission.ProjectsRead,
  Permission.ProjectsWrite,
  Permission.MetricsRead,
  Permission.MetricsWrite,
  Permission.AuditLogsRead,
];
export const DEFAULT_CLIENT_PERMISSIONS: readonly Permission[] = [Permission.EventsWrite];

const ALLOWED: Record<ApiKeyType, ReadonlySet<string>> = {
  [ApiKeyType.Client]: new Set(DEFAULT_CLIENT_PERMISSIONS),
  [ApiKeyType.Agent]: new Set(DEFAULT_AGENT_PERMISSIONS),
};

export const defaultPermissions = (type: ApiKeyType): Permission[] => [
  ...(type === ApiKeyType.Client ? DEFAULT_CLIENT_PERMISSIONS : DEFAULT_AGENT_PERMISSIONS),
];

/**
 * Validates a supplied permission list in the contract's order (§1.8) and returns the first problem's
 * text, or null when the list is acceptable.
 */
export function permissionListProblem(value: unknown, type: ApiKeyType): string | null {
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string')) return 'permissions must be an array of strings';
  if (value.length === 0) return 'At least one permission is required';
  if (new Set(value).size !== value.length) return 'Duplicate permissions are not allowed';
  for (const p of value as string[]) {
    if (!ALL_PERMISSIONS.has(p)) return `Unknown permission: ${p}`;
    if (!ALLOWED[type].has(p)) return `Permission "${p}" is not allowed for ${type} keys`;
  }
  return null;
}

/** Permissions from `required` that `granted` lacks, in the order required. */
export const missingPermissions = (granted: readonly string[], required: readonly Permission[]): Permission[] =>
  required.filter((p) => !granted.includes(p));

export const missingPermissionsMessage = (missing: readonly Permission[]): string =>
  missing.length === 1 ? `Missing permission: ${missing[0]}` : `Missing permissions: ${missing.join(', ')}`;
