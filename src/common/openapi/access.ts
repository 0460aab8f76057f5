import { RequestMethod, Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import { DEFAULT_AGENT_PERMISSIONS, DEFAULT_CLIENT_PERMISSIONS, Permission, missingPermissionsMessage } from '../auth/permission';
import { TeamRole, requiresRoleMessage } from '../auth/team-role';
import { AccessRule } from '../auth/access';
import { ACCESS_KEY } from '../decorators/auth.decorators';
import { BODY_ERRORS } from '../http/body-handling';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { RATE_LIMIT_EXCEEDED } from '../rate-limit/rate-limit.constants';

/** The minimum team role of a team-scoped route and the parameter naming the team. */
export interface TeamRoleRequirement {
  role: TeamRole;
  param: string;
}

/** Who may call a route and what the framework checks before its handler, read from its @Access declaration. */
export interface RouteAccess {
  /** The declaration itself (null when the route has none: the access guard refuses such a route). */
  rule: AccessRule | null;
  isPublic: boolean;
  permissions: Permission[];
  /** The 403 text API keys get (`Only users can …`), when the route is user-only. */
  userOnly: string | null;
  teamRole: TeamRoleRequirement | null;
  /**
   * Every permission the route needs is one only client keys can hold (`events:write`): ingest and identity
   * claim, which the SDKs call with an app's `client_key`. Sessions and agent keys are refused there.
   */
  clientKeyOnly: boolean;
  rateLimited: boolean;
  /** POST/PUT/PATCH without `ignoreBody`: the body is read (and can fail) before authentication. */
  readsBody: boolean;
}

type Handler = (...args: unknown[]) => unknown;

/** The same lookup as the guards' `reflector.getAllAndOverride(key, [handler, class])`. */
const meta = <T>(key: string, handler: Handler, controller: Type): T | undefined =>
  (Reflect.getMetadata(key, handler) as T | undefined) ?? (Reflect.getMetadata(key, controller) as T | undefined);

/** Permissions that client keys may hold and agent keys may not. */
const isClientKeyOnly = (permissions: readonly Permission[]): boolean =>
  permissions.length > 0 && permissions.every((p) => DEFAULT_CLIENT_PERMISSIONS.includes(p) && !DEFAULT_AGENT_PERMISSIONS.includes(p));

const BODY_METHODS = [RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH];

export function routeAccess(controller: Type, handler: Handler): RouteAccess {
  const guards = [
    ...((Reflect.getMetadata(GUARDS_METADATA, controller) as unknown[] | undefined) ?? []),
    ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[] | undefined) ?? []),
  ];
  const routeConfig = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as { ignoreBody?: boolean } | undefined;
  const rule = meta<AccessRule>(ACCESS_KEY, handler, controller) ?? null;
  return {
    rule,
    isPublic: rule?.public === true,
    permissions: rule?.permissions ?? [],
    userOnly: rule?.usersOnly ?? null,
    teamRole: rule?.teamRole ? { role: rule.teamRole, param: rule.teamParam ?? 'teamId' } : null,
    clientKeyOnly: rule?.public !== true && isClientKeyOnly(rule?.permissions ?? []),
    rateLimited: guards.includes(RateLimitGuard),
    readsBody: BODY_METHODS.includes(Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod) && routeConfig?.ignoreBody !== true,
  };
}

/**
 * Texts of the access steps that feature modules own (the auth strategies, the team-membership check), given
 * to the document by the application (src/app.openapi.ts): common code never imports a module.
 */
export interface AccessTexts {
  /** 401 texts of the authentication step, in the order they are checked. */
  unauthenticated: readonly string[];
  /** 403 text for a caller outside the route's team. */
  notAMember: string;
}

/** Error texts the framework answers before (or around) the handler, per status, in the order they are checked. */
export function frameworkErrors(access: RouteAccess, texts: AccessTexts): Map<number, string[]> {
  const errors = new Map<number, string[]>();
  const add = (status: number, ...texts: string[]) => errors.set(status, [...(errors.get(status) ?? []), ...texts]);
  if (access.readsBody) {
    add(400, BODY_ERRORS.malformedJson, BODY_ERRORS.notAnObject, BODY_ERRORS.invalidCompressed);
    add(413, BODY_ERRORS.payloadTooLarge, BODY_ERRORS.compressedTooLarge, BODY_ERRORS.decompressedTooLarge);
    add(415, BODY_ERRORS.unsupportedMediaType, BODY_ERRORS.unsupportedEncoding);
  }
  if (!access.isPublic) {
    add(401, ...texts.unauthenticated);
  }
  // The permission, user-only and team-role guards let callers without a principal (public routes) through.
  if (!access.isPublic && access.permissions.length > 0) add(403, missingPermissionsMessage(access.permissions));
  if (!access.isPublic && access.userOnly) add(403, access.userOnly);
  if (!access.isPublic && access.teamRole) {
    add(403, texts.notAMember);
    if (access.teamRole.role !== TeamRole.Member) add(403, requiresRoleMessage(access.teamRole.role));
  }
  if (access.rateLimited) add(429, RATE_LIMIT_EXCEEDED);
  add(500, 'Internal server error');
  return errors;
}

/** One paragraph for the operation description: who may call it. */
export function accessSummary(access: RouteAccess): string {
  if (access.isPublic) return 'No authentication.';
  const parts: string[] = [];
  if (access.clientKeyOnly) {
    parts.push(
      "Client keys only: send an app's `client_key` (`owl_client_…`, in the app object) as Bearer token; the app is the key's app.",
    );
  } else if (access.userOnly)
    parts.push(`Users only (a session JWT as Bearer token or \`token\` cookie); API keys get 403 "${access.userOnly}".`);
  else parts.push('Users (session JWT as Bearer token or `token` cookie) and API keys.');
  if (access.teamRole) {
    parts.push(
      `Users need the \`${access.teamRole.role}\` role or higher in team \`{${access.teamRole.param}}\`; API keys only reach their own team.`,
    );
  }
  if (access.permissions.length > 0 && !access.clientKeyOnly)
    parts.push(`API keys need: ${access.permissions.map((p) => `\`${p}\``).join(', ')}.`);
  if (access.rateLimited)
    parts.push(
      'Rate limited: one token bucket per caller (API key, user or client address), kept apart for requests to an `ingest.` ' +
        'host and to any other host; responses carry `X-RateLimit-Limit` and `X-RateLimit-Remaining`, 429 answers add `Retry-After`.',
    );
  return parts.join(' ');
}
