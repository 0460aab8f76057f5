import { ApiKeyType, Permission } from '../../src/common/auth/permission';
import { Session, loginAs } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';
import { addMember, auditRows, postProject } from '../utils/project-fixtures';

import { ISO_TIMESTAMP_RE } from '../utils/matchers';
import { insertKey } from '../factories/keys.factory';

const ISO = ISO_TIMESTAMP_RE;
const MISSING_ID = '00000000-0000-4000-8000-000000000001';

const STEPS = [
  { name: 'Welcome', event_filter: { message: 'track:welcome' } },
  { name: 'Pay', event_filter: { message: 'track:pay', screen_name: 'PaymentView' } },
];

describe('funnel definitions (SPEC §2.13.1–2.13.3, §2.13.6)', () => {
  const t = useTestApp();
  let ada: Session;
  let projectId: string;

  beforeEach(async () => {
    await t.reset();
    ada = await loginAs(t, 'ada@example.com');
    projectId = (await postProject(t, ada, { slug: 'mobile' })).id;
  });

  const base = (p = projectId) => `/v1/projects/${p}/funnels`;
  const req = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
    t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const post = (headers: Record<string, string>, payload: unknown, p = projectId) => req('POST', base(p), headers, payload);
  const created = async (body: Record<string, unknown> = {}) => {
    const res = await post(ada.headers, { name: 'Onboarding', slug: 'onboarding', steps: STEPS, ...body });
    if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  describe('POST', () => {
    it('creates a definition, returns it as stored and lists, gets it by slug and by id', async () => {
      const res = await post(ada.headers, {
        name: 'Onboarding',
        slug: 'onboarding',
        description: 'First run',
        steps: [
          { name: 'Welcome', event_filter: { message: 'track:welcome', extra: 'dropped' }, color: 'red' },
          { name: 'Pay', event_filter: { screen_name: 'PaymentView', message: 'track:pay' } },
          { name: 'Done', event_filter: { message: '', screen_name: 'Done' } },
        ],
        id: MISSING_ID,
      });
      expect(res.statusCode).toBe(201);
      const funnel = res.json();
      expect(funnel).toEqual({
        id: expect.any(String),
        project_id: projectId,
        name: 'Onboarding',
        slug: 'onboarding',
        description: 'First run',
        steps: [
          { name: 'Welcome', event_filter: { message: 'track:welcome' } },
          { name: 'Pay', event_filter: { message: 'track:pay', screen_name: 'PaymentView' } },
          { name: 'Done', event_filter: { screen_name: 'Done' } },
        ],
        created_at: expect.stringMatching(ISO),
        updated_at: funnel.created_at,
      });
      expect(funnel.id).not.toBe(MISSING_ID);
      expect(JSON.stringify(funnel.steps[1].event_filter)).toBe('{"message":"track:pay","screen_name":"PaymentView"}');

      expect((await req('GET', base(), ada.headers)).json()).toEqual({ funnels: [funnel] });
      const bySlug = await req('GET', `${base()}/onboarding`, ada.headers);
      expect([bySlug.statusCode, bySlug.json()]).toEqual([200, funnel]);
      const byId = await req('GET', `/v1/funnels/by-id/${funnel.id.toUpperCase()}`, ada.headers);
      expect([byId.statusCode, byId.json()]).toEqual([200, funnel]);
    });

    it('defaults description to null and records a create audit entry', async () => {
      const funnel = await created({ description: null });
      expect(funnel.description).toBeNull();
      expect(await auditRows(t, ada, funnel.id)).toEqual([
        {
          team_id: ada.teamId,
          actor_type: 'user',
          actor_id: ada.userId,
          action: 'create',
          resource_type: 'funnel_definition',
          resource_id: funnel.id,
          changes: null,
          metadata: { name: 'Onboarding', slug: 'onboarding' },
        },
      ]);
    });

    it('lists live definitions oldest first', async () => {
      const a = await created({ slug: 'b-second-alphabetically' });
      const b = await created({ slug: 'a-first-alphabetically' });
      expect((await req('GET', base(), ada.headers)).json().funnels.map((f: { id: string }) => f.id)).toEqual([a.id, b.id]);
    });

    it.each([[{ slug: 's', steps: STEPS }], [{ name: 'N', steps: STEPS }], [{ name: '', slug: 's' }], [{ name: null, slug: 7 }], [{}]])(
      'requires name and slug first (case %#)',
      async (body) => {
        const res = await post(ada.headers, body);
        expect([res.statusCode, res.json()]).toEqual([400, { error: 'name and slug are required' }]);
      },
    );

    it.each([
      [{ name: 7, slug: 'BAD', steps: 'x' }, 'name must be a string'],
      [{ name: 'x'.repeat(256), slug: 'BAD' }, 'name must be at most 255 characters'],
      [{ name: 'N', slug: ['s'] }, 'slug must be a string'],
      [{ name: 'N', slug: 'a'.repeat(256) }, 'slug must be at most 255 characters'],
      [{ name: 'N', slug: 'BAD', description: 5 }, 'description must be a string'],
      [{ name: 'N', slug: 'BAD', description: 'd'.repeat(10_001) }, 'description must be at most 10000 characters'],
      [{ name: 'N', slug: 'Bad', steps: 'x' }, 'funnel slug must contain only lowercase letters, numbers, and hyphens (e.g. "onboarding")'],
      [{ name: 'N', slug: 'on_boarding' }, 'funnel slug must contain only lowercase letters, numbers, and hyphens (e.g. "onboarding")'],
      [{ name: 'N', slug: 's' }, 'steps must be a non-empty array'],
      [{ name: 'N', slug: 's', steps: {} }, 'steps must be a non-empty array'],
      [{ name: 'N', slug: 's', steps: [] }, 'steps must be a non-empty array'],
      [{ name: 'N', slug: 's', steps: Array(21).fill(STEPS[0]) }, 'Maximum 20 steps allowed'],
      [{ name: 'N', slug: 's', steps: [STEPS[0], 7] }, 'steps[1]: must be an object'],
      [{ name: 'N', slug: 's', steps: [{ event_filter: {} }] }, 'steps[0]: name is required'],
      [{ name: 'N', slug: 's', steps: [{ name: 'n'.repeat(256), event_filter: {} }] }, 'steps[0]: name must be at most 255 characters'],
      [{ name: 'N', slug: 's', steps: [{ name: 'A', event_filter: [] }] }, 'steps[0]: event_filter is required'],
      [{ name: 'N', slug: 's', steps: [{ name: 'A', event_filter: { message: 1 } }] }, 'steps[0]: event_filter.message must be a string'],
      [
        { name: 'N', slug: 's', steps: [{ name: 'A', event_filter: { screen_name: true } }] },
        'steps[0]: event_filter.screen_name must be a string',
      ],
      [
        { name: 'N', slug: 's', steps: [{ name: 'A', event_filter: { message: '' } }] },
        'steps[0]: event_filter must have at least message or screen_name',
      ],
      [
        { name: 'N', slug: 's', steps: [{ name: 'A', event_filter: { message: 'm'.repeat(10_001) } }] },
        'steps[0]: event_filter.message must be at most 10000 characters',
      ],
      [
        { name: 'N', slug: 's', steps: [{ name: 'A', event_filter: { screen_name: 's'.repeat(513) } }] },
        'steps[0]: event_filter.screen_name must be at most 512 characters',
      ],
    ] as [unknown, string][])('case %# answers its first problem', async (body, error) => {
      const res = await post(ada.headers, body);
      expect([res.statusCode, res.json()]).toEqual([400, { error }]);
    });

    it('checks the body before the project, and the project before the role', async () => {
      const bad = await post(ada.headers, { name: 'N', slug: 'Bad', steps: STEPS }, MISSING_ID);
      expect([bad.statusCode, bad.json()]).toEqual([
        400,
        { error: 'funnel slug must contain only lowercase letters, numbers, and hyphens (e.g. "onboarding")' },
      ]);
      for (const p of [MISSING_ID, 'not-a-uuid']) {
        const res = await post(ada.headers, { name: 'N', slug: 's', steps: STEPS }, p);
        expect([res.statusCode, res.json()]).toEqual([404, { error: 'Project not found' }]);
      }
      const bob = await loginAs(t, 'bob@example.com');
      await addMember(t, ada.teamId, bob, 'member');
      const member = await post(bob.headers, { name: 'N', slug: 's', steps: STEPS });
      expect([member.statusCode, member.json()]).toEqual([403, { error: 'Requires admin role or higher' }]);
    });

    it('answers 409 for a live slug, and frees a deleted slug at once', async () => {
      const first = await created();
      const again = await post(ada.headers, { name: 'Other', slug: 'onboarding', steps: STEPS });
      expect([again.statusCode, again.json()]).toEqual([409, { error: 'A funnel with this slug already exists in this project' }]);
      const other = await postProject(t, ada, { slug: 'web' });
      expect((await post(ada.headers, { name: 'Same slug elsewhere', slug: 'onboarding', steps: STEPS }, other.id)).statusCode).toBe(201);

      expect((await req('DELETE', `${base()}/onboarding`, ada.headers)).json()).toEqual({ deleted: true });
      const reused = await post(ada.headers, { name: 'Again', slug: 'onboarding', steps: STEPS });
      expect(reused.statusCode).toBe(201);
      expect(reused.json().id).not.toBe(first.id);
      expect((await req('GET', `${base()}/onboarding`, ada.headers)).json().name).toBe('Again');
      expect((await req('GET', `/v1/funnels/by-id/${first.id}`, ada.headers)).json()).toEqual({ error: 'Funnel not found' });
    });

    it('answers one 201 and 409s (never a 500) when creates race for one slug', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => post(ada.headers, { name: `N${i}`, slug: 'race', steps: STEPS })),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      for (const r of results.filter((x) => x.statusCode === 409)) {
        expect(r.json()).toEqual({ error: 'A funnel with this slug already exists in this project' });
      }
      expect((await req('GET', base(), ada.headers)).json().funnels).toHaveLength(1);
    });

    it('stores names holding NUL or a lone surrogate with U+FFFD', async () => {
      const res = await post(ada.headers, {
        name: 'a\u0000',
        slug: 'odd',
        description: '\ud800',
        steps: [{ name: 'x\u0000', event_filter: { message: 'track:\u0000', screen_name: '\udc00' } }],
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual(
        expect.objectContaining({
          name: 'a\uFFFD',
          description: '\uFFFD',
          steps: [{ name: 'x\uFFFD', event_filter: { message: 'track:\uFFFD', screen_name: '\uFFFD' } }],
        }),
      );
    });
  });

  describe('GET', () => {
    it('answers 404 texts for unknown projects, slugs and ids', async () => {
      const funnel = await created();
      const cases: [string, string][] = [
        [`/v1/projects/${MISSING_ID}/funnels`, 'Project not found'],
        ['/v1/projects/nope/funnels', 'Project not found'],
        [`/v1/projects/${MISSING_ID}/funnels/onboarding`, 'Project not found'],
        [`${base()}/missing`, 'Funnel not found'],
        [`${base()}/ONBOARDING`, 'Funnel not found'],
        [`${base()}/${'a'.repeat(300)}`, 'Funnel not found'],
        [`${base()}/on%00boarding`, 'Funnel not found'],
        [`/v1/funnels/by-id/${MISSING_ID}`, 'Funnel not found'],
        ['/v1/funnels/by-id/not-a-uuid', 'Funnel not found'],
        [`/v1/funnels/by-id/${funnel.id}x`, 'Funnel not found'],
      ];
      for (const [url, error] of cases) {
        const res = await req('GET', url, ada.headers);
        expect([url, res.statusCode, res.json()]).toEqual([url, 404, { error }]);
      }
    });

    it('hides definitions of deleted projects, also by id', async () => {
      const funnel = await created();
      expect((await req('DELETE', `/v1/projects/${projectId}`, ada.headers)).statusCode).toBe(200);
      expect((await req('GET', `/v1/funnels/by-id/${funnel.id}`, ada.headers)).json()).toEqual({ error: 'Funnel not found' });
      expect((await req('GET', base(), ada.headers)).json()).toEqual({ error: 'Project not found' });
      const [row] = await t.ds.query(`SELECT deleted_at IS NOT NULL AS deleted FROM funnel_definitions WHERE id = $1`, [funnel.id]);
      expect(row).toEqual({ deleted: true });
    });

    it("isolates teams: another team's project and definitions are not found", async () => {
      const funnel = await created();
      const eve = await loginAs(t, 'eve@example.com');
      const eveKey = await insertKey(t, { teamId: eve.teamId, createdBy: eve.userId });
      for (const headers of [eve.headers, eveKey.headers]) {
        expect((await req('GET', base(), headers)).json()).toEqual({ error: 'Project not found' });
        expect((await req('GET', `${base()}/onboarding`, headers)).json()).toEqual({ error: 'Project not found' });
        expect((await req('GET', `${base()}/onboarding/query`, headers)).json()).toEqual({ error: 'Project not found' });
        expect((await req('GET', `/v1/funnels/by-id/${funnel.id}`, headers)).json()).toEqual({ error: 'Funnel not found' });
        expect((await post(headers, { name: 'N', slug: 's', steps: STEPS })).json()).toEqual({ error: 'Project not found' });
        expect((await req('PATCH', `${base()}/onboarding`, headers, { name: 'x' })).json()).toEqual({ error: 'Project not found' });
      }
      expect((await req('DELETE', `${base()}/onboarding`, eve.headers)).json()).toEqual({ error: 'Project not found' });
    });
  });

  describe('PATCH', () => {
    const patch = (headers: Record<string, string>, payload: unknown, slug = 'onboarding', p = projectId) =>
      req('PATCH', `${base(p)}/${slug}`, headers, payload);

    it('updates fields, refreshes updated_at, ignores the slug and audits each changed field', async () => {
      const funnel = await created({ description: 'Old' });
      await new Promise((r) => setTimeout(r, 5));
      const newSteps = [{ name: 'Only', event_filter: { screen_name: 'Home', junk: 1 } }];
      const res = await patch(ada.headers, { name: 'Renamed', description: null, steps: newSteps, slug: 'new-slug' });
      expect(res.statusCode).toBe(200);
      const updated = res.json();
      expect(updated).toEqual({
        ...funnel,
        name: 'Renamed',
        description: null,
        steps: [{ name: 'Only', event_filter: { screen_name: 'Home' } }],
        updated_at: expect.stringMatching(ISO),
      });
      expect(Date.parse(updated.updated_at)).toBeGreaterThan(Date.parse(funnel.updated_at));
      expect((await req('GET', `${base()}/onboarding`, ada.headers)).json()).toEqual(updated);
      expect((await auditRows(t, ada, funnel.id))[1]).toEqual({
        team_id: ada.teamId,
        actor_type: 'user',
        actor_id: ada.userId,
        action: 'update',
        resource_type: 'funnel_definition',
        resource_id: funnel.id,
        metadata: null,
        changes: {
          name: { before: 'Onboarding', after: 'Renamed' },
          description: { before: 'Old', after: null },
          steps: { before: STEPS, after: [{ name: 'Only', event_filter: { screen_name: 'Home' } }] },
        },
      });
    });

    it('stores description "" as sent, and writes no audit entry for a no-op', async () => {
      const funnel = await created();
      const res = await patch(ada.headers, { description: '' });
      expect([res.statusCode, res.json().description]).toEqual([200, '']);
      const noop = await patch(ada.headers, { name: 'Onboarding', steps: STEPS, description: '' });
      expect(noop.statusCode).toBe(200);
      const rows = await auditRows(t, ada, funnel.id);
      expect(rows.map((r) => [r.action, r.changes])).toEqual([
        ['create', null],
        ['update', { description: { before: null, after: '' } }],
      ]);
    });

    it.each([[{}], [{ name: null, steps: null }], [{ name: '', steps: '' }], [{ slug: 'x', other: 1 }]])(
      'requires at least one field (%j)',
      async (body) => {
        await created();
        const res = await patch(ada.headers, body);
        expect([res.statusCode, res.json()]).toEqual([400, { error: 'At least one field to update is required' }]);
      },
    );

    it.each([
      [{ name: 5 }, 'name must be a string'],
      [{ name: 'x'.repeat(256), steps: 5 }, 'name must be at most 255 characters'],
      [{ description: 5 }, 'description must be a string'],
      [{ description: 'd'.repeat(10_001) }, 'description must be at most 10000 characters'],
      [{ steps: [] }, 'steps must be a non-empty array'],
      [{ steps: 5 }, 'steps must be a non-empty array'],
      [
        { name: 'ok', steps: [STEPS[0], { name: 'B', event_filter: {} }] },
        'steps[1]: event_filter must have at least message or screen_name',
      ],
    ] as [unknown, string][])('case %# answers its first problem, before any lookup', async (body, error) => {
      const res = await patch(ada.headers, body, 'missing', MISSING_ID);
      expect([res.statusCode, res.json()]).toEqual([400, { error }]);
    });

    it('answers Project not found, then Funnel not found, then the role', async () => {
      await created();
      expect((await patch(ada.headers, { name: 'x' }, 'onboarding', MISSING_ID)).json()).toEqual({ error: 'Project not found' });
      expect((await patch(ada.headers, { name: 'x' }, 'missing')).json()).toEqual({ error: 'Funnel not found' });
      const bob = await loginAs(t, 'bob@example.com');
      await addMember(t, ada.teamId, bob, 'member');
      expect((await patch(bob.headers, { name: 'x' }, 'missing')).json()).toEqual({ error: 'Funnel not found' });
      const res = await patch(bob.headers, { name: 'x' });
      expect([res.statusCode, res.json()]).toEqual([403, { error: 'Requires admin role or higher' }]);
    });
  });

  describe('DELETE', () => {
    it('soft-deletes, audits with the slug, and answers 404 afterwards', async () => {
      const funnel = await created();
      const res = await req('DELETE', `${base()}/onboarding`, ada.headers);
      expect([res.statusCode, res.json()]).toEqual([200, { deleted: true }]);
      expect((await req('GET', `${base()}/onboarding`, ada.headers)).json()).toEqual({ error: 'Funnel not found' });
      expect((await req('GET', base(), ada.headers)).json()).toEqual({ funnels: [] });
      expect((await req('DELETE', `${base()}/onboarding`, ada.headers)).json()).toEqual({ error: 'Funnel not found' });
      expect((await auditRows(t, ada, funnel.id)).map((r) => [r.action, r.metadata, r.changes])).toEqual([
        ['create', { name: 'Onboarding', slug: 'onboarding' }, null],
        ['delete', { slug: 'onboarding' }, null],
      ]);
    });

    it('checks Project not found, Funnel not found, then the role', async () => {
      await created();
      expect((await req('DELETE', `${base(MISSING_ID)}/onboarding`, ada.headers)).json()).toEqual({ error: 'Project not found' });
      expect((await req('DELETE', `${base()}/missing`, ada.headers)).json()).toEqual({ error: 'Funnel not found' });
      const bob = await loginAs(t, 'bob@example.com');
      await addMember(t, ada.teamId, bob, 'member');
      expect((await req('DELETE', `${base()}/missing`, bob.headers)).json()).toEqual({ error: 'Funnel not found' });
      expect((await req('DELETE', `${base()}/onboarding`, bob.headers)).json()).toEqual({ error: 'Requires admin role or higher' });
    });
  });

  describe('roles × permissions', () => {
    const as = (status: number, error?: string) => ({ status, error });

    it('gives members reads, admins and owners writes, agent keys their permissions, and nobody but users deletes', async () => {
      await created();
      const bob = await loginAs(t, 'bob@example.com');
      const cat = await loginAs(t, 'cat@example.com');
      await addMember(t, ada.teamId, bob, 'member');
      await addMember(t, ada.teamId, cat, 'admin');
      const callers: Record<string, Record<string, string>> = {
        owner: ada.headers,
        admin: cat.headers,
        member: bob.headers,
        agentAll: (await insertKey(t, { teamId: ada.teamId, createdBy: ada.userId })).headers,
        agentRead: (await insertKey(t, { teamId: ada.teamId, createdBy: ada.userId, permissions: [Permission.FunnelsRead] })).headers,
        agentWrite: (await insertKey(t, { teamId: ada.teamId, createdBy: ada.userId, permissions: [Permission.FunnelsWrite] })).headers,
        agentNone: (await insertKey(t, { teamId: ada.teamId, createdBy: ada.userId, permissions: [Permission.EventsRead] })).headers,
        client: (await insertKey(t, { teamId: ada.teamId, createdBy: ada.userId, type: ApiKeyType.Client })).headers,
      };
      const readMissing = as(403, 'Missing permission: funnels:read');
      const writeMissing = as(403, 'Missing permission: funnels:write');
      const adminOnly = as(403, 'Requires admin role or higher');
      const keysCannotDelete = as(403, 'Only users can delete funnels');
      const expected: Record<string, Record<string, { status: number; error?: string }>> = {
        owner: { read: as(200), write: as(200), delete: as(200) },
        admin: { read: as(200), write: as(200), delete: as(200) },
        member: { read: as(200), write: adminOnly, delete: adminOnly },
        agentAll: { read: as(200), write: as(200), delete: keysCannotDelete },
        agentRead: { read: as(200), write: writeMissing, delete: writeMissing },
        agentWrite: { read: readMissing, write: as(200), delete: keysCannotDelete },
        agentNone: { read: readMissing, write: writeMissing, delete: writeMissing },
        client: { read: readMissing, write: writeMissing, delete: writeMissing },
      };
      const funnelId = (await req('GET', `${base()}/onboarding`, ada.headers)).json().id;
      for (const [who, headers] of Object.entries(callers)) {
        const exp = expected[who];
        const reads = [
          await req('GET', base(), headers),
          await req('GET', `${base()}/onboarding`, headers),
          await req('GET', `/v1/funnels/by-id/${funnelId}`, headers),
          await req('GET', `${base()}/onboarding/query`, headers),
        ];
        for (const r of reads) {
          expect([who, 'read', r.statusCode, r.statusCode === 200 ? undefined : r.json().error]).toEqual([
            who,
            'read',
            exp.read.status,
            exp.read.error,
          ]);
        }
        const slug = `s-${who.toLowerCase()}`;
        const create = await post(headers, { name: 'N', slug, steps: STEPS });
        const patchRes = await req('PATCH', `${base()}/onboarding`, headers, { description: who });
        for (const [r, ok] of [
          [create, 201],
          [patchRes, 200],
        ] as const) {
          const status = exp.write.status === 200 ? ok : exp.write.status;
          expect([who, 'write', r.statusCode, r.statusCode < 300 ? undefined : r.json().error]).toEqual([
            who,
            'write',
            status,
            exp.write.error,
          ]);
        }
        if (exp.write.status === 200) {
          const del = await req('DELETE', `${base()}/${slug}`, headers);
          expect([who, 'delete', del.statusCode, del.statusCode === 200 ? undefined : del.json().error]).toEqual([
            who,
            'delete',
            exp.delete.status,
            exp.delete.error,
          ]);
        } else {
          const del = await req('DELETE', `${base()}/onboarding`, headers);
          expect([who, 'delete', del.statusCode, del.json().error]).toEqual([who, 'delete', exp.delete.status, exp.delete.error]);
        }
      }
    });

    it('records agent-key writes with the key as actor', async () => {
      const key = await insertKey(t, { teamId: ada.teamId, createdBy: ada.userId });
      const res = await post(key.headers, { name: 'N', slug: 'by-key', steps: STEPS });
      expect(res.statusCode).toBe(201);
      expect((await auditRows(t, ada, res.json().id))[0]).toEqual(expect.objectContaining({ actor_type: 'api_key', actor_id: key.id }));
    });

    it('answers 401 without credentials', async () => {
      const res = await t.app.inject({ method: 'GET', url: base() });
      expect([res.statusCode, res.json()]).toEqual([401, { error: 'Missing authorization' }]);
    });
  });
});
