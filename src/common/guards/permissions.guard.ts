import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Permission, missingPermissions, missingPermissionsMessage } from '../auth/permission';
import { PERMISSIONS_KEY } from '../decorators/auth.decorators';

/** API keys must carry the route's permissions (§1.8); users pass. Runs after the auth guard. */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<Permission[] | undefined>(PERMISSIONS_KEY, [ctx.getHandler(), ctx.getClass()]);
    const principal = ctx.switchToHttp().getRequest<FastifyRequest>().principal;
    if (!required?.length || principal?.kind !== 'api_key') return true;
    const missing = missingPermissions(principal.permissions, required);
    if (missing.length > 0) throw new ForbiddenException(missingPermissionsMessage(missing));
    return true;
  }
}
