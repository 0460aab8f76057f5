import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Principal } from '../../common/auth/principal';
import { PUBLIC_KEY } from '../../common/decorators/auth.decorators';
import { looksLikeApiKey } from '../keys/api-key-secrets';
import { AuthErrors, TOKEN_COOKIE } from './auth.errors';
import { API_KEY_STRATEGY } from './strategies/api-key.strategy';
import { JWT_STRATEGY } from './strategies/jwt.strategy';

const BEARER = /^Bearer (\S+)$/;

/** Passport failures become the contract's 401 texts; the strategies see only the chosen token. */
function strategyGuard(strategy: string, failure: string) {
  return class extends AuthGuard(strategy) {
    getRequest(ctx: ExecutionContext) {
      const token = ctx.switchToHttp().getRequest<FastifyRequest & { owlToken?: string }>().owlToken;
      // passport-http-bearer would also read access_token from body/query; hand it the chosen token only.
      return { headers: { authorization: `Bearer ${token}` }, owlToken: token, query: {}, body: {} };
    }
    handleRequest<T>(err: unknown, user: T, _info: unknown, ctx: ExecutionContext): T {
      if (err instanceof UnauthorizedException) throw err;
      if (err || !user) throw new UnauthorizedException(failure);
      ctx.switchToHttp().getRequest<FastifyRequest>().principal = user as unknown as Principal;
      return user;
    }
  };
}

@Injectable()
export class JwtAuthGuard extends strategyGuard(JWT_STRATEGY, AuthErrors.invalidToken) {}

@Injectable()
export class ApiKeyAuthGuard extends strategyGuard(API_KEY_STRATEGY, AuthErrors.invalidApiKey) {}

/**
 * Global guard: picks the credential per §1.7 (an Authorization header wins over the cookie, and must be
 * exactly `Bearer <token>`), authenticates it with the API-key or JWT strategy, and leaves the principal
 * on the request. `@Public()` routes skip it.
 */
@Injectable()
export class PrincipalAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtAuthGuard,
    private readonly apiKey: ApiKeyAuthGuard,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { owlToken?: string }>();
    const token = selectToken(req);
    req.owlToken = token;
    const guard = looksLikeApiKey(token) ? this.apiKey : this.jwt;
    await guard.canActivate(ctx);
    return true;
  }
}

/** §1.7 credential selection. */
export function selectToken(req: FastifyRequest): string {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = BEARER.exec(header);
    if (!match) throw new UnauthorizedException(AuthErrors.invalidAuthorizationFormat);
    return match[1];
  }
  const cookie = (req as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies?.[TOKEN_COOKIE];
  if (cookie) return cookie;
  throw new UnauthorizedException(AuthErrors.missingAuthorization);
}
