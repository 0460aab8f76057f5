import { Session, bearer, postKey, loginAs } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';
import { ProjectBody, addMember, auditRows, postApp, postProject } from '../utils/project-fixtures';
import { ISO_TIMESTAMP_RE } from '../utils/matchers';

const ISO = ISO_TIMESTAMP_RE;
const CLIENT_KEY = /^owl_client_[0-9a-f]{48}$/;
const MISSING_ID = '00000000-0000-4000-8000-000000000001';

describe('apps', () => {
  const t = useTestApp();
  let ada: Session;
  let project: ProjectBody;

  beforeEach(async () => {
    await t.reset();
    ada = await loginAs(t, 'ada@example.com');
    project = await postProject(t, ada, { name: 'Acme Mobile', slug: 'acme-mobile' });
  });

  type Headers = Record<string, string>;
  const post = (headers: Headers, payload: unknown) =>
    t.app.inject({ method: 'POST', url: '/v1/apps', headers, payload: payload as Record<string, unknown> });
  const get = (headers: Headers, url: string) => t.app.inject({ method: 'GET', url, headers });
  const patch = (headers: Headers, id: string, payload: unknown) =>
    t.app.inject({ method: 'PATCH', url: `/v1/apps/${id}`, headers, payload: payload as Record<string, unknown> });
  const del = (headers: Headers, id: string) => t.app.inject({ method: 'DELETE', url: `/v1/apps/${id}`, headers });
  const body = (extra: Record<string, unknown> = {}) => ({
    name: 'Acme iOS',
    platform: 'apple',
    bundle_id: 'com.acme.mobile',
    project_id: project.id,
    ...extra,
  });

  describe('POST /v1/apps', () => {
    it('creates an app with its client key and reads it back everywhere', async () => {
      const res = await post(ada.headers, body());
      expect(res.statusCode).toBe(201);
      const app = res.json();
      expect(app).toEqual({
        id: expect.any(String),
        team_id: ada.teamId,
        project_id: project.id,
        name: 'Acme iOS',
        platform: 'apple',
        bundle_id: 'com.acme.mobile',
        client_key: expect.stringMatching(CLIENT_KEY),
        created_at: expect.stringMatching(ISO),
      });

      expect((await get(ada.headers, `/v1/apps/${app.id}`)).json()).toEqual(app);
      expect((await get(ada.headers, '/v1/apps')).json()).toEqual({ apps: [app] });
      expect((await get(ada.headers, `/v1/projects/${project.id}`)).json()).toEqual({ ...project, apps: [app] });
    });

    it('creates a working client key for the app, created by the user, without its own audit entry', async () => {
      const app = (await post(ada.headers, body())).json();

      const keys = (await get(ada.headers, '/v1/auth/keys')).json().api_keys;
      expect(keys).toEqual([
        {
          id: expect.any(String),
          key_prefix: app.client_key.slice(0, 16),
          key_type: 'client',
          app_id: app.id,
          app_name: 'Acme iOS',
          team_id: ada.teamId,
          name: 'Acme iOS Client Key',
          created_by: ada.userId,
          created_by_email: 'ada@example.com',
          permissions: ['events:write'],
          created_at: expect.any(String),
          updated_at: expect.any(String),
          last_used_at: null,
          expires_at: null,
        },
      ]);
      const who = await get(bearer(app.client_key), '/v1/auth/whoami');
      expect(who.statusCode).toBe(200);
      expect(who.json()).toEqual({
        type: 'api_key',
        key_type: 'client',
        team: { id: ada.teamId, name: expect.any(String), slug: expect.any(String) },
        permissions: ['events:write'],
      });
      expect(await auditRows(t, ada, keys[0].id)).toEqual([]);
      expect(await auditRows(t, ada, app.id)).toEqual([
        {
          team_id: ada.teamId,
          actor_type: 'user',
          actor_id: ada.userId,
          action: 'create',
          resource_type: 'app',
          resource_id: app.id,
          changes: null,
          metadata: { name: 'Acme iOS', platform: 'apple', bundle_id: 'com.acme.mobile' },
        },
      ]);
    });

    it('cuts the client key name to 255 characters', async () => {
      const name = '🦉'.repeat(250);
      const app = (await post(ada.headers, body({ name }))).json();
      expect(app.name).toBe(name);
      const [row]: { name: string }[] = await t.ds.query(`SELECT name FROM api_keys WHERE app_id = $1`, [app.id]);
      expect(row.name).toBe(`${name} Clie`);
      expect(Array.from(row.name)).toHaveLength(255);
    });

    it('stores the bundle id exactly as sent', async () => {
      const res = await post(ada.headers, body({ bundle_id: ' Com.Acme.Mobile ' }));
      expect(res.statusCode).toBe(201);
      expect(res.json().bundle_id).toBe(' Com.Acme.Mobile ');
      expect((await get(ada.headers, `/v1/apps/${res.json().id}`)).json().bundle_id).toBe(' Com.Acme.Mobile ');
    });

    it('stores names and bundle ids holding NUL or a lone surrogate with U+FFFD instead of failing', async () => {
      const res = await post(ada.headers, body({ name: 'i\u0000OS\ud800', bundle_id: 'com\u0000x' }));
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual(expect.objectContaining({ name: 'i\uFFFDOS\uFFFD', bundle_id: 'com\uFFFDx' }));
      const renamed = await patch(ada.headers, res.json().id, { name: '\u0000' });
      expect(renamed.statusCode).toBe(200);
      expect((await get(ada.headers, `/v1/apps/${res.json().id}`)).json().name).toBe('\uFFFD');
    });

    it.each(['android', 'web'])('creates %s apps', async (platform) => {
      const res = await post(ada.headers, body({ platform, bundle_id: 'b' }));
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual(expect.objectContaining({ platform, bundle_id: 'b' }));
    });

    it('stores null as the bundle id of backend apps, whether sent or not', async () => {
      const withId = await post(ada.headers, body({ platform: 'backend', bundle_id: 'com.ignored' }));
      expect(withId.statusCode).toBe(201);
      expect(withId.json()).toEqual(expect.objectContaining({ platform: 'backend', bundle_id: null }));
      const without = await post(ada.headers, { name: 'API', platform: 'backend', project_id: project.id });
      expect(without.statusCode).toBe(201);
      expect(without.json()).toEqual(expect.objectContaining({ name: 'API', platform: 'backend', bundle_id: null }));
      expect((await auditRows(t, ada, withId.json().id))[0].metadata).toEqual({ name: 'Acme iOS', platform: 'backend', bundle_id: null });
    });

    it.each([
      [{ platform: 'apple', project_id: 'x' }],
      [{ name: 'A', project_id: 'x' }],
      [{ name: 'A', platform: 'apple' }],
      [{ name: '', platform: 'apple', project_id: 'x' }],
      [{ name: 'A', platform: null, project_id: 'x' }],
      [{ name: 7, platform: 'nope', bundle_id: 3 }],
    ])('requires name, platform and project_id (%j)', async (payload) => {
      const res = await post(ada.headers, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'name, platform, and project_id are required' });
    });

    it.each([
      [{ name: 7, platform: 'nope' }, 'name must be a string'],
      [{ name: 'x'.repeat(256), bundle_id: undefined }, 'name must be at most 255 characters'],
      [{ platform: 1 }, 'platform must be a string'],
      [{ platform: 'nope', bundle_id: 3 }, 'bundle_id must be a string'],
      [{ platform: 'nope', bundle_id: 'b'.repeat(256) }, 'bundle_id must be at most 255 characters'],
      [{ platform: 'backend', bundle_id: 'b'.repeat(256) }, 'bundle_id must be at most 255 characters'],
      [{ platform: 'nope', project_id: 42 }, 'project_id must be a string'],
    ])('answers type and length errors first (%j)', async (extra, error) => {
      const res = await post(ada.headers, body(extra));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error });
    });

    it.each(['ios', 'Apple', 'APPLE', 'windows'])('rejects the platform %p before the bundle id check', async (platform) => {
      const res = await post(ada.headers, body({ platform, bundle_id: undefined, project_id: MISSING_ID }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'Invalid platform. Must be one of: apple, android, web, backend' });
    });

    it.each(['apple', 'android', 'web'])('requires a bundle id for %s apps before the project lookup', async (platform) => {
      for (const bundle_id of [undefined, '', null]) {
        const res = await post(ada.headers, body({ platform, bundle_id, project_id: MISSING_ID }));
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual({ error: 'bundle_id is required for non-backend platforms' });
      }
    });

    it('answers 404 for unknown, malformed, deleted and foreign projects', async () => {
      const deleted = await postProject(t, ada);
      await t.app.inject({ method: 'DELETE', url: `/v1/projects/${deleted.id}`, headers: ada.headers });
      const bob = await loginAs(t, 'bob@example.com');
      const foreign = await postProject(t, bob);
      for (const projectId of [MISSING_ID, 'not-a-uuid', 'x'.repeat(300), deleted.id, foreign.id]) {
        const res = await post(ada.headers, body({ project_id: projectId }));
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: 'Project not found' });
      }
      expect((await get(ada.headers, '/v1/apps')).json()).toEqual({ apps: [] });
      expect((await get(bob.headers, '/v1/apps')).json()).toEqual({ apps: [] });
    });

    it('lets admins create but not members (404 before the role check)', async () => {
      const admin = await loginAs(t, 'admin@example.com');
      const member = await loginAs(t, 'member@example.com');
      await addMember(t, ada.teamId, admin, 'admin');
      await addMember(t, ada.teamId, member, 'member');

      const byMember = await post(member.headers, body());
      expect(byMember.statusCode).toBe(403);
      expect(byMember.json()).toEqual({ error: 'Requires admin role or higher' });
      const unknownByMember = await post(member.headers, body({ project_id: MISSING_ID }));
      expect(unknownByMember.statusCode).toBe(404);
      expect(unknownByMember.json()).toEqual({ error: 'Project not found' });

      const byAdmin = await post(admin.headers, body());
      expect(byAdmin.statusCode).toBe(201);
      expect((await get(member.headers, '/v1/apps')).json()).toEqual({ apps: [byAdmin.json()] });
    });

    it('gives an agent-created client key the agent key creator as created_by, audited as the agent key', async () => {
      const admin = await loginAs(t, 'admin@example.com');
      await addMember(t, ada.teamId, admin, 'admin');
      const agent = await postKey(t, admin, { key_type: 'agent', team_id: ada.teamId, permissions: ['apps:write'] });

      const res = await post(bearer(agent.key), body({ name: 'By agent' }));
      expect(res.statusCode).toBe(201);
      const app = res.json();
      const [row]: { created_by: string; team_id: string }[] = await t.ds.query(
        `SELECT created_by, team_id FROM api_keys WHERE app_id = $1`,
        [app.id],
      );
      expect(row).toEqual({ created_by: admin.userId, team_id: ada.teamId });
      expect((await auditRows(t, ada, app.id)).map((r) => [r.actor_type, r.actor_id, r.action])).toEqual([['api_key', agent.id, 'create']]);
    });
  });

  describe('GET /v1/apps and /v1/apps/:id', () => {
    it('lists the apps of every team of the caller, oldest first, filtered by team_id', async () => {
      const bob = await loginAs(t, 'bob@example.com');
      await addMember(t, bob.teamId, ada, 'member');
      const bobsProject = await postProject(t, bob);
      const a1 = await postApp(t, ada, project.id, { name: 'one' });
      const a2 = await postApp(t, bob, bobsProject.id, { name: 'two' });
      const a3 = await postApp(t, ada, project.id, { name: 'three' });

      expect((await get(ada.headers, '/v1/apps')).json()).toEqual({ apps: [a1, a2, a3] });
      expect((await get(ada.headers, `/v1/apps?team_id=${ada.teamId}`)).json()).toEqual({ apps: [a1, a3] });
      expect((await get(ada.headers, `/v1/apps?team_id=${bob.teamId.toUpperCase()}`)).json()).toEqual({ apps: [a2] });
      expect((await get(bob.headers, '/v1/apps')).json()).toEqual({ apps: [a2] });
      expect((await get(bob.headers, `/v1/apps?team_id=${ada.teamId}`)).json()).toEqual({ apps: [] });
      expect((await get(ada.headers, `/v1/apps/${a2.id}`)).json()).toEqual(a2);
    });

    it('answers 400 for a malformed team_id', async () => {
      const res = await get(ada.headers, '/v1/apps?team_id=123');
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'team_id must be a valid UUID' });
    });

    it('answers 404 for unknown, malformed, deleted and foreign apps', async () => {
      const deleted = await postApp(t, ada, project.id);
      await del(ada.headers, deleted.id);
      const bob = await loginAs(t, 'bob@example.com');
      const foreign = await postApp(t, bob, (await postProject(t, bob)).id);
      for (const id of [MISSING_ID, 'not-a-uuid', deleted.id, foreign.id]) {
        const res = await get(ada.headers, `/v1/apps/${id}`);
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: 'App not found' });
      }
      expect((await get(ada.headers, '/v1/apps')).json()).toEqual({ apps: [] });
    });
  });

  describe('PATCH /v1/apps/:id', () => {
    it('renames the app, ignores platform and bundle_id, and audits the change', async () => {
      const app = await postApp(t, ada, project.id, { name: 'Old' });
      const res = await patch(ada.headers, app.id, { name: 'New', platform: 'web', bundle_id: 'changed', client_key: 'x' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ...app, name: 'New' });
      expect((await get(ada.headers, `/v1/apps/${app.id}`)).json()).toEqual({ ...app, name: 'New' });
      expect((await auditRows(t, ada, app.id))[1]).toEqual({
        team_id: ada.teamId,
        actor_type: 'user',
        actor_id: ada.userId,
        action: 'update',
        resource_type: 'app',
        resource_id: app.id,
        changes: { name: { before: 'Old', after: 'New' } },
        metadata: null,
      });
    });

    it.each([
      [{}, 'At least one field to update is required'],
      [{ platform: 'web' }, 'At least one field to update is required'],
      [{ name: '' }, 'At least one field to update is required'],
      [{ name: false }, 'name must be a string'],
      [{ name: 'n'.repeat(256) }, 'name must be at most 255 characters'],
    ])('validates the body before the lookup (%j)', async (payload, error) => {
      const res = await patch(ada.headers, MISSING_ID, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error });
    });

    it('answers 404 for foreign apps and 403 to members', async () => {
      const app = await postApp(t, ada, project.id);
      const bob = await loginAs(t, 'bob@example.com');
      const foreign = await patch(bob.headers, app.id, { name: 'X' });
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json()).toEqual({ error: 'App not found' });

      await addMember(t, ada.teamId, bob, 'member');
      const byMember = await patch(bob.headers, app.id, { name: 'X' });
      expect(byMember.statusCode).toBe(403);
      expect(byMember.json()).toEqual({ error: 'Requires admin role or higher' });
      expect((await get(ada.headers, `/v1/apps/${app.id}`)).json()).toEqual(app);
    });
  });

  describe('DELETE /v1/apps/:id', () => {
    it('soft-deletes the app and revokes its keys at once', async () => {
      const app = await postApp(t, ada, project.id);
      const other = await postApp(t, ada, project.id);
      const bound = await postKey(t, ada, { key_type: 'agent', app_id: app.id, permissions: ['apps:read'] });
      // Use the key first so its lookup is cached: the deletion must still stop it immediately.
      expect((await get(bearer(app.client_key), '/v1/auth/whoami')).statusCode).toBe(200);

      const res = await del(ada.headers, app.id);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ deleted: true });

      for (const key of [app.client_key, bound.key]) {
        const who = await get(bearer(key), '/v1/auth/whoami');
        expect(who.statusCode).toBe(401);
        expect(who.json()).toEqual({ error: 'Invalid API key' });
      }
      expect((await get(bearer(other.client_key), '/v1/auth/whoami')).statusCode).toBe(200);
      expect((await get(ada.headers, `/v1/apps/${app.id}`)).statusCode).toBe(404);
      expect((await get(ada.headers, '/v1/apps')).json()).toEqual({ apps: [other] });
      expect((await get(ada.headers, `/v1/projects/${project.id}`)).json()).toEqual({ ...project, apps: [other] });

      const stamps: { deleted_at: Date }[] = await t.ds.query(
        `SELECT deleted_at FROM apps WHERE id = $1 UNION ALL SELECT deleted_at FROM api_keys WHERE app_id = $1`,
        [app.id],
      );
      expect(stamps).toHaveLength(3);
      expect(stamps[0].deleted_at).toBeInstanceOf(Date);
      expect(new Set(stamps.map((s) => s.deleted_at.toISOString())).size).toBe(1);
      expect((await auditRows(t, ada, app.id)).map((r) => [r.action, r.actor_id, r.changes, r.metadata])).toEqual([
        ['create', ada.userId, null, { name: 'App', platform: 'apple', bundle_id: 'com.example.app' }],
        ['delete', ada.userId, null, null],
      ]);
    });

    it('answers 404 when already deleted, unknown, malformed or foreign; 403 to members', async () => {
      const app = await postApp(t, ada, project.id);
      const gone = await postApp(t, ada, project.id);
      await del(ada.headers, gone.id);
      for (const id of [gone.id, MISSING_ID, 'nope']) {
        const res = await del(ada.headers, id);
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: 'App not found' });
      }
      const bob = await loginAs(t, 'bob@example.com');
      const foreign = await del(bob.headers, app.id);
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json()).toEqual({ error: 'App not found' });
      await addMember(t, ada.teamId, bob, 'member');
      const byMember = await del(bob.headers, app.id);
      expect(byMember.statusCode).toBe(403);
      expect(byMember.json()).toEqual({ error: 'Requires admin role or higher' });
      expect((await get(ada.headers, `/v1/apps/${app.id}`)).statusCode).toBe(200);
    });

    it('refuses every API key, permission first', async () => {
      const app = await postApp(t, ada, project.id);
      const writer = await postKey(t, ada, { key_type: 'agent', permissions: ['apps:write'] });
      const reader = await postKey(t, ada, { key_type: 'agent', permissions: ['apps:read'] });
      const cases: [string, string, string][] = [
        [writer.key, app.id, 'Only users can delete apps'],
        [writer.key, 'nope', 'Only users can delete apps'],
        [reader.key, app.id, 'Missing permission: apps:write'],
        [app.client_key, app.id, 'Missing permission: apps:write'],
      ];
      for (const [key, id, error] of cases) {
        const res = await del(bearer(key), id);
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ error });
      }
      expect((await get(ada.headers, `/v1/apps/${app.id}`)).statusCode).toBe(200);
    });
  });

  describe('agent and client keys', () => {
    it('lets a read-only agent key read but not write', async () => {
      const app = await postApp(t, ada, project.id);
      const { key } = await postKey(t, ada, { key_type: 'agent', permissions: ['apps:read'] });
      expect((await get(bearer(key), '/v1/apps')).json()).toEqual({ apps: [app] });
      expect((await get(bearer(key), `/v1/apps/${app.id}`)).json()).toEqual(app);
      expect((await get(bearer(key), `/v1/apps/${app.id}/users`)).json()).toEqual({ users: [], cursor: null, has_more: false });

      const create = await post(bearer(key), body());
      expect(create.statusCode).toBe(403);
      expect(create.json()).toEqual({ error: 'Missing permission: apps:write' });
      const rename = await patch(bearer(key), app.id, { name: 'X' });
      expect(rename.statusCode).toBe(403);
      expect(rename.json()).toEqual({ error: 'Missing permission: apps:write' });
    });

    it('answers keys without apps:read, and client keys, with the missing permission', async () => {
      const app = await postApp(t, ada, project.id);
      const { key } = await postKey(t, ada, { key_type: 'agent', permissions: ['projects:read', 'apps:write'] });
      for (const k of [key, app.client_key]) {
        for (const url of ['/v1/apps', `/v1/apps/${app.id}`, `/v1/apps/${app.id}/users`]) {
          const res = await get(bearer(k), url);
          expect(res.statusCode).toBe(403);
          expect(res.json()).toEqual({ error: 'Missing permission: apps:read' });
        }
      }
      const create = await post(bearer(app.client_key), {});
      expect(create.statusCode).toBe(403);
      expect(create.json()).toEqual({ error: 'Missing permission: apps:write' });
    });

    it('keeps an agent key inside its own team', async () => {
      const { key } = await postKey(t, ada, { key_type: 'agent' });
      const bob = await loginAs(t, 'bob@example.com');
      const bobsProject = await postProject(t, bob);
      const bobsApp = await postApp(t, bob, bobsProject.id);

      const create = await post(bearer(key), body({ project_id: bobsProject.id }));
      expect(create.statusCode).toBe(404);
      expect(create.json()).toEqual({ error: 'Project not found' });
      for (const res of [
        await get(bearer(key), `/v1/apps/${bobsApp.id}`),
        await patch(bearer(key), bobsApp.id, { name: 'X' }),
        await get(bearer(key), `/v1/apps/${bobsApp.id}/users`),
      ]) {
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: 'App not found' });
      }
      expect((await get(bearer(key), `/v1/apps?team_id=${bob.teamId}`)).json()).toEqual({ apps: [] });

      const own = await post(bearer(key), body());
      expect(own.statusCode).toBe(201);
      expect((await get(bearer(key), '/v1/apps')).json()).toEqual({ apps: [own.json()] });
      expect((await get(bob.headers, '/v1/apps')).json()).toEqual({ apps: [bobsApp] });
    });
  });
});
