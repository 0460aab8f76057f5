import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INestApplication, Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  PathItemObject,
  PathsObject,
  ReferenceObject,
  ResponseObject,
  ResponsesObject,
  SchemaObject,
  SecurityRequirementObject,
  TagObject,
} from '@nestjs/swagger';
import { RATE_LIMIT_HEADERS } from '../rate-limit/rate-limit.constants';
import { AccessTexts, RouteAccess, accessSummary, frameworkErrors, routeAccess } from './access';
import { DOCS_ASSETS, DOCS_INITIALIZER, DOCS_PATH, OPENAPI_PATH, docsAssetDir, docsHtml, docsInitializerJs } from './docs-page';
import { errorResponse } from './openapi.decorators';
import { ref } from './schemas';

/** What the application gives the document: everything module-specific (see src/app.openapi.ts). */
export interface OpenApiOptions {
  /** The page's groups in order (operations follow it); a tag not listed comes last. */
  tags: readonly TagObject[];
  /** `components.schemas`: every named schema the controllers refer to. */
  schemas: Record<string, SchemaObject>;
  accessTexts: AccessTexts;
}

/** Security scheme names of the document. */
export const SECURITY = { session: 'session', apiKey: 'api_key', cookie: 'cookie' } as const;

const TITLE = 'OwlMetry API';
const JSON_TYPE = 'application/json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const DESCRIPTION = [
  'OwlMetry-compatible analytics API. Product endpoints live under `/v1`; `/health`, `/health/ready`, `/metrics`,',
  '`/openapi.json` and `/docs` have no prefix.',
  '',
  '**First event in five calls:** `POST /v1/auth/send-code` (the code arrives by email), `POST /v1/auth/verify-code`',
  '(answers a session `token`: press *Authorize* and paste it as `session`), `POST /v1/projects` in your personal team,',
  "`POST /v1/apps` (answers the app's `client_key`: paste it as `api_key`), then `POST /v1/ingest` and `GET /v1/events`.",
  'Read endpoints show production data by default: events sent with `is_dev: true` need `data_mode=development` or `all`.',
  '',
  'Bodies are JSON objects (`Content-Type: application/json`, optionally `Content-Encoding: gzip` or `deflate`).',
  'Every non-2xx answer is `{"error": "<text>"}`; each operation lists its texts in the order they are checked.',
  'Timestamps are ISO 8601 UTC with milliseconds; ids are UUIDs. List endpoints with `cursor`/`limit` are paged',
  "newest first: pass the previous answer's `cursor` back until `has_more` is false.",
].join('\n');

/** `Apps_list`: the controller name without its suffix, then the method. */
export const operationId = (controller: string, method: string): string => `${controller.replace(/Controller$/, '')}_${method}`;

type Handler = (...args: unknown[]) => unknown;
interface RouteTarget {
  controller: Type;
  handler: Handler;
}

/** Every controller method that is a route, by the operation id the document gives it. */
function routeTargets(app: INestApplication): Map<string, RouteTarget> {
  const targets = new Map<string, RouteTarget>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        targets.set(operationId(controller.name, name), { controller, handler: handler as Handler });
      }
    }
  }
  return targets;
}

function securityOf(access: RouteAccess): SecurityRequirementObject[] {
  if (access.isPublic) return [];
  if (access.clientKeyOnly) return [{ [SECURITY.apiKey]: [] }];
  const user: SecurityRequirementObject[] = [{ [SECURITY.session]: [] }, { [SECURITY.cookie]: [] }];
  return access.userOnly ? user : [...user, { [SECURITY.apiKey]: [] }];
}

/** The error texts a response already lists (its examples, in order). */
function textsOf(response: ResponseObject | ReferenceObject | undefined): string[] {
  const examples = (response as ResponseObject | undefined)?.content?.[JSON_TYPE]?.examples ?? {};
  return Object.values(examples)
    .map((e) => (e as { value?: { error?: string } }).value?.error ?? '')
    .filter((t) => t !== '');
}

const rateLimitHeaders = {
  [RATE_LIMIT_HEADERS.limit]: { description: 'Bucket size', schema: { type: 'integer' } },
  [RATE_LIMIT_HEADERS.remaining]: { description: 'Whole tokens left after this request', schema: { type: 'integer' } },
};

