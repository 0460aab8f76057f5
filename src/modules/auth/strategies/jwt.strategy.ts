import { createSecretKey } from 'node:crypto';
import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-jwt';
import { UserPrincipal } from '../../../common/auth/principal';
import { isUuid } from '../../../common/http/uuid';
import { AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { UsersService } from '../../users/users.service';
import { jwtSecretOf } from '../auth-config';
import { AuthErrors } from '../auth.errors';

export const JWT_STRATEGY = 'jwt';

/** Session JWTs (HS256). The token was already chosen by the auth guard (header or cookie, §1.7). */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: (req: FastifyRequest & { owlToken?: string }) => req.owlToken ?? null,
      // A KeyObject: given a string, jsonwebtoken first tries (and fails) to parse it as a public key on every verify.
      // (passport-jwt hands it to jsonwebtoken.verify, which accepts KeyObjects; its typings only list string/Buffer.)
      secretOrKey: createSecretKey(Buffer.from(jwtSecretOf(config), 'utf8')) as unknown as string,
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
