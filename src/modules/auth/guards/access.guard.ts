import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { AccessRule, accessProblem } from '../../../common/auth/access';
import { looksLikeApiKey } from '../../../common/auth/permission';
import { Principal } from '../../../common/auth/principal';
import { ACCESS_KEY } from '../../../common/decorators/auth.decorators';
import { AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { TeamAccessService } from '../../teams/team-access.service';
import { AuthErrors, TOKEN_COOKIE } from '../auth.errors';
import { API_KEY_STRATEGY } from '../strategies/api-key.strategy';
import { JWT_STRATEGY } from '../strategies/jwt.strategy';

const BEARER = /^Bearer (\S+)$/;

/** §1.7 credential selection: the Authorization header wins and must be exactly `Bearer <token>`; else the cookie. */
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

/** Passport failures become the contract's 401 texts; a successful strategy leaves the principal on the request. */

/** Session JWTs through passport-jwt on the real request. */
class JwtGuard extends AuthGuard(JWT_STRATEGY) {
  handleRequest<T>(err: unknown, user: T, _info: unknown, ctx: ExecutionContext): T {
    return strategyOutcome(err, user, ctx, AuthErrors.invalidToken);
  }
}

/**
 * API keys through passport-http-bearer. It is handed a view of the request holding only the credential §1.7
 * selected: the strategy would otherwise also take `access_token` from the body or the query (which the
 * contract does not allow: an ingest body may carry any unknown field) and cannot read a key sent as the cookie.
 */
class ApiKeyGuard extends AuthGuard(API_KEY_STRATEGY) {
  getRequest(ctx: ExecutionContext) {
    const token = ctx.switchToHttp().getRequest<FastifyRequest & { owlToken?: string }>().owlToken;
    return { headers: { authorization: `Bearer ${token}` }, query: {}, body: {} };
  }

  handleRequest<T>(err: unknown, user: T, _info: unknown, ctx: ExecutionContext): T {
    return strategyOutcome(err, user, ctx, AuthErrors.invalidApiKey);
  }
}

function strategyOutcome<T>(err: unknown, user: T, ctx: ExecutionContext, failure: string): T {
  if (err instanceof UnauthorizedException) throw err;
  if (err || !user) throw new UnauthorizedException(failure);
  ctx.switchToHttp().getRequest<FastifyRequest>().principal = user as unknown as Principal;
  return user;
}

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The one guard chain (APP_GUARD), reading the route's one `@Access({...})` declaration, in contract order
 * (§1.11): public routes pass (the /metrics token aside) → authentication (401) → API-key permissions (403)
 * → user-only (403) → team membership and minimum role (403). A route without a declaration is refused
 * with a 500 — the route snapshot test makes sure none ships.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly jwt = new JwtGuard();
  private readonly apiKey = new ApiKeyGuard();

  constructor(
    private readonly reflector: Reflector,
    private readonly teams: TeamAccessService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (!rule) throw new Error(`route ${ctx.getClass().name}.${ctx.getHandler().name} has no @Access declaration`);
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { owlToken?: string }>();
    if (rule.public) {
      if (rule.metricsToken) this.checkMetricsToken(req);
      return true;
    }
    const token = selectToken(req);
    req.owlToken = token;
    await (looksLikeApiKey(token) ? this.apiKey : this.jwt).canActivate(ctx);
    const principal = req.principal as Principal;
    const problem = accessProblem(rule, principal);
    if (problem !== null) throw new ForbiddenException(problem);
    if (rule.teamRole) {
      const teamId = String((req.params as Record<string, string | undefined>)[rule.teamParam ?? 'teamId'] ?? '');
      await this.teams.assertRole(principal, teamId, rule.teamRole);
    }
    return true;
  }

  private checkMetricsToken(req: FastifyRequest): void {
    const expected = this.config.metricsToken;
    if (expected && !sameSecret(req.headers.authorization ?? '', `Bearer ${expected}`)) {
      throw new UnauthorizedException(AuthErrors.invalidMetricsToken);
    }
  }
}
