import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { UserPrincipal } from '../../../common/auth/principal';
import { isUuid } from '../../../common/http/uuid';
import { UsersService } from '../../users/users.service';
import { AuthErrors, TOKEN_COOKIE } from '../auth.errors';
import { SessionTokenService } from '../session-token.service';

export const JWT_STRATEGY = 'jwt';

/** The `token` cookie, as @fastify/cookie parsed it. */
const fromTokenCookie = (req: FastifyRequest & { cookies?: Record<string, string | undefined> }): string | null =>
  req.cookies?.[TOKEN_COOKIE] || null;

/**
 * Session JWTs (HS256) read from the real request by passport-jwt's own extractors: `Authorization: Bearer`,
 * else the `token` cookie — the order of §1.7 (a present header is the only credential; the access guard has
 * already refused a malformed one).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(
    sessions: SessionTokenService,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromExtractors([ExtractJwt.fromAuthHeaderAsBearerToken(), fromTokenCookie]),
      // passport-jwt hands the key to jsonwebtoken.verify, which accepts KeyObjects; its typings only list string/Buffer.
      secretOrKey: sessions.verifyKey as unknown as string,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  /**
   * A validly signed token is a user only while that user exists: the principal is confirmed here, once per
   * request, so no handler ever acts for a user row that is gone (which would end in a foreign-key 500).
   */
  async validate(payload: { sub?: unknown; email?: unknown }): Promise<UserPrincipal> {
    if (!isUuid(payload.sub) || typeof payload.email !== 'string') throw new UnauthorizedException(AuthErrors.invalidToken);
    const user = await this.users.findById(payload.sub.toLowerCase());
    if (!user) throw new UnauthorizedException(AuthErrors.invalidToken);
    return { kind: 'user', userId: user.id, email: user.email };
  }
}
