import { SetMetadata, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Permission } from '../auth/permission';
import { Principal } from '../auth/principal';
import { TeamRole } from '../auth/team-role';

export const PUBLIC_KEY = 'owl:public';
export const PERMISSIONS_KEY = 'owl:permissions';
export const USER_ONLY_KEY = 'owl:userOnly';
export const TEAM_ROLE_KEY = 'owl:teamRole';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** No authentication (send-code, public invitation lookup, health...). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** API keys must hold every listed permission (users are governed by team role instead). */
export const RequirePermissions = (...permissions: Permission[]) => SetMetadata(PERMISSIONS_KEY, permissions);

/** API keys get 403 with this route's text (`Only users can …`). */
export const UserOnly = (message: string) => SetMetadata(USER_ONLY_KEY, message);

export interface TeamRoleRequirement {
  role: TeamRole;
  /** Route parameter holding the team id. */
  param: string;
}

/** The caller must be a member of the team in `:param` with at least `role` (API keys: their own team only). */
export const RequireTeamRole = (role: TeamRole, param = 'teamId') =>
  SetMetadata(TEAM_ROLE_KEY, { role, param } satisfies TeamRoleRequirement);

/** The authenticated caller, as set by the auth guard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<FastifyRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
