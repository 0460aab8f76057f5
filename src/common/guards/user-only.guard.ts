import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { USER_ONLY_KEY } from '../decorators/auth.decorators';

/** User-only endpoints answer API keys with their own 403 text (§1.7). Runs after the permissions guard. */
@Injectable()
export class UserOnlyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const message = this.reflector.getAllAndOverride<string | undefined>(USER_ONLY_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (message && ctx.switchToHttp().getRequest<FastifyRequest>().principal?.kind !== 'user') {
      throw new ForbiddenException(message);
    }
    return true;
  }
}
