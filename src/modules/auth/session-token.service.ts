import { KeyObject, createHmac, createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { SESSION_TTL_SECONDS } from './auth.errors';

/** Resolves the secret once: it was resolved at boot (generated and persisted in development when unset). */
export function sessionSecretOf(config: AppConfig): string {
  if (!config.jwtSecret) throw new Error('JWT secret was not resolved at boot');
  return config.jwtSecret;
}

/**
 * The one owner of JWT_SECRET (§1.7): signs session JWTs (HS256, `sub` + `email`, 7 days) through
 * @nestjs/jwt, hands the verifying key to the passport-jwt strategy, and derives other keys from the secret
 * (login-code hashes) so that nothing else ever reads it.
 */
@Injectable()
export class SessionTokenService {
  /** A KeyObject: given a string, jsonwebtoken first tries (and fails) to parse it as a public key on every verify. */
  readonly verifyKey: KeyObject;
  private readonly secret: string;

  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.secret = sessionSecretOf(config);
    this.verifyKey = createSecretKey(Buffer.from(this.secret, 'utf8'));
  }

  sign(user: { id: string; email: string }): string {
    return this.jwt.sign({ sub: user.id, email: user.email }, { secret: this.secret, algorithm: 'HS256', expiresIn: SESSION_TTL_SECONDS });
  }

  /** A key for `purpose` derived from the secret (HMAC-SHA256), e.g. the login-code hash key. */
  keyFor(purpose: string): Buffer {
    return createHmac('sha256', this.secret).update(purpose).digest();
  }
}