/**
 * Adds what the guards and the body reader decide to the handler's own responses: framework texts come
 * first (they are checked first), then the handler's; responses are ordered by status.
 */
function withFrameworkResponses(
  responses: ResponsesObject,
  access: RouteAccess,
  texts: AccessTexts,
  extra: Map<number, string[]>,
): ResponsesObject {
  const merged: ResponsesObject = { ...responses };
  const framework = frameworkErrors(access, texts);
  for (const [status, texts] of extra) framework.set(status, [...(framework.get(status) ?? []), ...texts]);
  for (const [status, texts] of [...framework].sort(([a], [b]) => a - b)) {
    const existing = merged[status] as ResponseObject | undefined;
    const schema = existing?.content?.[JSON_TYPE]?.schema ?? ref('ErrorResponse');
    merged[status] = errorResponse(status, [...new Set([...texts, ...textsOf(existing)])], schema);
  }
  if (access.rateLimited) {
    for (const [status, response] of Object.entries(merged)) {
      if (status.startsWith('2')) merged[status] = { ...(response as ResponseObject), headers: rateLimitHeaders };
    }
    merged['429'] = {
      ...(merged['429'] as ResponseObject),
      headers: { ...rateLimitHeaders, [RATE_LIMIT_HEADERS.retryAfter]: { description: 'Seconds to wait', schema: { type: 'integer' } } },
    };
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}

/** `id`, `teamId`, `userId`, …: path parameters that are UUIDs. Others (`slug`, `token`) are plain text. */
const isIdParam = (name: string): boolean => name === 'id' || /Id$/.test(name);

/**
 * Conventions every route shares, applied to its parameters: id path parameters are UUIDs (a malformed one is
 * answered like an unknown id); `cursor` and `limit` page a list; a query parameter given twice is refused.
 * Returns the error texts these conventions add.
 */
function describeParameters(op: OperationObject): Map<number, string[]> {
  const params = (op.parameters ?? []) as ParameterObject[];
  for (const p of params) {
    if (p.in === 'path' && isIdParam(p.name)) {
      p.schema = { type: 'string', format: 'uuid' };
      p.description ??= 'UUID; any other value is answered like an unknown id.';
    } else if (p.in === 'path') {
      p.schema = { type: 'string' };
    } else if (p.in === 'query' && p.name === 'limit') {
      p.schema = { type: 'integer', minimum: 1, maximum: 200, default: 50 };
      p.description ??= 'Page size. Never an error: floored, absent/non-numeric/0 → 50, below 1 → 1, above 200 → 200.';
    } else if (p.in === 'query' && p.name === 'cursor') {
      p.description ??= 'Opaque: the `cursor` of the previous page (same filters again).';
    } else if (p.in === 'query' && (p.name === 'since' || p.name === 'until')) {
      p.description ??=
        'Inclusive bound on `timestamp`: `YYYY-MM-DDTHH:MM:SS[.fraction]` with optional `Z`/`±HH:MM` (none = UTC), or `YYYY-MM-DD`.';
      p.example ??= '2024-03-08T14:22:05.417Z';
    }
  }
  return new Map(params.some((p) => p.in === 'query') ? [[400, ['<name> must be given only once']]] : []);
}

/** The tag of a path (its first operation's), as an index into `tags`; unknown tags sort last. */
function tagRank(item: PathItemObject, tags: readonly TagObject[]): number {
  const tag = HTTP_METHODS.map((m) => item[m]?.tags?.[0]).find((t) => t !== undefined);
  const index = tags.findIndex((t) => t.name === tag);
  return index === -1 ? tags.length : index;
}

/** Paths grouped by tag in `tags` order (stable: within a group, the controllers' order). */
const orderedPaths = (paths: PathsObject, tags: readonly TagObject[]): PathsObject =>
  Object.fromEntries(
    Object.entries(paths)
      .map(([path, item], index) => ({ path, item, index, rank: tagRank(item, tags) }))
      .sort((a, b) => a.rank - b.rank || a.index - b.index)
      .map(({ path, item }) => [path, item]),
  );

/**
 * The OpenAPI 3 document of the running application, generated from the controllers: routes,
 * parameters and request bodies from the DTO decorators (src/common/pipes/validation.ts), success and
 * handler error answers from @ApiOk/@ApiErrors, and security plus the guards' error answers from the
 * auth metadata (@Public, @RequirePermissions, @UserOnly, @RequireTeamRole, RateLimitGuard).
 * Call after the global prefix is set.
 */
export function buildOpenApiDocument(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const base = new DocumentBuilder()
    .setTitle(TITLE)
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Session JWT from `POST /v1/auth/verify-code`.' },
      SECURITY.session,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'owl_agent_… / owl_client_…',
        description: 'Agent key (CLI, automation) or client key (SDKs).',
      },
      SECURITY.apiKey,
    )
    .addCookieAuth(
      'token',
      { type: 'apiKey', in: 'cookie', name: 'token', description: 'Session cookie set by verify-code.' },
      SECURITY.cookie,
    )
    .build();
  const document = SwaggerModule.createDocument(
    app,
    { ...base, components: { ...base.components, schemas: options.schemas } },
    { operationIdFactory: operationId, autoTagControllers: false },
  );
  const targets = routeTargets(app);
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const target = op.operationId ? targets.get(op.operationId) : undefined;
      if (!target) throw new Error(`OpenAPI: no controller method for operation ${op.operationId ?? '(none)'}`);
      const access = routeAccess(target.controller, target.handler);
      op.security = securityOf(access);
      op.description = [op.description, accessSummary(access)].filter(Boolean).join('\n\n');
      op.responses = withFrameworkResponses(op.responses, access, options.accessTexts, describeParameters(op));
    }
  }
  const used = new Set(Object.values(document.paths).flatMap((item) => HTTP_METHODS.flatMap((m) => item[m]?.tags ?? [])));
  const dangling = danglingRefs(document);
  if (dangling.length > 0) throw new Error(`OpenAPI: no schema registered for ${dangling.join(', ')}`);
  return { ...document, tags: options.tags.filter((t) => used.has(t.name)), paths: orderedPaths(document.paths, options.tags) };
}

