import { Permission, missingPermissions, missingPermissionsMessage } from './permission';
import { Principal } from './principal';
import { TeamRole } from './team-role';

/**
 * Who may call a route: the one declaration per route (`@Access({...})`), read by the one access guard, by
 * the OpenAPI document and by the route snapshot test. Pure data.
 *
 * - `public`: no authentication at all (the other fields are ignored, except `metricsToken`).
 * - `metricsToken`: a public route that still wants `Authorization: Bearer <METRICS_TOKEN>` when that is set.
 * - `permissions`: what an API key must hold (§1.8); users are governed by their role instead.
 * - `usersOnly`: the 403 text API keys get (`Only users can …`), after the permission check (§1.7).
 * - `teamRole`: the minimum role in the team named by the route parameter `teamParam` (default `teamId`);
 *   non-members get 403 "Not a member of this team" (§1.9). API keys only reach their own team.
 * Anything else (no `public`) means: any authenticated caller.
 */
export interface AccessRule {
  public?: true;
  metricsToken?: true;
  permissions?: Permission[];
  usersOnly?: string;
  teamRole?: TeamRole;
  teamParam?: string;
}

/** The 403 text of the permission and user-only steps for this caller, in contract order, or null. Pure. */
export function accessProblem(rule: AccessRule, principal: Principal): string | null {
  if (principal.kind === 'api_key' && rule.permissions?.length) {
    const missing = missingPermissions(principal.permissions, rule.permissions);
    if (missing.length > 0) return missingPermissionsMessage(missing);
  }
  if (rule.usersOnly !== undefined && principal.kind !== 'user') return rule.usersOnly;
  return null;
}

/** One line per rule for the route snapshot and the docs: `public`, `users only`, `role ≥ admin`, permissions. */
export function describeAccess(rule: AccessRule): string {
  if (rule.public) return rule.metricsToken ? 'public (METRICS_TOKEN when set)' : 'public';
  const parts = [rule.usersOnly !== undefined ? `users only ("${rule.usersOnly}")` : 'users and API keys'];
  if (rule.permissions?.length) parts.push(`keys need ${rule.permissions.join(', ')}`);
  if (rule.teamRole) parts.push(`role ≥ ${rule.teamRole} in :${rule.teamParam ?? 'teamId'}`);
  return parts.join('; ');
}
