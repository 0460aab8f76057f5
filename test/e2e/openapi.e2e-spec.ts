import type { Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import { aFullEvent } from '../factories/events.factory';
import { Session, bearer } from '../utils/auth';
import { TestApp, createTestApp } from '../utils/create-test-app';
import { operationId } from '../../src/common/openapi/openapi';

/**
 * B11: GET /openapi.json is generated from the code and describes every /v1 route; GET /docs serves the
 * interactive page on it. The document is compared with the routes Fastify really registered and, for the
 * shared objects, with real answers of the API.
 */

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const ENVELOPE = '#/components/schemas/ErrorResponse';

/** `/v1/apps/:id` → `/v1/apps/{id}` */
const toOpenApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const resolve = (doc: Json, schema: Json): Json => {
  let s = schema;
  while (s.$ref) s = doc.components.schemas[String(s.$ref).replace('#/components/schemas/', '')];
  return s;
};

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_MS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Problems of `value` against a schema of the document (the subset of OpenAPI 3.0 it uses). Strict on
 * objects: a key the schema does not declare is a problem too, so an undocumented field fails the test.
 */
function problems(doc: Json, schema: Json, value: unknown, at = '$'): string[] {
  const s = resolve(doc, schema);
  if (value === null) return s.nullable ? [] : [`${at} is null but not nullable`];
  if (s.allOf) return s.allOf.flatMap((part: Json) => problems(doc, part, value, at));
  if (s.oneOf) {
    const matching = s.oneOf.filter((option: Json) => problems(doc, option, value, at).length === 0).length;
    return matching === 1 ? [] : [`${at} matches ${matching} oneOf options`];
  }
  if (s.enum && !s.enum.includes(value)) return [`${at} = ${JSON.stringify(value)} not in enum`];
  switch (s.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at} is not an object`];
      const obj = value as Record<string, unknown>;
      const out = (s.required ?? []).filter((k: string) => !(k in obj)).map((k: string) => `${at}.${k} is missing`);
      for (const [k, v] of Object.entries(obj)) {
        if (s.properties?.[k]) out.push(...problems(doc, s.properties[k], v, `${at}.${k}`));
        else if (typeof s.additionalProperties === 'object') out.push(...problems(doc, s.additionalProperties, v, `${at}.${k}`));
        else if (s.additionalProperties !== true) out.push(`${at}.${k} is not documented`);
      }
      return out;
    }
    case 'array':
      return Array.isArray(value) ? value.flatMap((v, i) => problems(doc, s.items, v, `${at}[${i}]`)) : [`${at} is not an array`];
    case 'string':
      if (typeof value !== 'string') return [`${at} is not a string`];
      if (s.format === 'uuid' && !UUID_RE.test(value)) return [`${at} is not a UUID`];
      if (s.format === 'date-time' && !ISO_MS_RE.test(value)) return [`${at} is not an ISO timestamp`];
      if (s.format === 'email' && !value.includes('@')) return [`${at} is not an email`];
      return [];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at} is not an integer`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at} is not a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at} is not a boolean`];
    default:
      return [`${at}: schema without a type`];
  }
}

describe('OpenAPI document and docs page (B11)', () => {
  let t: TestApp;
  let doc: Json;

  const operation = (method: string, path: string): Json => {
    const op = doc.paths[path]?.[method];
    if (!op) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
    return op;
  };
  const operations = (): { method: string; path: string; op: Json }[] =>
    Object.entries(doc.paths as Json).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] })),
    );
  /** The documented success schema of an operation (first 2xx with JSON content). */
  const successSchema = (method: string, path: string, status: number): Json => {
    const schema = operation(method, path).responses[String(status)]?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`${method.toUpperCase()} ${path} documents no ${status} JSON body`);
    return schema;
  };
  /** Asserts that a real answer has the documented status and matches the documented schema exactly. */
  const expectConforms = (method: string, path: string, res: { statusCode: number; json(): unknown }) => {
    expect(operation(method, path).responses[String(res.statusCode)]).toEqual(expect.objectContaining({ description: expect.any(String) }));
    expect(problems(doc, successSchema(method, path, res.statusCode), res.json())).toEqual([]);
  };

  beforeAll(async () => {
    t = await createTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    doc = res.json();
  });
  beforeEach(() => t.reset());
  afterAll(async () => {
    await t.close();
  });

  it('serves an OpenAPI 3 document as JSON, without authentication', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: 'Bearer not-a-token' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json();
    expect(body.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(body.info).toEqual(expect.objectContaining({ title: 'OwlMetry API', version: '1' }));
    expect(body).toEqual(doc);
  });

  it('documents every /v1 route Fastify registered, and nothing else', () => {
    const registered = t.app
      .getHttpAdapter()
      .getInstance()
      .routeRegistry.routes()
      .filter((r) => r.method !== 'HEAD' && r.url.startsWith('/v1/'))
      .map((r) => `${r.method} ${toOpenApiPath(r.url)}`);
    const documented = operations().map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(registered.length).toBeGreaterThanOrEqual(42);
    const missing = registered.filter((r) => !documented.includes(r));
    expect(missing).toEqual([]);
    // The operational routes of Nest controllers are documented too; nothing documented is unroutable.
    const all = t.app
      .getHttpAdapter()
      .getInstance()
      .routeRegistry.routes()
      .map((r) => `${r.method} ${toOpenApiPath(r.url)}`);
    expect(documented.filter((d) => !all.includes(d))).toEqual([]);
    expect(documented.filter((d) => !d.includes(' /v1/')).sort()).toEqual(['GET /health', 'GET /health/ready', 'GET /metrics']);
  });

  it('gives every operation an id, a summary, a tag, a success schema and enveloped errors', () => {
    for (const { method, path, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect([where, typeof op.operationId, typeof op.summary, op.tags?.length]).toEqual([where, 'string', 'string', 1]);
      const statuses = Object.keys(op.responses);
      const success = statuses.filter((s) => s.startsWith('2'));
      expect([where, success.length > 0]).toEqual([where, true]);
      for (const s of success) {
        const content = op.responses[s].content ?? {};
        expect([where, s, Object.keys(content).length]).toEqual([where, s, 1]);
      }
      for (const s of statuses.filter((x) => Number(x) >= 400)) {
        const schema = op.responses[s].content['application/json'].schema;
        const refs = schema.$ref ? [schema.$ref] : (schema.oneOf ?? []).map((o: Json) => o.$ref);
        expect([where, s, refs.includes(ENVELOPE)]).toEqual([where, s, true]);
      }
      expect([where, statuses.includes('500')]).toEqual([where, true]);
    }
  });

  it("declares the auth schemes and derives each route's security from its guards", () => {
    expect(doc.components.securitySchemes).toEqual({
      session: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      api_key: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      cookie: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'token' }),
    });
    const user = [{ session: [] }, { cookie: [] }];
    expect(operation('post', '/v1/auth/send-code').security).toEqual([]);
    expect(operation('get', '/v1/invites/{token}').security).toEqual([]);
    expect(operation('get', '/health').security).toEqual([]);
    expect(operation('post', '/v1/teams').security).toEqual(user);
    expect(operation('get', '/v1/apps').security).toEqual([...user, { api_key: [] }]);
    // The SDKs' operations take an app's client key and nothing else: only the API-key scheme is offered there.
    expect(operation('post', '/v1/ingest').security).toEqual([{ api_key: [] }]);
    expect(operation('post', '/v1/identity/claim').security).toEqual([{ api_key: [] }]);
    expect(operation('post', '/v1/ingest').description).toContain('Client keys only');
    // Public routes have no 401; the others list the auth texts, then the guards' 403s in the order they run.
    expect(operation('post', '/v1/auth/send-code').responses['401']).toBeUndefined();
    expect(operation('get', '/v1/apps').responses['401'].description).toBe(
      'No credentials, or credentials not valid: "Missing authorization" · "Invalid authorization format" · "Invalid API key" · ' +
        '"API key expired" · "Invalid or expired token"',
    );
    const deleteApp = operation('delete', '/v1/apps/{id}').responses['403'].content['application/json'].examples;
    expect(Object.values(deleteApp).map((e: any) => e.value)).toEqual([
      { error: 'Missing permission: apps:write' },
      { error: 'Only users can delete apps' },
      { error: 'Requires admin role or higher' },
    ]);
    const auditLogs = operation('get', '/v1/teams/{teamId}/audit-logs').responses['403'].content['application/json'].examples;
    expect(Object.values(auditLogs).map((e: any) => e.value.error)).toEqual([
      'Missing permission: audit_logs:read',
      'Not a member of this team',
      'Requires admin role or higher',
    ]);
    const events = operation('get', '/v1/events');
    expect(events.responses['429'].headers).toEqual(expect.objectContaining({ 'Retry-After': expect.any(Object) }));
    expect(Object.keys(events.responses['200'].headers)).toEqual(['X-RateLimit-Limit', 'X-RateLimit-Remaining']);
  });

  it('describes request bodies and parameters from the DTO decorators', () => {
    const create = operation('post', '/v1/auth/keys');
    const body = resolve(doc, create.requestBody.content['application/json'].schema);
    expect(body.required).toEqual(['key_type', 'name']);
    expect(body.properties.name).toEqual({ type: 'string', maxLength: 255 });
    expect(body.properties.key_type).toEqual({ type: 'string', enum: ['client', 'agent'] });
    expect(body.properties.expires_in_days).toEqual({ type: 'integer', minimum: 1, maximum: 3650 });
    expect(body.properties.app_id).toEqual(expect.objectContaining({ type: 'string', format: 'uuid' }));
    expect(body.properties.permissions).toEqual(
      expect.objectContaining({ type: 'array', items: expect.objectContaining({ type: 'string' }) }),
    );
    expect(body.properties.permissions.items.enum).toHaveLength(11);
    expect(body.properties.requirements).toBeUndefined();
    expect(create.responses['400'].content['application/json'].examples.e4.value).toEqual({ error: 'name and key_type required' });

    expect(resolve(doc, operation('post', '/v1/teams').requestBody.content['application/json'].schema)).toEqual({
      type: 'object',
      properties: { name: { type: 'string', maxLength: 255 }, slug: { type: 'string', maxLength: 255 } },
      required: ['name', 'slug'],
    });
    expect(resolve(doc, operation('post', '/v1/ingest').requestBody.content['application/json'].schema).required).toEqual(['events']);

    const params = operation('get', '/v1/events').parameters as Json[];
    expect(params.map((p) => p.name)).toEqual([
      'team_id',
      'app_id',
      'project_id',
      'level',
      'user_id',
      'session_id',
      'environment',
      'screen_name',
      'since',
      'until',
      'data_mode',
      'cursor',
      'limit',
    ]);
    expect(params.find((p) => p.name === 'level')).toEqual({
      name: 'level',
      in: 'query',
      required: false,
      schema: { type: 'string', enum: ['info', 'debug', 'warn', 'error'] },
    });
    expect(params.find((p) => p.name === 'limit')?.schema).toEqual({ type: 'integer', minimum: 1, maximum: 200, default: 50 });
    expect(operation('get', '/v1/apps/{id}').parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description: expect.any(String) },
    ]);
  });

  it('documents every validated field of every body and query DTO', () => {
    const gaps: string[] = [];
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as Type;
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
            string,
            { index: number; data?: unknown }
          >;
          const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, name) ?? []) as Type[];
          const op = operations().find((o) => o.op.operationId === operationId(controller.name, name))?.op;
          for (const [key, arg] of Object.entries(args)) {
            const kind = Number(key.split(':')[0]) as RouteParamtypes;
            if ((kind !== RouteParamtypes.BODY && kind !== RouteParamtypes.QUERY) || arg.data !== undefined) continue;
            const fields = getMetadataStorage()
              .getTargetValidationMetadatas(types[arg.index], '', false, false)
              .filter((m) => m.name !== 'crossCheck')
              .map((m) => m.propertyName);
            const documented =
              kind === RouteParamtypes.BODY
                ? Object.keys(resolve(doc, op?.requestBody?.content['application/json'].schema ?? {}).properties ?? {})
                : ((op?.parameters ?? []) as Json[]).filter((p) => p.in === 'query').map((p) => p.name);
            gaps.push(...[...new Set(fields)].filter((f) => !documented.includes(f)).map((f) => `${controller.name}.${name}: ${f}`));
          }
        }
      }
    }
    expect(gaps).toEqual([]);
  });

  it('describes the shared objects exactly as the API answers them', async () => {
    const signIn = await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email: 'ada@example.com' } });
    expectConforms('post', '/v1/auth/send-code', signIn);
    const verify = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/verify-code',
      payload: { email: 'ada@example.com', code: t.sink.lastCodeFor('ada@example.com') },
    });
    expect(verify.statusCode).toBe(201);
    expectConforms('post', '/v1/auth/verify-code', verify);
    const ada: Session = {
      token: verify.json().token,
      userId: verify.json().user.id,
      email: 'ada@example.com',
      teamId: verify.json().teams[0].id,
      headers: bearer(verify.json().token),
    };
    const get = (url: string, headers: Record<string, string> = ada.headers) => t.app.inject({ method: 'GET', url, headers });
    const post = (url: string, payload: object, headers: Record<string, string> = ada.headers) =>
      t.app.inject({ method: 'POST', url, headers, payload });

    expectConforms('get', '/v1/auth/me', await get('/v1/auth/me'));
    expectConforms('get', '/v1/auth/whoami', await get('/v1/auth/whoami'));
    expectConforms('get', '/v1/auth/teams', await get('/v1/auth/teams'));
    const team = await post('/v1/teams', { name: 'Acme', slug: 'acme' });
    expectConforms('post', '/v1/teams', team);
    const teamId = team.json().id;
    expectConforms('post', '/v1/teams/{teamId}/invitations', await post(`/v1/teams/${teamId}/invitations`, { email: 'bob@example.com' }));
    expectConforms('get', '/v1/teams/{teamId}', await get(`/v1/teams/${teamId}`));
    expectConforms('get', '/v1/teams/{teamId}/members', await get(`/v1/teams/${teamId}/members`));

    const project = await post('/v1/projects', { team_id: teamId, name: 'Acme Mobile', slug: 'acme-mobile' });
    expectConforms('post', '/v1/projects', project);
    const app = await post('/v1/apps', {
      name: 'Acme iOS',
      platform: 'apple',
      bundle_id: 'com.acme.mobile',
      project_id: project.json().id,
    });
    expectConforms('post', '/v1/apps', app);
    expect(successSchema('get', '/v1/apps/{id}', 200)).toEqual({ $ref: '#/components/schemas/App' });
    const appBody = (await get(`/v1/apps/${app.json().id}`)).json();
    expect(problems(doc, successSchema('get', '/v1/apps/{id}', 200), appBody)).toEqual([]);
    // The comparison is strict both ways: an undocumented or a missing field is reported.
    const { client_key: _, ...withoutKey } = appBody;
    expect(problems(doc, successSchema('get', '/v1/apps/{id}', 200), { ...withoutKey, secret: 'x' })).toEqual([
      '$.client_key is missing',
      '$.secret is not documented',
    ]);
    expectConforms('get', '/v1/projects/{id}', await get(`/v1/projects/${project.json().id}`));

    const key = await post('/v1/auth/keys', { name: 'CI agent', key_type: 'agent', team_id: teamId, expires_in_days: 30 });
    expectConforms('post', '/v1/auth/keys', key);
    expectConforms('get', '/v1/auth/keys', await get('/v1/auth/keys'));
    expectConforms('get', '/v1/auth/whoami', await get('/v1/auth/whoami', bearer(key.json().key)));

    const client = bearer(app.json().client_key);
    const ingest = await post(
      '/v1/ingest',
      {
        bundle_id: 'com.acme.mobile',
        events: [aFullEvent({ user_id: 'owl_anon_7QkP2v' }), { message: 'x', session_id: 'nope' }],
      },
      client,
    );
    expect(ingest.json()).toEqual(expect.objectContaining({ accepted: 1, rejected: 1 }));
    expectConforms('post', '/v1/ingest', ingest);
    const events = await get(`/v1/events?app_id=${app.json().id}`);
    expect(events.json().events).toHaveLength(1);
    expectConforms('get', '/v1/events', events);
    expectConforms('get', '/v1/events/{id}', await get(`/v1/events/${events.json().events[0].id}`));
    expectConforms('get', '/v1/apps/{id}/users', await get(`/v1/apps/${app.json().id}/users`));
    expectConforms(
      'post',
      '/v1/identity/claim',
      await post('/v1/identity/claim', { anonymous_id: 'owl_anon_7QkP2v', user_id: 'user-456' }, client),
    );
    const audit = await get(`/v1/teams/${teamId}/audit-logs`);
    expect(audit.json().audit_logs.length).toBeGreaterThan(3);
    expectConforms('get', '/v1/teams/{teamId}/audit-logs', audit);

    const missing = await get(`/v1/apps/${teamId}`);
    expect(missing.statusCode).toBe(404);
    expect(problems(doc, { $ref: ENVELOPE }, missing.json())).toEqual([]);
    expect(Object.values(operation('get', '/v1/apps/{id}').responses['404'].content['application/json'].examples)).toEqual([
      { summary: 'App not found', value: missing.json() },
    ]);
  });

  it('stands on its own: no references to sections of an outside contract', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    for (const text of [JSON.stringify(doc), page.body]) {
      expect(text.match(/.{0,40}(§|\bB\d{1,2}\b|\bSPEC\b).{0,40}/g) ?? []).toEqual([]);
    }
  });

  it('lists the closed sets as enums and marks what an ingest event needs', () => {
    const schemas = doc.components.schemas;
    const event = schemas.IngestEvent;
    expect(event.required).toEqual(['session_id', 'level', 'message']);
    expect(event.properties.level.enum).toEqual(['info', 'debug', 'warn', 'error']);
    expect(event.properties.environment.enum).toEqual(['ios', 'ipados', 'macos', 'android', 'web', 'backend']);
    expect(event.properties.environment.description).toContain('apple → ios, ipados, macos');
    expect(schemas.App.properties.platform.enum).toEqual(['apple', 'android', 'web', 'backend']);
    const createApp = resolve(doc, operation('post', '/v1/apps').requestBody.content['application/json'].schema);
    expect(createApp.properties.platform).toEqual(expect.objectContaining({ enum: ['apple', 'android', 'web', 'backend'] }));
    const param = (method: string, path: string, name: string): Json =>
      (operation(method, path).parameters as Json[]).find((p) => p.name === name)!;
    expect(param('get', '/v1/projects/{projectId}/metrics/{slug}/events', 'phase').schema.enum).toEqual([
      'start',
      'complete',
      'fail',
      'cancel',
      'record',
    ]);
    expect(param('get', '/v1/projects/{projectId}/funnels/{slug}/query', 'mode').schema.enum).toEqual(['closed', 'open']);
    for (const [path, name] of [
      ['/v1/events', 'level'],
      ['/v1/events', 'environment'],
    ])
      expect(param('get', path, name).schema.enum).toBeDefined();
    // data_mode is documented with its default wherever it is accepted, and the events docs say what it hides.
    for (const path of [
      '/v1/events',
      '/v1/projects/{projectId}/metrics/{slug}/events',
      '/v1/projects/{projectId}/metrics/{slug}/query',
      '/v1/projects/{projectId}/funnels/{slug}/query',
    ]) {
      const dataMode = param('get', path, 'data_mode');
      expect([path, dataMode.schema]).toEqual([
        path,
        { type: 'string', enum: ['production', 'development', 'all'], default: 'production' },
      ]);
      expect(dataMode.description).toContain('`production` (the default)');
    }
    expect(operation('get', '/v1/events').description).toContain('`data_mode` defaults to `production`');
    expect(doc.tags.find((tag: Json) => tag.name === 'Events').description).toContain('`data_mode` defaults to `production`');
  });

  it('documents only id parameters as UUIDs (slugs and tokens are text)', () => {
    const pathParams = operations().flatMap(({ method, path, op }) =>
      ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'path').map((p): Json => ({ where: `${method} ${path}`, ...p })),
    );
    expect(pathParams.length).toBeGreaterThan(40);
    for (const p of pathParams) {
      const isId = p.name === 'id' || p.name.endsWith('Id');
      expect([p.where, p.name, p.schema]).toEqual([p.where, p.name, isId ? { type: 'string', format: 'uuid' } : { type: 'string' }]);
    }
    expect(pathParams.filter((p) => p.name === 'slug').map((p) => p.description)).toEqual(
      expect.arrayContaining([expect.stringContaining('Metric slug'), expect.stringContaining('Funnel slug')]),
    );
    expect(pathParams.find((p) => p.name === 'token')?.schema).toEqual({ type: 'string' });
  });

  it('lists the Auth group first, in the order a user signs in', () => {
    expect(doc.tags.map((tag: Json) => tag.name)).toEqual([
      'Auth',
      'Teams',
      'Projects',
      'Apps',
      'API keys',
      'Ingest',
      'Events',
      'Metrics',
      'Funnels',
      'Invitations',
      'Audit logs',
      'Operations',
    ]);
    const byTag = operations().map(({ method, path, op }) => ({ tag: op.tags[0], op: `${method.toUpperCase()} ${path}` }));
    // Operations come grouped, in the order of `tags`.
    const order = byTag.map((o) => doc.tags.findIndex((tag: Json) => tag.name === o.tag));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(byTag.filter((o) => o.tag === 'Auth').map((o) => o.op)).toEqual([
      'POST /v1/auth/send-code',
      'POST /v1/auth/verify-code',
      'POST /v1/auth/agent-login',
      'GET /v1/auth/whoami',
      'GET /v1/auth/me',
      'PATCH /v1/auth/me',
      'GET /v1/auth/teams',
      'POST /v1/auth/logout',
    ]);
  });

  it('gives examples that "Try it out" can send as they are: the ingest batch is accepted', async () => {
    const example = doc.components.schemas.IngestRequest.example;
    expect(example.events.length).toBeGreaterThan(1);
    expect(JSON.stringify(example)).not.toMatch(/"string"/);
    expect(problems(doc, { $ref: '#/components/schemas/IngestRequest' }, example)).toEqual([]);
    const createApp = resolve(doc, operation('post', '/v1/apps').requestBody.content['application/json'].schema);
    expect(createApp.properties.bundle_id.example).toBe(example.bundle_id);

    const verify = await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email: 'ada@example.com' } }).then(() =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/verify-code',
        payload: { email: 'ada@example.com', code: t.sink.lastCodeFor('ada@example.com') },
      }),
    );
    const session = bearer(verify.json().token);
    const project = await t.app.inject({
      method: 'POST',
      url: '/v1/projects',
      headers: session,
      payload: { team_id: verify.json().teams[0].id, name: 'Acme Mobile', slug: 'acme-mobile' },
    });
    const app = await t.app.inject({
      method: 'POST',
      url: '/v1/apps',
      headers: session,
      payload: {
        name: createApp.properties.name.example,
        platform: createApp.properties.platform.example,
        bundle_id: example.bundle_id,
        project_id: project.json().id,
      },
    });
    expect(app.statusCode).toBe(201);
    // Twice: the example carries no client_event_id or timestamp, so sending it again is never a duplicate or too old.
    for (let i = 0; i < 2; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/ingest', headers: bearer(app.json().client_key), payload: example });
      expect([res.statusCode, res.json()]).toEqual([200, { accepted: example.events.length, rejected: 0 }]);
    }
    const events = await t.app.inject({ method: 'GET', url: `/v1/events?app_id=${app.json().id}`, headers: session });
    expect(events.json().events).toHaveLength(2 * example.events.length);
  });

  it('answers GET / with where the documentation is, and keeps the error envelope there', async () => {
    const root = await t.app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(200);
    expect(root.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(root.json()).toEqual({ name: 'OwlMetry API', docs: '/docs', openapi: '/openapi.json' });
    const post = await t.app.inject({ method: 'POST', url: '/', payload: {} });
    expect(post.statusCode).toBe(405);
    expect(post.json()).toEqual({ error: 'Method not allowed' });
  });

  it('renders a summary of every operation in the page itself, before (and without) any script', async () => {
    const page = (await t.app.inject({ method: 'GET', url: '/docs' })).body;
    const summary = page.slice(page.indexOf('<main id="docs-summary">'), page.indexOf('</main>'));
    expect(summary).toContain('<h1>OwlMetry API');
    for (const { method, path } of operations()) {
      expect(summary).toContain(`<code class="method ${method}">${method.toUpperCase()}</code> <code class="path">${path}</code>`);
    }
    expect(summary.indexOf('>Auth</h2>')).toBeLessThan(summary.indexOf('>Ingest</h2>'));
    // The scripts never hold the first paint back; Swagger UI hides the summary once it has rendered.
    expect([...page.matchAll(/<script[^>]*>/g)].map((m) => m[0])).toEqual([
      '<script defer src="/docs/swagger-ui-bundle.js">',
      '<script defer src="/docs/docs-initializer.js">',
    ]);
    const init = (await t.app.inject({ method: 'GET', url: '/docs/docs-initializer.js' })).body;
    expect(init).toContain("getElementById('docs-summary')");
  });

  it('serves the interactive docs page on the document, with its assets from this server', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('data-openapi-url="/openapi.json"');
    const assets = [...page.body.matchAll(/(?:src|href)="(\/docs\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.sort()).toEqual([
      '/docs/docs-initializer.js',
      '/docs/favicon-32x32.png',
      '/docs/swagger-ui-bundle.js',
      '/docs/swagger-ui.css',
    ]);
    const types: Record<string, string> = {};
    for (const url of assets) {
      const res = await t.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer not-a-token' } });
      expect([url, res.statusCode]).toEqual([url, 200]);
      types[url] = String(res.headers['content-type']);
    }
    expect(types).toEqual({
      '/docs/docs-initializer.js': 'application/javascript; charset=utf-8',
      '/docs/favicon-32x32.png': 'image/png',
      '/docs/swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
      '/docs/swagger-ui.css': 'text/css; charset=utf-8',
    });
    const init = await t.app.inject({ method: 'GET', url: '/docs/docs-initializer.js' });
    expect(init.body).toContain('url: "/openapi.json"');
    expect(init.body).toContain('SwaggerUIBundle(');
    const bundle = await t.app.inject({ method: 'GET', url: '/docs/swagger-ui-bundle.js' });
    expect(bundle.body.length).toBeGreaterThan(100_000);
  });

  it('keeps the error envelope around the docs routes', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/docs/index.js' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'Not found' });
    const wrongMethod = await t.app.inject({ method: 'POST', url: '/docs', payload: {} });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
    expect(wrongMethod.json()).toEqual({ error: 'Method not allowed' });
    const prefixed = await t.app.inject({ method: 'GET', url: '/v1/openapi.json' });
    expect(prefixed.statusCode).toBe(404);
    expect(prefixed.json()).toEqual({ error: 'Not found' });
  });
});
