import { CanActivate, ExecutionContext, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { identityOf } from '../auth/principal';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/app-config';
import { BucketStore } from './token-bucket';
import {
  BUCKET_STORE,
  RATE_LIMIT_EXCEEDED,
  RATE_LIMIT_HEADERS,
  RATE_LIMIT_REJECTIONS,
  RETRY_AFTER_SECONDS,
  RateLimitRejections,
} from './rate-limit.constants';
import { bucketKey, hostClassOf } from './rate-limit-key';

/**
 * Token-bucket limit of §1.10 as a route guard (`@UseGuards(RateLimitGuard)`): it runs after the global
 * auth and permission guards, so failed authentication consumes no token, and before the validation pipe.
 * The identity is the API key id, else the user id, else the client IP.
 *
 * The limit headers go onto the reply here, before the handler runs, so the 2xx answer carries them as
 * well as the 429 (whose body the error filter writes without touching headers already set).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly limit: string;

  constructor(
    @Inject(BUCKET_STORE) private readonly store: BucketStore,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(RATE_LIMIT_REJECTIONS) private readonly rejections: RateLimitRejections,
  ) {
    this.limit = String(config.rateLimitMaxTokens);
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const http = ctx.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const identity = req.principal ? identityOf(req.principal) : `ip:${req.ip}`;
    const hostClass = hostClassOf(req.headers.host);
    const result = await this.store.take(bucketKey(hostClass, identity));
    reply.header(RATE_LIMIT_HEADERS.limit, this.limit);
    reply.header(RATE_LIMIT_HEADERS.remaining, String(result.remaining));
    if (!result.allowed) {
      reply.header(RATE_LIMIT_HEADERS.retryAfter, RETRY_AFTER_SECONDS);
      this.rejections.countRateLimitRejection(hostClass);
      throw new HttpException(RATE_LIMIT_EXCEEDED, HttpStatus.TOO_MANY_REQUESTS);
    }
    return true;
  }
}