/** `$ref`s to component schemas that are not registered (controllers name schemas by string). */
function danglingRefs(document: OpenAPIObject): string[] {
  const prefix = '#/components/schemas/';
  const names = new Set(Object.keys(document.components?.schemas ?? {}));
  const refs = JSON.stringify(document).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
  return [...new Set(refs.map((r) => r.slice(r.indexOf(prefix) + prefix.length, -1)))].filter((n) => !names.has(n));
}

/** The answer of `GET /`: where the documentation is. */
export const ROOT_ANSWER = { name: TITLE, docs: DOCS_PATH, openapi: OPENAPI_PATH } as const;

/**
 * Builds the document once at startup and serves it with the documentation page (and `GET /`, which points
 * to it), outside the /v1 prefix and the guards. Called by configureApp before app.init(): the controllers'
 * metadata is complete by then.
 */
export function setupOpenApi(app: NestFastifyApplication, options: OpenApiOptions): void {
  const document = buildOpenApiDocument(app, options);
  const json = JSON.stringify(document);
  const root = JSON.stringify(ROOT_ANSWER);
  const html = docsHtml(document);
  const initializer = docsInitializerJs();
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/', (_req, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(root));
  fastify.get(OPENAPI_PATH, (_req, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(json));
  fastify.get(DOCS_PATH, (_req, reply) => reply.header('content-type', 'text/html; charset=utf-8').send(html));
  fastify.get(`${DOCS_PATH}/${DOCS_INITIALIZER}`, (_req, reply) =>
    reply.header('content-type', 'application/javascript; charset=utf-8').send(initializer),
  );
  const assets = new Map<string, Promise<Buffer>>();
  for (const [name, type] of Object.entries(DOCS_ASSETS)) {
    fastify.get(`${DOCS_PATH}/${name}`, async (_req, reply) => {
      if (!assets.has(name)) {
        // A failed read is not cached: the next request tries again (the error itself reaches the 500 handler).
        const read = readFile(join(docsAssetDir(), name));
        read.catch(() => assets.delete(name));
        assets.set(name, read);
      }
      const body = await assets.get(name)!;
      return reply.header('content-type', type).header('cache-control', 'public, max-age=86400').send(body);
    });
  }
}
