import { Permission } from '../../src/common/auth/permission';
import { ApiKeyType } from '../../src/common/auth/permission';
import { insertApp } from '../factories/apps.factory';
import { insertMetricRows } from '../factories/metric-events.factory';
import { Session, loginAs } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';
import { addMember, auditRows, postProject } from '../utils/project-fixtures';

import { ISO_TIMESTAMP_RE } from '../utils/matchers';
import { insertKey } from '../factories/keys.factory';

/** SPEC §2.12.2 / §2.12.7 / B21: metric definitions CRUD, roles × permissions, audit, slug reuse. */

const ISO = ISO_TIMESTAMP_RE;
const MISSING_ID = '00000000-0000-4000-8000-000000000001';
type Headers = Record<string, string>;

describe('metric definitions', () => {
  const t = useTestApp();
  let ada: Session;
  let projectId: string;

  beforeEach(async () => {
    await t.reset();
    ada = await loginAs(t, 'ada@example.com');
    projectId = (await postProject(t, ada, { name: 'Acme', slug: 'acme' })).id;
  });

  const base = (pid = projectId) => `/v1/projects/${pid}/metrics`;
  const req = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Headers, payload?: unknown) =>
    t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const create = async (body: Record<string, unknown>, headers: Headers = ada.headers, pid = projectId) => {
    const res = await req('POST', base(pid), headers, body);
    if (res.statusCode !== 201) throw new Error(`create metric failed: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const expectError = (res: { statusCode: number; json(): unknown }, status: number, error: string) => {
    expect({ status: res.statusCode, body: res.json() }).toEqual({ status, body: { error } });
  };

  describe('POST', () => {
    it('creates an active definition, readable by slug, by id and in the list; audit create {name, slug}', async () => {
      const res = await req('POST', base(), ada.headers, {
        name: 'Photo upload',
        slug: 'photo-upload',
        description: 'Upload from picker to CDN',
        schema_definition: { start_fields: [{ name: 'size', type: 'number' }] },
        aggregation_rules: { lifecycle: true },
        status: 'paused',
        id: MISSING_ID,
        project_id: MISSING_ID,
      });
      expect(res.statusCode).toBe(201);
      const d = res.json();
      expect(d).toEqual({
        id: expect.any(String),
        project_id: projectId,
        name: 'Photo upload',
        slug: 'photo-upload',
        description: 'Upload from picker to CDN',
        documentation: null,
        schema_definition: { start_fields: [{ name: 'size', type: 'number' }] },
        aggregation_rules: { lifecycle: true },
        status: 'active',
        created_at: expect.stringMatching(ISO),
        updated_at: d.created_at,
      });
      expect(d.id).not.toBe(MISSING_ID);
      expect((await req('GET', `${base()}/photo-upload`, ada.headers)).json()).toEqual(d);
      expect((await req('GET', `/v1/metrics/by-id/${d.id}`, ada.headers)).json()).toEqual(d);
      expect((await req('GET', `/v1/metrics/by-id/${d.id.toUpperCase()}`, ada.headers)).json()).toEqual(d);
      const list = await req('GET', base(), ada.headers);
      expect({ status: list.statusCode, body: list.json() }).toEqual({ status: 200, body: { metrics: [d] } });
      expect(await auditRows(t, ada, d.id)).toEqual([
        {
          team_id: ada.teamId,
          actor_type: 'user',
          actor_id: ada.userId,
          action: 'create',
          resource_type: 'metric_definition',
          resource_id: d.id,
          changes: null,
          metadata: { name: 'Photo upload', slug: 'photo-upload' },
        },
      ]);
    });

    it('defaults the optional fields to null; null and "" count as missing (§1.2)', async () => {
      const d = await create({
        name: 'N',
        slug: 'n',
        description: '',
        documentation: null,
        schema_definition: null,
        aggregation_rules: '',
      });
      expect(d).toEqual(
        expect.objectContaining({ description: null, documentation: null, schema_definition: null, aggregation_rules: null }),
      );
    });

    it('accepts the longest values', async () => {
      const d = await create({
        name: '🦉'.repeat(255),
        slug: 'a'.repeat(255),
        description: 'd'.repeat(10_000),
        documentation: 'x'.repeat(100_000),
      });
      expect([d.name, d.slug.length, d.description.length, d.documentation.length]).toEqual(['🦉'.repeat(255), 255, 10_000, 100_000]);
    });

    it.each([[{}], [{ name: 'A' }], [{ slug: 'a' }], [{ name: null, slug: 'a' }], [{ name: 'A', slug: '' }]])(
      'requires name and slug (%j)',
      async (body) => expectError(await req('POST', base(), ada.headers, body), 400, 'name and slug are required'),
    );

    it.each(
      (
        [
          [{ name: 5, slug: 'BAD' }, 'name must be a string'],
          [{ name: 'A', slug: 7 }, 'slug must be a string'],
          [{ name: 'x'.repeat(256), slug: 'a' }, 'name must be at most 255 characters'],
          [{ name: 'A', slug: 'a'.repeat(256) }, 'slug must be at most 255 characters'],
          [{ name: 'A', slug: 'BAD', description: 5 }, 'description must be a string'],
          [{ name: 'A', slug: 'a', description: 'x'.repeat(10_001) }, 'description must be at most 10000 characters'],
          [{ name: 'A', slug: 'a', documentation: ['x'] }, 'documentation must be a string'],
          [{ name: 'A', slug: 'a', documentation: 'x'.repeat(100_001) }, 'documentation must be at most 100000 characters'],
          [{ name: 'A', slug: 'a', schema_definition: [1], aggregation_rules: 'x' }, 'schema_definition must be an object'],
          [{ name: 'A', slug: 'a', schema_definition: 'x' }, 'schema_definition must be an object'],
          [{ name: 'A', slug: 'a', aggregation_rules: true }, 'aggregation_rules must be an object'],
          [{ name: 'A', slug: 'Photo' }, 'metric slug must contain only lowercase letters, numbers, and hyphens (e.g. "onboarding")'],
          [{ name: 'A', slug: 'a_b' }, 'metric slug must contain only lowercase letters, numbers, and hyphens (e.g. "onboarding")'],
        ] as [Record<string, unknown>, string][]
      ).map(([body, error]) => [error, body] as const),
    )('answers 400 "%s" in field order', async (error, body) => {
      expectError(await req('POST', base(), ada.headers, body), 400, error);
      // 400s come before the project lookup.
      expectError(await req('POST', base(MISSING_ID), ada.headers, body), 400, error);
    });

    it('answers 404 for unknown, malformed, deleted and foreign projects, before the role check', async () => {
      const body = { name: 'A', slug: 'a' };
      expectError(await req('POST', base(MISSING_ID), ada.headers, body), 404, 'Project not found');
      expectError(await req('POST', base('not-a-uuid'), ada.headers, body), 404, 'Project not found');
      const eve = await loginAs(t, 'eve@example.com');
      const foreign = await postProject(t, eve);
      expectError(await req('POST', base(foreign.id), ada.headers, body), 404, 'Project not found');
      const bob = await loginAs(t, 'bob@example.com');
      await addMember(t, ada.teamId, bob, 'member');
      expectError(await req('POST', base(MISSING_ID), bob.headers, body), 404, 'Project not found');
      await req('DELETE', `/v1/projects/${projectId}`, ada.headers);
      expectError(await req('POST', base(), ada.headers, body), 404, 'Project not found');
    });

    it('answers 409 for a live slug, and frees a deleted slug at once (B21)', async () => {
      const first = await create({ name: 'A', slug: 'dup' });
      expectError(
        await req('POST', base(), ada.headers, { name: 'B', slug: 'dup' }),
        409,
        'A metric with this slug already exists in this project',
      );
      expect((await req('DELETE', `${base()}/dup`, ada.headers)).json()).toEqual({ deleted: true });
      const second = await create({ name: 'B', slug: 'dup' });
      expect(second.id).not.toBe(first.id);
      expect((await req('GET', `${base()}/dup`, ada.headers)).json()).toEqual(second);
      expectError(await req('GET', `/v1/metrics/by-id/${first.id}`, ada.headers), 404, 'Metric not found');
      // The same slug in another project is fine.
      const other = await postProject(t, ada);
      await create({ name: 'C', slug: 'dup' }, ada.headers, other.id);
    });

    it('answers exactly one 201 and 409s (never 500) to concurrent creates of one slug', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => req('POST', base(), ada.headers, { name: `N${i}`, slug: 'race' })),
      );
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
      const live: { n: string }[] = await t.ds.query(`SELECT count(*)::text AS n FROM metric_definitions WHERE slug = 'race'`);
      expect(live).toEqual([{ n: '1' }]);
    });
  });

  describe('GET', () => {
    it('lists live definitions by created_at', async () => {
      const a = await create({ name: 'A', slug: 'zeta' });
      const b = await create({ name: 'B', slug: 'alpha' });
      const c = await create({ name: 'C', slug: 'mid' });
      await req('DELETE', `${base()}/mid`, ada.headers);
      expect((await req('GET', base(), ada.headers)).json()).toEqual({ metrics: [a, b] });
      expect(c.slug).toBe('mid');
      const empty = await postProject(t, ada);
      expect((await req('GET', base(empty.id), ada.headers)).json()).toEqual({ metrics: [] });
    });

    it('answers 404 texts for projects and slugs; path slugs are literal', async () => {
      await create({ name: 'A', slug: 'photo' });
      expectError(await req('GET', `${base()}/Photo`, ada.headers), 404, 'Metric not found');
      expectError(await req('GET', `${base()}/${encodeURIComponent('photo\u0000')}`, ada.headers), 404, 'Metric not found');
      expectError(await req('GET', `${base()}/${'x'.repeat(5000)}`, ada.headers), 404, 'Metric not found');
      expectError(await req('GET', `${base(MISSING_ID)}/photo`, ada.headers), 404, 'Project not found');
      expectError(await req('GET', base('nope'), ada.headers), 404, 'Project not found');
      expectError(await req('GET', `/v1/metrics/by-id/nope`, ada.headers), 404, 'Metric not found');
      expectError(await req('GET', `/v1/metrics/by-id/${MISSING_ID}`, ada.headers), 404, 'Metric not found');
    });

    it('hides definitions of deleted projects and of other teams', async () => {
      const d = await create({ name: 'A', slug: 'a' });
      const eve = await loginAs(t, 'eve@example.com');
      expectError(await req('GET', `/v1/metrics/by-id/${d.id}`, eve.headers), 404, 'Metric not found');
      expectError(await req('GET', `${base()}/a`, eve.headers), 404, 'Project not found');
      expectError(await req('GET', base(), eve.headers), 404, 'Project not found');
      await req('DELETE', `/v1/projects/${projectId}`, ada.headers);
      expectError(await req('GET', `/v1/metrics/by-id/${d.id}`, ada.headers), 404, 'Metric not found');
    });
  });

  describe('PATCH', () => {
    const patch = (slug: string, body: unknown, headers: Headers = ada.headers, pid = projectId) =>
      req('PATCH', `${base(pid)}/${slug}`, headers, body);

    it('updates the given fields, keeps the slug, refreshes updated_at and audits each changed field', async () => {
      const d = await create({ name: 'A', slug: 'm', description: 'old', schema_definition: { a: 1, b: 2 } });
      await new Promise((r) => setTimeout(r, 5));
      const res = await patch('m', {
        name: 'B',
        slug: 'other',
        status: 'paused',
        description: null,
        documentation: '',
        schema_definition: { b: 2, a: 1 },
        aggregation_rules: { x: [1] },
      });
      expect(res.statusCode).toBe(200);
      const u = res.json();
      expect(u).toEqual({
        ...d,
        name: 'B',
        status: 'paused',
        description: null,
        documentation: '',
        aggregation_rules: { x: [1] },
        updated_at: expect.stringMatching(ISO),
      });
      expect(Date.parse(u.updated_at)).toBeGreaterThan(Date.parse(d.updated_at));
      expect((await req('GET', `${base()}/m`, ada.headers)).json()).toEqual(u);
      expect((await req('GET', `/v1/metrics/by-id/${d.id}`, ada.headers)).json()).toEqual(u);
      const audit = await auditRows(t, ada, d.id);
      expect(audit[1]).toEqual({
        team_id: ada.teamId,
        actor_type: 'user',
        actor_id: ada.userId,
        action: 'update',
        resource_type: 'metric_definition',
        resource_id: d.id,
        metadata: null,
        // schema_definition was sent with another key order only: not a change.
        changes: {
          name: { before: 'A', after: 'B' },
          description: { before: 'old', after: null },
          documentation: { before: null, after: '' },
          aggregation_rules: { before: null, after: { x: [1] } },
          status: { before: 'active', after: 'paused' },
        },
      });
      expect(audit).toHaveLength(2);
    });

    it('writes no audit entry for a no-op update, and name/status null or "" mean "not supplied"', async () => {
      const d = await create({ name: 'A', slug: 'm', description: 'd' });
      const res = await patch('m', { name: 'A', status: 'active', description: 'd', documentation: null });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ...d, updated_at: expect.stringMatching(ISO) });
      const keep = await patch('m', { name: null, status: '', schema_definition: null });
      expect(keep.json()).toEqual(expect.objectContaining({ name: 'A', status: 'active', schema_definition: null }));
      expect(await auditRows(t, ada, d.id)).toHaveLength(1);
      // Clearing a set field is a change.
      await patch('m', { description: null });
      expect((await auditRows(t, ada, d.id))[1]).toEqual(
        expect.objectContaining({ changes: { description: { before: 'd', after: null } } }),
      );
    });

    it.each(
      (
        [
          [{}, 'At least one field to update is required'],
          [{ slug: 'x', status: null, name: '' }, 'At least one field to update is required'],
          [{ name: 5, status: 'archived' }, 'name must be a string'],
          [{ name: 'x'.repeat(256) }, 'name must be at most 255 characters'],
          [{ description: 1 }, 'description must be a string'],
          [{ description: 'x'.repeat(10_001) }, 'description must be at most 10000 characters'],
          [{ documentation: {} }, 'documentation must be a string'],
          [{ schema_definition: [] }, 'schema_definition must be an object'],
          [{ schema_definition: '' }, 'schema_definition must be an object'],
          [{ aggregation_rules: 3 }, 'aggregation_rules must be an object'],
          [{ status: 1 }, 'status must be a string'],
          [{ status: 'archived' }, 'status must be one of active, paused'],
        ] as [Record<string, unknown>, string][]
      ).map(([body, error]) => [error, body] as const),
    )('answers 400 "%s" before any lookup', async (error, body) => {
      await create({ name: 'A', slug: 'm' });
      expectError(await patch('m', body), 400, error);
      expectError(await patch('m', body, ada.headers, MISSING_ID), 400, error);
    });

    it('answers 400 for a body that is not a JSON object, and for no body', async () => {
      await create({ name: 'A', slug: 'm' });
      const arr = await t.app.inject({
        method: 'PATCH',
        url: `${base()}/m`,
        headers: { ...ada.headers, 'content-type': 'application/json' },
        payload: '[1]',
      });
      expectError(arr, 400, 'Request body must be a JSON object');
      const none = await t.app.inject({ method: 'PATCH', url: `${base()}/m`, headers: ada.headers });
      expectError(none, 400, 'At least one field to update is required');
    });

    it('answers 404 project, then 404 metric, then 403 role', async () => {
      await create({ name: 'A', slug: 'm' });
      const bob = await loginAs(t, 'bob@example.com');
      await addMember(t, ada.teamId, bob, 'member');
      expectError(await patch('m', { name: 'B' }, bob.headers, MISSING_ID), 404, 'Project not found');
      expectError(await patch('nope', { name: 'B' }, bob.headers), 404, 'Metric not found');
      expectError(await patch('m', { name: 'B' }, bob.headers), 403, 'Requires admin role or higher');
      const eve = await loginAs(t, 'eve@example.com');
      expectError(await patch('m', { name: 'B' }, eve.headers), 404, 'Project not found');
      const carol = await loginAs(t, 'carol@example.com');
      await addMember(t, ada.teamId, carol, 'admin');
      expect((await patch('m', { name: 'B' }, carol.headers)).statusCode).toBe(200);
    });
  });

  describe('DELETE', () => {
    it('soft-deletes, keeps the metric rows queryable, audits {slug}', async () => {
      const d = await create({ name: 'A', slug: 'm' });
      const app = await insertApp(t, { teamId: ada.teamId, createdBy: ada.userId, projectId });
      await insertMetricRows(t, [{ appId: app.id, slug: 'm', phase: 'record', at: new Date(Date.now() - 60_000) }]);
      const res = await req('DELETE', `${base()}/m`, ada.headers);
      expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 200, body: { deleted: true } });
      expectError(await req('GET', `${base()}/m`, ada.headers), 404, 'Metric not found');
      expectError(await req('DELETE', `${base()}/m`, ada.headers), 404, 'Metric not found');
      expect((await req('GET', base(), ada.headers)).json()).toEqual({ metrics: [] });
      const rows: { deleted_at: Date | null }[] = await t.ds.query(`SELECT deleted_at FROM metric_definitions WHERE id = $1`, [d.id]);
      expect(rows[0].deleted_at).toBeInstanceOf(Date);
      const q = await req('GET', `${base()}/m/query`, ada.headers);
      expect(q.json().aggregation.record_count).toBe(1);
      expect((await auditRows(t, ada, d.id))[1]).toEqual({
        team_id: ada.teamId,
        actor_type: 'user',
        actor_id: ada.userId,
        action: 'delete',
        resource_type: 'metric_definition',
        resource_id: d.id,
        changes: null,
        metadata: { slug: 'm' },
      });
    });

    it('answers 404 project, 404 metric, then 403 role for users', async () => {
      await create({ name: 'A', slug: 'm' });
      const bob = await loginAs(t, 'bob@example.com');
      await addMember(t, ada.teamId, bob, 'member');
      expectError(await req('DELETE', `${base(MISSING_ID)}/m`, bob.headers), 404, 'Project not found');
      expectError(await req('DELETE', `${base('x')}/m`, bob.headers), 404, 'Project not found');
      expectError(await req('DELETE', `${base()}/nope`, bob.headers), 404, 'Metric not found');
      expectError(await req('DELETE', `${base()}/m`, bob.headers), 403, 'Requires admin role or higher');
      const eve = await loginAs(t, 'eve@example.com');
      expectError(await req('DELETE', `${base()}/m`, eve.headers), 404, 'Project not found');
    });
  });

  describe('roles × permissions', () => {
    it('lets members read, admins and owners write', async () => {
      const d = await create({ name: 'A', slug: 'm' });
      const bob = await loginAs(t, 'bob@example.com');
      const carol = await loginAs(t, 'carol@example.com');
      await addMember(t, ada.teamId, bob, 'member');
      await addMember(t, ada.teamId, carol, 'admin');
      for (const url of [base(), `${base()}/m`, `/v1/metrics/by-id/${d.id}`, `${base()}/m/events`, `${base()}/m/query`]) {
        expect([url, (await req('GET', url, bob.headers)).statusCode]).toEqual([url, 200]);
      }
      expectError(await req('POST', base(), bob.headers, { name: 'B', slug: 'b' }), 403, 'Requires admin role or higher');
      expect((await req('POST', base(), carol.headers, { name: 'C', slug: 'c' })).statusCode).toBe(201);
      expect((await req('PATCH', `${base()}/c`, carol.headers, { name: 'C2' })).statusCode).toBe(200);
      expect((await req('DELETE', `${base()}/c`, carol.headers)).statusCode).toBe(200);
    });

    it('refuses client keys and agent keys without the permission; keys never delete', async () => {
      const d = await create({ name: 'A', slug: 'm' });
      const client = await insertKey(t, { teamId: ada.teamId, createdBy: ada.userId, type: ApiKeyType.Client });
      const readOnly = await insertKey(t, { teamId: ada.teamId, createdBy: ada.userId, permissions: [Permission.MetricsRead] });
      const writeOnly = await insertKey(t, { teamId: ada.teamId, createdBy: ada.userId, permissions: [Permission.MetricsWrite] });
      const none = await insertKey(t, { teamId: ada.teamId, createdBy: ada.userId, permissions: [Permission.EventsRead] });
      const reads = [base(), `${base()}/m`, `/v1/metrics/by-id/${d.id}`, `${base()}/m/events`, `${base()}/m/query`];
      for (const key of [client, writeOnly, none]) {
        for (const url of reads) expectError(await req('GET', url, key.headers), 403, 'Missing permission: metrics:read');
      }
      for (const key of [client, readOnly, none]) {
        expectError(await req('POST', base(), key.headers, { name: 'B', slug: 'b' }), 403, 'Missing permission: metrics:write');
        expectError(await req('PATCH', `${base()}/m`, key.headers, { name: 'B' }), 403, 'Missing permission: metrics:write');
        expectError(await req('DELETE', `${base()}/m`, key.headers), 403, 'Missing permission: metrics:write');
      }
      // Permission before body validation and lookups.
      expectError(await req('POST', base(MISSING_ID), client.headers, {}), 403, 'Missing permission: metrics:write');
      for (const url of reads) expect([url, (await req('GET', url, readOnly.headers)).statusCode]).toEqual([url, 200]);
      const full = await insertKey(t, { teamId: ada.teamId, createdBy: ada.userId });
      expectError(await req('DELETE', `${base()}/m`, writeOnly.headers), 403, 'Only users can delete metrics');
      expectError(await req('DELETE', `${base(MISSING_ID)}/m`, full.headers), 403, 'Only users can delete metrics');
      expect((await req('GET', `${base()}/m`, ada.headers)).statusCode).toBe(200);
    });

    it('lets an agent key write in its own team (audited as the key) and never reach another team', async () => {
      const agent = await insertKey(t, {
        teamId: ada.teamId,
        createdBy: ada.userId,
        permissions: [Permission.MetricsRead, Permission.MetricsWrite],
      });
      const created = await req('POST', base(), agent.headers, { name: 'A', slug: 'm' });
      expect(created.statusCode).toBe(201);
      const d = created.json();
      expect((await req('PATCH', `${base()}/m`, agent.headers, { status: 'paused' })).json().status).toBe('paused');
      expect((await auditRows(t, ada, d.id)).map((r) => [r.actor_type, r.actor_id, r.action])).toEqual([
        ['api_key', agent.id, 'create'],
        ['api_key', agent.id, 'update'],
      ]);
      const eve = await loginAs(t, 'eve@example.com');
      const foreign = await postProject(t, eve);
      const theirs = await create({ name: 'E', slug: 'e' }, eve.headers, foreign.id);
      expectError(await req('GET', base(foreign.id), agent.headers), 404, 'Project not found');
      expectError(await req('POST', base(foreign.id), agent.headers, { name: 'X', slug: 'x' }), 404, 'Project not found');
      expectError(await req('PATCH', `${base(foreign.id)}/e`, agent.headers, { name: 'X' }), 404, 'Project not found');
      expectError(await req('GET', `${base(foreign.id)}/e/query`, agent.headers), 404, 'Project not found');
      expectError(await req('GET', `${base(foreign.id)}/e/events`, agent.headers), 404, 'Project not found');
      expectError(await req('GET', `/v1/metrics/by-id/${theirs.id}`, agent.headers), 404, 'Metric not found');
    });
  });
});
