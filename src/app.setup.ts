import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { registerBodyHandling, MAX_DECODED_BYTES } from './common/http/body-handling';
import { onClientError, onFrameworkError } from './common/filters/framework-errors';
import { RouteRegistry } from './common/filters/route-registry';
import { AppConfig } from './config/app-config';
import { PrometheusService } from './modules/observability/prometheus.service';
import { OPENAPI_OPTIONS } from './app.openapi';
import { setupOpenApi } from './common/openapi/openapi';

/** Routes without the /v1 prefix (§1.1). */
export const OPERATIONAL_ROUTES = ['health', 'health/ready', 'metrics', 'openapi.json', 'docs'];

/** Options for the Fastify adapter, shared by main.ts and the tests. */
export function fastifyOptions(): FastifyServerOptions {
  return {
    // Body limits are enforced by body-handling (1 MiB on the wire, 10 MiB decoded); this is the outer cap.
    bodyLimit: MAX_DECODED_BYTES + 1,
    // Idle keep-alive connections are closed on shutdown, in-flight requests finish (B13).
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // A path parameter of any length the HTTP parser accepts still reaches its route, so an over-long id
    // gets the resource's 404 (B7) instead of Fastify's 414 (its default cap is 100 characters).
    routerOptions: { maxParamLength: 16_384 },
    // Failures before routing (bad %-escapes, over-long parameters, unparseable requests) in the envelope (B1).
    frameworkErrors: onFrameworkError,
    clientErrorHandler: onClientError,
    // One request id for Fastify and every pino line of the request: the caller's X-Request-Id or a UUID.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && incoming.length > 0 && incoming.length <= 128 ? incoming : randomUUID();
    },
  };
}

/**
 * Everything main.ts and the e2e helper share, so tests run the production pipeline: route registry
 * for 405s, body parsing and decompression, cookies, CORS and the /v1 prefix. Call before app.init().
 */
export async function configureApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const registry = new RouteRegistry();
  fastify.decorate('routeRegistry', registry);
  fastify.addHook('onRoute', (route) => registry.add(route.method, route.url));
  const metrics = app.get(PrometheusService);
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.is404 || !request.routeOptions.url ? 'unmatched' : request.routeOptions.url;
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  registerBodyHandling(fastify);
  await app.register(fastifyCookie as never);
  app.enableCors({
    origin: config.corsOrigins,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  });
  app.setGlobalPrefix('v1', { exclude: OPERATIONAL_ROUTES });
  // GET /openapi.json and /docs (B11); after the prefix, which the document's paths include.
  setupOpenApi(app, OPENAPI_OPTIONS);
}
