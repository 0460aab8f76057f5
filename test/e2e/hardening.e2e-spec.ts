import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { sign } from 'jsonwebtoken';
import { MAX_JSON_DEPTH } from '../../src/common/http/json-depth';
import { INGEST_WRITER_DEFAULTS, INGEST_WRITER_OPTIONS } from '../../src/modules/events/ingest-writer';
import { PrometheusService } from '../../src/modules/observability/prometheus.service';
import { AppFixture, insertApp } from '../factories/apps.factory';
import { anEvent, ingest, ingestOk } from '../factories/events.factory';
import { Session, postKey, loginAs } from '../utils/auth';
import { TEST_JWT_SECRET, TestApp, createTestApp, useTestApp } from '../utils/create-test-app';
import { auditRows, createTeam, joinTeam } from '../utils/team-fixtures';

/**
 * Issue 11: hostile input never reaches a 5xx, email fields are one address, deletes are race-free,
 * framework errors wear the envelope, a full ingest queue answers 503.
 */
describe('hardening', () => {
  const t = useTestApp();
  let owner: Session;

  beforeEach(async () => {
    await t.reset();
    owner = await loginAs(t, 'owner@example.com');
  });

  const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
  const nestedBody = (levels: number): string => `{"email":"x@example.com","name":"n","zz":${deep(levels)}}`;
  const DEEP_TEXT = `zz is nested too deeply (at most ${MAX_JSON_DEPTH} levels)`;

  describe('deeply nested bodies → 400 naming the field, on every route that reads a body', () => {
    /** Every operation of the OpenAPI document with a request body, path parameters filled with a UUID. */
    async function bodyRoutes(): Promise<{ method: string; url: string }[]> {
      const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      const out: { method: string; url: string }[] = [];
      for (const [path, ops] of Object.entries<Record<string, { requestBody?: unknown }>>(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (op.requestBody === undefined) continue;
          out.push({ method: method.toUpperCase(), url: path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000001') });
        }
      }
      return out;
    }

    it('covers at least the known body routes', async () => {
      const routes = (await bodyRoutes()).map((r) => `${r.method} ${r.url}`);
      for (const expected of [
        'POST /v1/auth/send-code',
        'POST /v1/auth/verify-code',
        'POST /v1/auth/agent-login',
        'POST /v1/teams',
        'POST /v1/projects',
        'POST /v1/ingest',
        'POST /v1/identity/claim',
        'POST /v1/invites/accept',
        'POST /v1/auth/keys',
      ]) {
        expect(routes).toContain(expected);
      }
    });

    it('each answers 400 with the field, before authentication, signed in or not', async () => {
      for (const route of await bodyRoutes()) {
        for (const headers of [{}, owner.headers]) {
          const res = await t.app.inject({
            method: route.method as 'POST',
            url: route.url,
            headers: { ...headers, 'content-type': 'application/json' },
            payload: nestedBody(1300),
          });
          expect({ route, status: res.statusCode, body: res.json() }).toEqual({ route, status: 400, body: { error: DEEP_TEXT } });
        }
      }
    });

    it('a 2 KB gzip body carrying a million levels is refused cheaply', async () => {
      t.sink.clear();
      const gz = gzipSync(Buffer.from(nestedBody(1_000_000)));
      expect(gz.length).toBeLessThan(12_000);
      const started = process.hrtime.bigint();
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/send-code',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        payload: gz,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: DEEP_TEXT });
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2_000);
      expect(t.sink.messages).toEqual([]);
    });

    it('the limit itself is accepted (the unknown field is then ignored)', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/send-code',
        headers: { 'content-type': 'application/json' },
        payload: `{"email":"x@example.com","zz":${deep(MAX_JSON_DEPTH - 1)}}`,
      });
      expect(res.statusCode).toBe(200);
    });

    it('ingest bodies too: nothing is stored', async () => {
      const app = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        headers: { ...app.headers, 'content-type': 'application/json' },
        payload: `{"events":[{"message":"m","level":"info","session_id":"c7d1e9a2-4b6f-4f38-9e20-1a5c7b3d8e64","custom_attributes":{"a":${deep(40)}}}]}`,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: `events is nested too deeply (at most ${MAX_JSON_DEPTH} levels)` });
      expect(await t.ds.query(`SELECT count(*)::int AS n FROM events`)).toEqual([{ n: 0 }]);
    });
  });

  describe("out-of-range instants → the parameter's 400, never a 5xx", () => {
    const INSTANTS = [
      '0000-01-01',
      '0000-01-01T00:00:00Z',
      '0001-01-01T00:00:00+01:00',
      '9999-12-31T23:59:59-23:59',
      '9999-12-31T23:00:00-01:00',
    ];
    let app: AppFixture;
    beforeEach(async () => {
      app = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
    });

    const cases = (): { url: string; param: string; error: string }[] => [
      { url: '/v1/events', param: 'since', error: 'since must be a valid ISO 8601 timestamp' },
      { url: '/v1/events', param: 'until', error: 'until must be a valid ISO 8601 timestamp' },
      { url: '/v1/events', param: 'cursor', error: 'Invalid cursor' },
      { url: `/v1/teams/${owner.teamId}/audit-logs`, param: 'since', error: 'since must be a valid ISO 8601 timestamp' },
      { url: `/v1/teams/${owner.teamId}/audit-logs`, param: 'until', error: 'until must be a valid ISO 8601 timestamp' },
      { url: `/v1/teams/${owner.teamId}/audit-logs`, param: 'cursor', error: 'Invalid cursor' },
      { url: `/v1/apps/${app.id}/users`, param: 'cursor', error: 'Invalid cursor' },
      ...['since', 'until'].map((param) => ({
        url: `/v1/projects/${app.projectId}/metrics/upload/events`,
        param,
        error: `${param} must be a valid ISO 8601 timestamp`,
      })),
      { url: `/v1/projects/${app.projectId}/metrics/upload/events`, param: 'cursor', error: 'Invalid cursor' },
      ...['since', 'until'].map((param) => ({
        url: `/v1/projects/${app.projectId}/metrics/upload/query`,
        param,
        error: `${param} must be a valid ISO 8601 timestamp`,
      })),
      ...['since', 'until'].map((param) => ({
        url: `/v1/projects/${app.projectId}/funnels/onboarding/query`,
        param,
        error: `${param} must be a valid ISO 8601 timestamp`,
      })),
    ];

    it.each(INSTANTS)('%s, alone and inside a cursor', async (instant) => {
      for (const c of cases()) {
        for (const value of c.param === 'cursor' ? [instant, `${instant}|00000000-0000-4000-8000-000000000001`] : [instant]) {
          const res = await t.app.inject({
            method: 'GET',
            url: `${c.url}?${c.param}=${encodeURIComponent(value)}`,
            headers: owner.headers,
          });
          expect({ c, value, status: res.statusCode, body: res.json() }).toEqual({ c, value, status: 400, body: { error: c.error } });
        }
      }
    });

    it('the extremes of the range still work', async () => {
      for (const [param, value] of [
        ['since', '0001-01-01T00:00:00Z'],
        ['until', '9999-12-31T23:59:59.999Z'],
        ['cursor', '9999-12-31'],
      ]) {
        const res = await t.app.inject({ method: 'GET', url: `/v1/events?${param}=${value}`, headers: owner.headers });
        expect(res.statusCode).toBe(200);
      }
    });
  });

  describe('email fields hold exactly one address', () => {
    const HOSTILE = [
      'victim@example.com,attacker@evil.example',
      'victim@example.com;attacker@evil.example',
      'v@example.com\r\nBcc: x@evil.example',
      'v@example.com\nBcc: x@evil.example',
      'Victim <victim@example.com>',
      '<victim@example.com>',
      'victim@example.com (x@evil.example)',
      '"x@evil.example" victim@example.com',
      'victim@example.com attacker@evil.example',
      'victim@@example.com',
      'victim@example',
      'victim@example..com',
    ];

    it.each(HOSTILE)('send-code %j → 400 "Valid email is required", no mail', async (email) => {
      t.sink.clear();
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'Valid email is required' });
      expect(t.sink.messages).toEqual([]);
      expect(await t.ds.query(`SELECT count(*)::int AS n FROM email_verification_codes`)).toEqual([{ n: 1 }]); // owner's
    });

    it.each(HOSTILE)('invitation %j → 400 "Valid email is required", no mail, nothing stored', async (email) => {
      t.sink.clear();
      const res = await t.app.inject({
        method: 'POST',
        url: `/v1/teams/${owner.teamId}/invitations`,
        headers: owner.headers,
        payload: { email },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'Valid email is required' });
      expect(t.sink.messages).toEqual([]);
      expect(await t.ds.query(`SELECT count(*)::int AS n FROM team_invitations`)).toEqual([{ n: 0 }]);
    });

    it.each(HOSTILE)('verify-code and agent-login %j → 401 (no code can exist for it)', async (email) => {
      for (const url of ['/v1/auth/verify-code', '/v1/auth/agent-login']) {
        const res = await t.app.inject({ method: 'POST', url, payload: { email, code: '123456' } });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ error: 'Invalid or expired code' });
      }
    });

    it('a valid address is trimmed, lower-cased and mailed to that one recipient only', async () => {
      t.sink.clear();
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email: '  Ada@Example.COM ' } });
      expect(res.statusCode).toBe(200);
      expect(t.sink.messages.map((m) => [m.to, m.rcptTo])).toEqual([[['ada@example.com'], ['ada@example.com']]]);
      const invited = await t.app.inject({
        method: 'POST',
        url: `/v1/teams/${owner.teamId}/invitations`,
        headers: owner.headers,
        payload: { email: ' Bob@Example.com' },
      });
      expect(invited.statusCode).toBe(201);
      expect(t.sink.messages[1].rcptTo).toEqual(['bob@example.com']);
    });

    it('the send quota cannot be sidestepped with variants of one mailbox', async () => {
      for (let i = 0; i < 5; i++) {
        expect((await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email: 'v@example.com' } })).statusCode).toBe(
          200,
        );
      }
      for (const email of ['V@EXAMPLE.COM', ' v@example.com ', 'v@example.com,x@y.z', 'v@example.com\r\n']) {
        const res = await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email } });
        expect(res.statusCode === 429 || res.statusCode === 400).toBe(true);
      }
      expect(t.sink.messages.filter((m) => m.rcptTo.includes('v@example.com'))).toHaveLength(5);
    });
  });

  describe('deletes are race-free', () => {
    it('10 parallel deletes of one API key: one 200, nine 404, one audit entry', async () => {
      const key = await postKey(t, owner, { key_type: 'agent', name: 'raced' });
      const results = await Promise.all(
        Array.from({ length: 10 }, () => t.app.inject({ method: 'DELETE', url: `/v1/auth/keys/${key.id}`, headers: owner.headers })),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, ...Array(9).fill(404)]);
      for (const r of results.filter((x) => x.statusCode === 404)) expect(r.json()).toEqual({ error: 'API key not found' });
      const deletes = (await auditRows(t, owner.teamId)).filter((a) => a.resource_type === 'api_key' && a.action === 'delete');
      expect(deletes).toHaveLength(1);
    });

    it('deleting both of a user\'s two teams at once: one succeeds, the other "Cannot delete your only team"', async () => {
      const second = await createTeam(t, owner, 'second');
      const results = await Promise.all(
        [owner.teamId, second].map((id) => t.app.inject({ method: 'DELETE', url: `/v1/teams/${id}`, headers: owner.headers })),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400]);
      expect(results.find((r) => r.statusCode === 400)!.json()).toEqual({ error: 'Cannot delete your only team' });
      const teams = await t.app.inject({ method: 'GET', url: '/v1/auth/teams', headers: owner.headers });
      expect(teams.json().teams).toHaveLength(1);
    });

    it('two owners deleting their two shared teams at once: one team survives for both', async () => {
      const other = await loginAs(t, 'other@example.com');
      const shared1 = await createTeam(t, owner, 'shared-1');
      const shared2 = await createTeam(t, owner, 'shared-2');
      await joinTeam(t, owner, shared1, other, 'owner');
      await joinTeam(t, owner, shared2, other, 'owner');
      for (const s of [owner, other]) {
        expect((await t.app.inject({ method: 'DELETE', url: `/v1/teams/${s.teamId}`, headers: s.headers })).statusCode).toBe(200);
      }
      // Both now belong to exactly shared1 and shared2; each deletes a different one.
      const results = await Promise.all([
        t.app.inject({ method: 'DELETE', url: `/v1/teams/${shared1}`, headers: owner.headers }),
        t.app.inject({ method: 'DELETE', url: `/v1/teams/${shared2}`, headers: other.headers }),
      ]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400]);
      expect(results.find((r) => r.statusCode === 400)!.json()).toEqual({ error: 'Cannot delete your only team' });
      for (const s of [owner, other]) {
        const teams = await t.app.inject({ method: 'GET', url: '/v1/auth/teams', headers: s.headers });
        expect(teams.json().teams).toHaveLength(1);
      }
    });
  });

  describe('a validly signed JWT whose user no longer exists', () => {
    it('answers 401 "Invalid or expired token" everywhere, never a 5xx', async () => {
      const ghost = sign({ sub: '00000000-0000-4000-8000-00000000dead', email: 'ghost@example.com' }, TEST_JWT_SECRET, {
        algorithm: 'HS256',
        expiresIn: 3600,
      });
      const headers = { authorization: `Bearer ${ghost}` };
      for (const [method, url, payload] of [
        ['POST', '/v1/teams', { name: 'Ghost', slug: 'ghost' }],
        ['POST', '/v1/invites/accept', { token: '00000000-0000-4000-8000-000000000001' }],
        ['GET', '/v1/auth/whoami', undefined],
        ['GET', '/v1/auth/me', undefined],
        ['POST', '/v1/projects', { team_id: owner.teamId, name: 'x', slug: 'x' }],
      ] as const) {
        const res = await t.app.inject({ method, url, headers, payload });
        expect({ url, status: res.statusCode, body: res.json() }).toEqual({
          url,
          status: 401,
          body: { error: 'Invalid or expired token' },
        });
      }
      const cookie = await t.app.inject({ method: 'GET', url: '/v1/auth/whoami', cookies: { token: ghost } });
      expect(cookie.statusCode).toBe(401);
    });
  });

  describe('framework errors wear the envelope (real HTTP)', () => {
    let port: number;
    beforeAll(async () => {
      await t.app.listen(0, '127.0.0.1');
      port = (t.app.getHttpServer().address() as AddressInfo).port;
    });

    function rawExchange(text: string): Promise<string> {
      return new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(text));
        let out = '';
        socket.on('data', (d) => (out += d.toString('latin1')));
        socket.on('close', () => resolve(out));
        socket.on('error', reject);
      });
    }
    const split = (raw: string): { status: number; type: string; body: unknown } => {
      const [head, body] = raw.split('\r\n\r\n');
      return {
        status: Number(head.split(' ')[1]),
        type: /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '',
        body: JSON.parse(body),
      };
    };

    it('a malformed %-escape in the path → 400 {"error":"Malformed URL"} (no URL echoed)', async () => {
      for (const path of ['/v1/apps/%zz', '/v1/teams/%E0%A4%A/members', '/%']) {
        const res = split(await rawExchange(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        expect(res).toEqual({ status: 400, type: 'application/json; charset=utf-8', body: { error: 'Malformed URL' } });
      }
    });

    it('request headers over 16 KB → 431 envelope', async () => {
      const res = split(await rawExchange(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
      expect(res).toEqual({ status: 431, type: 'application/json; charset=utf-8', body: { error: 'Request header fields too large' } });
    });

    it('a malformed header line → 400 envelope', async () => {
      const res = split(await rawExchange(`GET /health HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n`));
      expect(res).toEqual({ status: 400, type: 'application/json; charset=utf-8', body: { error: 'Bad request' } });
    });

    it('the server keeps serving afterwards', async () => {
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/health' }, (res) => {
          let b = '';
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve(b));
        });
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body)).toEqual({ status: 'ok' });
    });
  });

  describe('a full ingest write queue', () => {
    /** A second app on the same database whose ingest writer runs one statement at a time and queues one event. */
    let queueApp: TestApp;
    beforeAll(async () => {
      queueApp = await createTestApp({}, [
        { provide: INGEST_WRITER_OPTIONS, useValue: { ...INGEST_WRITER_DEFAULTS, maxInFlight: 1, maxQueuedEvents: 1 } },
      ]);
    });
    afterAll(async () => {
      await queueApp.close();
    });

    it('answers 503 "Server busy" with Retry-After and counts it; every 200 was stored', async () => {
      const app = await insertApp(queueApp, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
      await ingestOk(queueApp, app, [anEvent()]); // warm: prepared statement, key cache
      const before = await busyCount();
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => ingest(queueApp, app, [anEvent({ message: `m${i}` })])));
      const busy = results.filter((r) => r.statusCode === 503);
      const ok = results.filter((r) => r.statusCode === 200);
      expect(busy.length + ok.length).toBe(30);
      expect(busy.length).toBeGreaterThan(0);
      for (const r of busy) {
        expect(r.json()).toEqual({ error: 'Server busy' });
        expect(r.headers['retry-after']).toBe('1');
      }
      expect(await t.ds.query(`SELECT count(*)::int AS n FROM events`)).toEqual([{ n: 1 + ok.length }]);
      expect((await busyCount()) - before).toBe(busy.length);
    });

    async function busyCount(): Promise<number> {
      const text = await queueApp.app.get(PrometheusService).render();
      return Number(/^owlmetry_ingest_busy_rejections_total (\d+)/m.exec(text)?.[1] ?? NaN);
    }
  });
});
