import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { toHttpError } from './http-error';
import { RouteRegistry } from './route-registry';
import { writeError } from './write-error';

declare module 'fastify' {
  interface FastifyInstance {
    routeRegistry: RouteRegistry;
  }
}

/**
 * Every error leaves through here (B1), including Fastify's own (body parsing, limits) and the
 * not-found handler: an unmatched request becomes 405 + Allow on a known path, else 404 "Not found".
 */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  constructor(@InjectPinoLogger(ErrorEnvelopeFilter.name) private readonly log: PinoLogger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (req.is404) {
      const allowed = req.server.routeRegistry?.allowedMethods(req.url) ?? [];
      if (allowed.length > 0) return writeError(reply, 405, { error: 'Method not allowed' }, { allow: allowed.join(', ') });
      return writeError(reply, 404, { error: 'Not found' });
    }
    const { status, body, headers } = toHttpError(err);
    if (status >= 500 && status !== 503) this.log.error({ err }, 'request failed');
    writeError(reply, status, body, headers);
  }
}
