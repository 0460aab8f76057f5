import { SetMetadata, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessRule } from '../auth/access';
import { Principal } from '../auth/principal';

/** Metadata key of the one access declaration of a route (or controller). */
export const ACCESS_KEY = 'owl:access';

/** Who may call this route (see AccessRule); one per route, read by the access guard and the OpenAPI document. */
export const Access = (rule: AccessRule) => SetMetadata(ACCESS_KEY, rule);

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The authenticated caller, as set by the auth guard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<FastifyRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
