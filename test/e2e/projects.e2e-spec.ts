import { AppsService } from '../../src/modules/apps/apps.service';
import { ProjectsService } from '../../src/modules/projects/projects.service';
import { Session, bearer, postKey, loginAs } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';
import { addMember, auditRows, postApp, postProject } from '../utils/project-fixtures';
import { ISO_TIMESTAMP_RE } from '../utils/matchers';

const ISO = ISO_TIMESTAMP_RE;
const MISSING_ID = '00000000-0000-4000-8000-000000000001';

describe('projects', () => {
  const t = useTestApp();
  let ada: Session;

  beforeEach(async () => {
    await t.reset();
    ada = await loginAs(t, 'ada@example.com');
  });

  const post = (headers: Record<string, string>, payload: unknown) =>
    t.app.inject({ method: 'POST', url: '/v1/projects', headers, payload: payload as Record<string, unknown> });
  const get = (headers: Record<string, string>, url: string) => t.app.inject({ method: 'GET', url, headers });
  const patch = (headers: Record<string, string>, id: string, payload: unknown) =>
    t.app.inject({ method: 'PATCH', url: `/v1/projects/${id}`, headers, payload: payload as Record<string, unknown> });
  const del = (headers: Record<string, string>, id: string) => t.app.inject({ method: 'DELETE', url: `/v1/projects/${id}`, headers });

  describe('POST /v1/projects', () => {
    it('creates a project and reads it back', async () => {
      const res = await post(ada.headers, { team_id: ada.teamId, name: 'Acme Mobile', slug: 'acme-mobile' });
      expect(res.statusCode).toBe(201);
      const project = res.json();
      expect(project).toEqual({
        id: expect.any(String),
        team_id: ada.teamId,
        name: 'Acme Mobile',
        slug: 'acme-mobile',
        created_at: expect.stringMatching(ISO),
      });

      const one = await get(ada.headers, `/v1/projects/${project.id}`);
      expect(one.statusCode).toBe(200);
      expect(one.json()).toEqual({ ...project, apps: [] });

      const list = await get(ada.headers, '/v1/projects');
      expect(list.statusCode).toBe(200);
      expect(list.json()).toEqual({ projects: [project] });
    });

    it('records a project create audit entry by the user', async () => {
      const project = await postProject(t, ada, { name: 'Acme', slug: 'acme' });
      expect(await auditRows(t, ada, project.id)).toEqual([
        {
          team_id: ada.teamId,
          actor_type: 'user',
          actor_id: ada.userId,
          action: 'create',
          resource_type: 'project',
          resource_id: project.id,
          changes: null,
          metadata: { name: 'Acme', slug: 'acme' },
        },
      ]);
    });

    it('accepts an upper-case team_id and a 255-code-point name', async () => {
      const name = '🦉'.repeat(255);
      const res = await post(ada.headers, { team_id: ada.teamId.toUpperCase(), name, slug: 'owls' });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ id: expect.any(String), team_id: ada.teamId, name, slug: 'owls', created_at: expect.any(String) });
    });

    it.each([
      [{ name: 'A', slug: 'a' }],
      [{ team_id: 'x', slug: 'a' }],
      [{ team_id: 'x', name: 'A' }],
      [{ team_id: null, name: 'A', slug: 'a' }],
      [{ team_id: 'x', name: '', slug: 'a' }],
      [{}],
    ])('requires team_id, name and slug (%j)', async (body) => {
      const res = await post(ada.headers, body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'team_id, name, and slug are required' });
    });

    it('answers 400 for a request without a body', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/projects', headers: ada.headers });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'team_id, name, and slug are required' });
    });

    it.each([
      [{ team_id: 7, name: 'A', slug: 'a' }, 'team_id must be a string'],
      [{ team_id: 'T', name: 7, slug: 'a' }, 'name must be a string'],
      [{ team_id: 'T', name: ['A'], slug: 'BAD' }, 'name must be a string'],
      [{ team_id: 'T', name: 'A', slug: { s: 1 } }, 'slug must be a string'],
      [{ team_id: 'T', name: 'x'.repeat(256), slug: 'BAD SLUG' }, 'name must be at most 255 characters'],
      [{ team_id: 'T', name: 'A', slug: 'a'.repeat(256) }, 'slug must be at most 255 characters'],
      [{ team_id: 'T', name: 'A', slug: true }, 'slug must be a string'],
    ])('answers type and length errors before anything else (%j)', async (body, error) => {
      const res = await post(ada.headers, { ...body, team_id: body.team_id === 'T' ? ada.teamId : body.team_id });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error });
    });

    it('stores names holding NUL or a lone surrogate with U+FFFD instead of failing', async () => {
      const res = await post(ada.headers, { team_id: ada.teamId, name: 'a\u0000b\ud800', slug: 'odd' });
      expect(res.statusCode).toBe(201);
      expect(res.json().name).toBe('a\uFFFDb\uFFFD');
      const renamed = await patch(ada.headers, res.json().id, { name: '\udc00x\u0000' });
      expect(renamed.statusCode).toBe(200);
      expect((await get(ada.headers, `/v1/projects/${res.json().id}`)).json().name).toBe('\uFFFDx\uFFFD');
      const slug = await post(ada.headers, { team_id: ada.teamId, name: 'x', slug: 'a\u0000' });
      expect(slug.statusCode).toBe(400);
      expect(slug.json()).toEqual({ error: 'slug must contain only lowercase letters, numbers, and hyphens' });
    });

    it.each(['Acme', 'acme mobile', 'acme_mobile', 'acmé', 'acme.io'])('rejects the slug %p', async (slug) => {
      const res = await post(ada.headers, { team_id: ada.teamId, name: 'A', slug });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'slug must contain only lowercase letters, numbers, and hyphens' });
    });

    it('checks the slug before team membership', async () => {
      const res = await post(ada.headers, { team_id: 'not-a-uuid', name: 'A', slug: 'Bad' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'slug must contain only lowercase letters, numbers, and hyphens' });
    });

    it.each(['not-a-uuid', MISSING_ID, 'x'.repeat(300)])('answers 403 for a team_id the caller is not in (%p)', async (teamId) => {
      const res = await post(ada.headers, { team_id: teamId, name: 'A', slug: 'a' });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: 'Not a member of this team' });
    });

    it("answers 403 for another user's team", async () => {
      const bob = await loginAs(t, 'bob@example.com');
      const res = await post(ada.headers, { team_id: bob.teamId, name: 'A', slug: 'a' });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: 'Not a member of this team' });
      expect((await get(bob.headers, '/v1/projects')).json()).toEqual({ projects: [] });
    });

    it('lets admins create but not members', async () => {
      const admin = await loginAs(t, 'admin@example.com');
      const member = await loginAs(t, 'member@example.com');
      await addMember(t, ada.teamId, admin, 'admin');
      await addMember(t, ada.teamId, member, 'member');

      const byMember = await post(member.headers, { team_id: ada.teamId, name: 'A', slug: 'a' });
      expect(byMember.statusCode).toBe(403);
      expect(byMember.json()).toEqual({ error: 'Requires admin role or higher' });

      const byAdmin = await post(admin.headers, { team_id: ada.teamId, name: 'A', slug: 'a' });
      expect(byAdmin.statusCode).toBe(201);
      expect((await get(ada.headers, '/v1/projects')).json()).toEqual({ projects: [byAdmin.json()] });
    });

    it('answers 409 for a slug taken in the same team, but not across teams', async () => {
      const first = await postProject(t, ada, { slug: 'acme' });
      const dup = await post(ada.headers, { team_id: ada.teamId, name: 'Other', slug: 'acme' });
      expect(dup.statusCode).toBe(409);
      expect(dup.json()).toEqual({ error: 'A project with this slug already exists in your team' });

      const bob = await loginAs(t, 'bob@example.com');
      const other = await post(bob.headers, { team_id: bob.teamId, name: 'Acme', slug: 'acme' });
      expect(other.statusCode).toBe(201);
      expect((await get(ada.headers, '/v1/projects')).json()).toEqual({ projects: [first] });
    });

    it('answers one 201 and one 409 for concurrent creates with one slug', async () => {
      const answers = await Promise.all([
        post(ada.headers, { team_id: ada.teamId, name: 'A', slug: 'race' }),
        post(ada.headers, { team_id: ada.teamId, name: 'B', slug: 'race' }),
      ]);
      expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409]);
      expect((await get(ada.headers, '/v1/projects')).json().projects).toHaveLength(1);
    });

    it('reuses the slug of a deleted project, purging it with its apps, keys and app users', async () => {
      const old = await postProject(t, ada, { slug: 'acme' });
      const app = await postApp(t, ada, old.id);
      const other = await postProject(t, ada, { slug: 'other' });
      const kept = await postApp(t, ada, other.id);
      for (const a of [app, kept]) {
        await t.ds.query(
          `INSERT INTO app_users (app_id, user_id, is_anonymous, first_seen_at, last_seen_at) VALUES ($1, 'u1', false, now(), now())`,
          [a.id],
        );
      }
      expect((await del(ada.headers, old.id)).statusCode).toBe(200);

      const res = await post(ada.headers, { team_id: ada.teamId, name: 'Acme again', slug: 'acme' });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({
        id: expect.any(String),
        team_id: ada.teamId,
        name: 'Acme again',
        slug: 'acme',
        created_at: expect.any(String),
      });
      expect(res.json().id).not.toBe(old.id);

      const count = async (sql: string, id: string) => Number((await t.ds.query(sql, [id]))[0].n);
      expect(await count(`SELECT count(*) AS n FROM projects WHERE id = $1`, old.id)).toBe(0);
      expect(await count(`SELECT count(*) AS n FROM apps WHERE id = $1`, app.id)).toBe(0);
      expect(await count(`SELECT count(*) AS n FROM api_keys WHERE app_id = $1`, app.id)).toBe(0);
      expect(await count(`SELECT count(*) AS n FROM app_users WHERE app_id = $1`, app.id)).toBe(0);
      // The other project's app is untouched.
      expect(await count(`SELECT count(*) AS n FROM api_keys WHERE app_id = $1 AND deleted_at IS NULL`, kept.id)).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM app_users WHERE app_id = $1`, kept.id)).toBe(1);
      expect((await get(ada.headers, `/v1/apps/${kept.id}`)).json()).toEqual(kept);

      const whoami = await get(bearer(app.client_key), '/v1/auth/whoami');
      expect(whoami.statusCode).toBe(401);
      expect(whoami.json()).toEqual({ error: 'Invalid API key' });
    });
  });

  describe('GET /v1/projects', () => {
    it('lists projects of every team of the caller, oldest first, filtered by team_id', async () => {
      const bob = await loginAs(t, 'bob@example.com');
      await addMember(t, bob.teamId, ada, 'member');
      const p1 = await postProject(t, ada, { slug: 'one' });
      const p2 = await postProject(t, bob, { slug: 'two' });
      const p3 = await postProject(t, ada, { slug: 'three' });

      expect((await get(ada.headers, '/v1/projects')).json()).toEqual({ projects: [p1, p2, p3] });
      expect((await get(ada.headers, `/v1/projects?team_id=${ada.teamId}`)).json()).toEqual({ projects: [p1, p3] });
      expect((await get(ada.headers, `/v1/projects?team_id=${bob.teamId.toUpperCase()}`)).json()).toEqual({ projects: [p2] });
      expect((await get(bob.headers, '/v1/projects')).json()).toEqual({ projects: [p2] });
    });

    it('answers an empty list for a team the caller cannot access', async () => {
      const bob = await loginAs(t, 'bob@example.com');
      await postProject(t, bob);
      for (const teamId of [bob.teamId, MISSING_ID]) {
        const res = await get(ada.headers, `/v1/projects?team_id=${teamId}`);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ projects: [] });
      }
    });

    it('answers 400 for a malformed or repeated team_id', async () => {
      const bad = await get(ada.headers, '/v1/projects?team_id=nope');
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual({ error: 'team_id must be a valid UUID' });

      const twice = await get(ada.headers, `/v1/projects?team_id=${ada.teamId}&team_id=${ada.teamId}`);
      expect(twice.statusCode).toBe(400);
      expect(twice.json()).toEqual({ error: 'team_id must be given only once' });
    });

    it('treats an empty team_id as absent', async () => {
      const p = await postProject(t, ada);
      expect((await get(ada.headers, '/v1/projects?team_id=')).json()).toEqual({ projects: [p] });
    });

    it('hides deleted projects', async () => {
      const gone = await postProject(t, ada);
      const kept = await postProject(t, ada);
      await del(ada.headers, gone.id);
      expect((await get(ada.headers, '/v1/projects')).json()).toEqual({ projects: [kept] });
    });

    it('answers 401 without credentials', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/projects' });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: 'Missing authorization' });
    });
  });

  describe('GET /v1/projects/:id', () => {
    it('embeds the live apps of the project, oldest first', async () => {
      const project = await postProject(t, ada);
      const a1 = await postApp(t, ada, project.id, { name: 'iOS' });
      const a2 = await postApp(t, ada, project.id, { name: 'Server', platform: 'backend' });
      const a3 = await postApp(t, ada, project.id, { name: 'Web', platform: 'web', bundle_id: 'example.com' });
      await t.app.inject({ method: 'DELETE', url: `/v1/apps/${a2.id}`, headers: ada.headers });
      await postApp(t, ada, (await postProject(t, ada)).id);

      const res = await get(ada.headers, `/v1/projects/${project.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ...project, apps: [a1, a3] });
    });

    it.each(['not-a-uuid', MISSING_ID])('answers 404 for an unknown id (%p)', async (id) => {
      const res = await get(ada.headers, `/v1/projects/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'Project not found' });
    });

    it('answers 404 for a project of another team, and a member can read', async () => {
      const project = await postProject(t, ada);
      const bob = await loginAs(t, 'bob@example.com');
      const res = await get(bob.headers, `/v1/projects/${project.id}`);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'Project not found' });

      await addMember(t, ada.teamId, bob, 'member');
      const again = await get(bob.headers, `/v1/projects/${project.id.toUpperCase()}`);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual({ ...project, apps: [] });
    });
  });

  describe('PATCH /v1/projects/:id', () => {
    it('renames the project, ignores other fields, and audits the change', async () => {
      const project = await postProject(t, ada, { name: 'Old', slug: 'old' });
      const res = await patch(ada.headers, project.id, { name: 'New', slug: 'changed', team_id: MISSING_ID, id: MISSING_ID });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ...project, name: 'New' });
      expect((await get(ada.headers, `/v1/projects/${project.id}`)).json()).toEqual({ ...project, name: 'New', apps: [] });
      expect((await auditRows(t, ada, project.id))[1]).toEqual({
        team_id: ada.teamId,
        actor_type: 'user',
        actor_id: ada.userId,
        action: 'update',
        resource_type: 'project',
        resource_id: project.id,
        changes: { name: { before: 'Old', after: 'New' } },
        metadata: null,
      });
    });

    it.each([[{}], [{ name: '' }], [{ name: null }], [{ slug: 'x' }]])('requires a name (%j)', async (body) => {
      const project = await postProject(t, ada);
      const res = await patch(ada.headers, project.id, body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'At least one field to update is required' });
    });

    it.each([
      [{ name: 42 }, 'name must be a string'],
      [{ name: 'x'.repeat(256) }, 'name must be at most 255 characters'],
    ])('answers type and length errors (%j)', async (body, error) => {
      const project = await postProject(t, ada);
      const res = await patch(ada.headers, project.id, body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error });
    });

    it('validates before looking the project up', async () => {
      const res = await patch(ada.headers, 'not-a-uuid', {});
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'At least one field to update is required' });
    });

    it('answers 404 for unknown, malformed, deleted and foreign projects', async () => {
      const deleted = await postProject(t, ada);
      await del(ada.headers, deleted.id);
      const bob = await loginAs(t, 'bob@example.com');
      const foreign = await postProject(t, bob);
      for (const id of ['not-a-uuid', MISSING_ID, deleted.id, foreign.id]) {
        const res = await patch(ada.headers, id, { name: 'X' });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: 'Project not found' });
      }
      expect((await get(bob.headers, `/v1/projects/${foreign.id}`)).json()).toEqual({ ...foreign, apps: [] });
    });

    it('answers 403 to members', async () => {
      const project = await postProject(t, ada);
      const member = await loginAs(t, 'member@example.com');
      await addMember(t, ada.teamId, member, 'member');
      const res = await patch(member.headers, project.id, { name: 'X' });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: 'Requires admin role or higher' });
      expect((await get(ada.headers, `/v1/projects/${project.id}`)).json().name).toBe(project.name);
    });
  });

  describe('DELETE /v1/projects/:id', () => {
    it('soft-deletes the project, its apps and their keys with one timestamp', async () => {
      const project = await postProject(t, ada);
      const app1 = await postApp(t, ada, project.id);
      const app2 = await postApp(t, ada, project.id, { platform: 'backend' });
      const boundAgent = await postKey(t, ada, { key_type: 'agent', app_id: app1.id, permissions: ['apps:read'] });
      // A key is cached once it has been used: deletion must still stop it at once.
      expect((await get(bearer(app1.client_key), '/v1/auth/whoami')).statusCode).toBe(200);

      const res = await del(ada.headers, project.id);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ deleted: true });

      for (const url of [`/v1/projects/${project.id}`, `/v1/apps/${app1.id}`, `/v1/apps/${app2.id}`]) {
        expect((await get(ada.headers, url)).statusCode).toBe(404);
      }
      for (const key of [app1.client_key, app2.client_key, boundAgent.key]) {
        const who = await get(bearer(key), '/v1/auth/whoami');
        expect(who.statusCode).toBe(401);
        expect(who.json()).toEqual({ error: 'Invalid API key' });
      }
      const stamps: { deleted_at: Date }[] = await t.ds.query(
        `SELECT deleted_at FROM projects WHERE id = $1
         UNION ALL SELECT deleted_at FROM apps WHERE project_id = $1
         UNION ALL SELECT k.deleted_at FROM api_keys k JOIN apps a ON a.id = k.app_id WHERE a.project_id = $1`,
        [project.id],
      );
      expect(stamps).toHaveLength(6);
      expect(new Set(stamps.map((s) => s.deleted_at?.toISOString())).size).toBe(1);
      expect(stamps[0].deleted_at).toBeInstanceOf(Date);

      expect((await auditRows(t, ada, project.id)).map((r) => [r.action, r.actor_id, r.changes, r.metadata])).toEqual([
        ['create', ada.userId, null, { name: project.name, slug: project.slug }],
        ['delete', ada.userId, null, null],
      ]);
    });

    it('answers 404 when already deleted, unknown, malformed or foreign', async () => {
      const project = await postProject(t, ada);
      await del(ada.headers, project.id);
      const bob = await loginAs(t, 'bob@example.com');
      const foreign = await postProject(t, bob);
      for (const id of [project.id, MISSING_ID, 'nope', foreign.id]) {
        const res = await del(ada.headers, id);
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: 'Project not found' });
      }
      expect((await get(bob.headers, `/v1/projects/${foreign.id}`)).statusCode).toBe(200);
    });

    it('lets admins delete but not members', async () => {
      const project = await postProject(t, ada);
      const admin = await loginAs(t, 'admin@example.com');
      const member = await loginAs(t, 'member@example.com');
      await addMember(t, ada.teamId, admin, 'admin');
      await addMember(t, ada.teamId, member, 'member');

      const byMember = await del(member.headers, project.id);
      expect(byMember.statusCode).toBe(403);
      expect(byMember.json()).toEqual({ error: 'Requires admin role or higher' });
      expect((await get(ada.headers, `/v1/projects/${project.id}`)).statusCode).toBe(200);

      const byAdmin = await del(admin.headers, project.id);
      expect(byAdmin.statusCode).toBe(200);
      expect(byAdmin.json()).toEqual({ deleted: true });
    });

    it('refuses every API key, permission first', async () => {
      const project = await postProject(t, ada);
      const app = await postApp(t, ada, project.id);
      const writer = await postKey(t, ada, { key_type: 'agent', permissions: ['projects:write'] });
      const reader = await postKey(t, ada, { key_type: 'agent', permissions: ['projects:read'] });

      const cases: [string, string, string][] = [
        [writer.key, project.id, 'Only users can delete projects'],
        [writer.key, MISSING_ID, 'Only users can delete projects'],
        [reader.key, project.id, 'Missing permission: projects:write'],
        [app.client_key, project.id, 'Missing permission: projects:write'],
      ];
      for (const [key, id, error] of cases) {
        const res = await del(bearer(key), id);
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ error });
      }
      expect((await get(ada.headers, `/v1/projects/${project.id}`)).statusCode).toBe(200);
    });
  });

  describe('agent and client keys', () => {
    it('lets a read-only agent key read its team but not write', async () => {
      const project = await postProject(t, ada);
      const { key } = await postKey(t, ada, { key_type: 'agent', permissions: ['projects:read'] });

      expect((await get(bearer(key), '/v1/projects')).json()).toEqual({ projects: [project] });
      expect((await get(bearer(key), `/v1/projects/${project.id}`)).json()).toEqual({ ...project, apps: [] });

      const create = await post(bearer(key), { team_id: ada.teamId, name: 'A', slug: 'a' });
      expect(create.statusCode).toBe(403);
      expect(create.json()).toEqual({ error: 'Missing permission: projects:write' });
      const rename = await patch(bearer(key), project.id, { name: 'X' });
      expect(rename.statusCode).toBe(403);
      expect(rename.json()).toEqual({ error: 'Missing permission: projects:write' });
    });

    it('checks the permission before validating the body', async () => {
      const { key } = await postKey(t, ada, { key_type: 'agent', permissions: ['apps:read'] });
      const res = await post(bearer(key), {});
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: 'Missing permission: projects:write' });
      const list = await get(bearer(key), '/v1/projects');
      expect(list.statusCode).toBe(403);
      expect(list.json()).toEqual({ error: 'Missing permission: projects:read' });
    });

    it('lets a writing agent key create and rename in its own team only, audited as the key', async () => {
      const { key, id: keyId } = await postKey(t, ada, { key_type: 'agent', permissions: ['projects:read', 'projects:write'] });
      const res = await post(bearer(key), { team_id: ada.teamId, name: 'By agent', slug: 'agent' });
      expect(res.statusCode).toBe(201);
      const project = res.json();
      const renamed = await patch(bearer(key), project.id, { name: 'Renamed' });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json()).toEqual({ ...project, name: 'Renamed' });
      expect((await auditRows(t, ada, project.id)).map((r) => [r.actor_type, r.actor_id, r.action])).toEqual([
        ['api_key', keyId, 'create'],
        ['api_key', keyId, 'update'],
      ]);

      const bob = await loginAs(t, 'bob@example.com');
      const foreign = await postProject(t, bob);
      for (const teamId of [bob.teamId, 'garbage']) {
        const other = await post(bearer(key), { team_id: teamId, name: 'A', slug: 'a' });
        expect(other.statusCode).toBe(403);
        expect(other.json()).toEqual({ error: 'Not a member of this team' });
      }
      const foreignPatch = await patch(bearer(key), foreign.id, { name: 'X' });
      expect(foreignPatch.statusCode).toBe(404);
      expect(foreignPatch.json()).toEqual({ error: 'Project not found' });
      expect((await get(bearer(key), `/v1/projects/${foreign.id}`)).statusCode).toBe(404);
      expect((await get(bearer(key), `/v1/projects?team_id=${bob.teamId}`)).json()).toEqual({ projects: [] });
      expect((await get(bearer(key), '/v1/projects')).json()).toEqual({ projects: [{ ...project, name: 'Renamed' }] });
    });

    it('answers client keys with the missing permission', async () => {
      const project = await postProject(t, ada);
      const { client_key: key } = await postApp(t, ada, project.id);
      const cases: [string, string, string][] = [
        ['GET', '/v1/projects', 'Missing permission: projects:read'],
        ['GET', `/v1/projects/${project.id}`, 'Missing permission: projects:read'],
        ['POST', '/v1/projects', 'Missing permission: projects:write'],
        ['PATCH', `/v1/projects/${project.id}`, 'Missing permission: projects:write'],
      ];
      for (const [method, url, error] of cases) {
        const res = await t.app.inject({
          method: method as 'GET',
          url,
          headers: bearer(key),
          payload: method === 'GET' ? undefined : { name: 'x' },
        });
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ error });
      }
    });
  });

  describe('team deletion', () => {
    it('DELETE /v1/teams/:teamId takes the projects, apps and client keys along with one timestamp', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/teams',
        headers: ada.headers,
        payload: { name: 'Acme', slug: 'acme-team' },
      });
      expect(created.statusCode).toBe(201);
      const teamId: string = created.json().id;
      const project = await postProject(t, { headers: ada.headers, teamId });
      const app = await postApp(t, ada, project.id);
      const kept = await postProject(t, ada);

      const res = await t.app.inject({ method: 'DELETE', url: `/v1/teams/${teamId}`, headers: ada.headers });
      expect(res.statusCode).toBe(200);

      const stamps: { deleted_at: Date | null }[] = await t.ds.query(
        `SELECT deleted_at FROM teams WHERE id = $1 UNION ALL SELECT deleted_at FROM projects WHERE id = $2
         UNION ALL SELECT deleted_at FROM apps WHERE id = $3 UNION ALL SELECT deleted_at FROM api_keys WHERE app_id = $3`,
        [teamId, project.id, app.id],
      );
      expect(stamps).toHaveLength(4);
      expect(stamps[0].deleted_at).toBeInstanceOf(Date);
      expect(new Set(stamps.map((r) => r.deleted_at?.toISOString())).size).toBe(1);
      expect((await get(ada.headers, `/v1/projects/${project.id}`)).statusCode).toBe(404);
      expect((await get(ada.headers, '/v1/projects')).json()).toEqual({ projects: [kept] });
      const who = await get(bearer(app.client_key), '/v1/auth/whoami');
      expect(who.statusCode).toBe(401);
      expect(who.json()).toEqual({ error: 'Invalid API key' });
    });

    it("a team deletion's project and app parts soft-delete only that team's projects and apps, with the given timestamp", async () => {
      const p1 = await postProject(t, ada);
      const p2 = await postProject(t, ada);
      const app = await postApp(t, ada, p1.id);
      const bob = await loginAs(t, 'bob@example.com');
      const bobs = await postProject(t, bob);
      const at = new Date('2024-05-01T10:00:00.123Z');

      await t.ds.transaction(async (m) => {
        const ids = await t.app.get(ProjectsService).softDeleteForTeam(ada.teamId, at, m);
        await t.app.get(AppsService).softDeleteForProjects(ids, at, m);
      });

      const rows: { id: string; deleted_at: Date | null }[] = await t.ds.query(
        `SELECT id, deleted_at FROM projects WHERE id = ANY($1) UNION ALL SELECT id, deleted_at FROM apps WHERE id = $2`,
        [[p1.id, p2.id, bobs.id], app.id],
      );
      const byId = Object.fromEntries(rows.map((r) => [r.id, r.deleted_at?.toISOString() ?? null]));
      expect(byId).toEqual({ [p1.id]: at.toISOString(), [p2.id]: at.toISOString(), [app.id]: at.toISOString(), [bobs.id]: null });
    });
  });
});
