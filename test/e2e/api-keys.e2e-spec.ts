import { useTestApp } from '../utils/create-test-app';
import { Session, bearer, postKey, loginAs } from '../utils/auth';
import { DEFAULT_AGENT_PERMISSIONS_WIRE, aUuid, anIsoTimestamp } from '../utils/matchers';

const ISO = anIsoTimestamp();
const UUID = aUuid();

describe('API keys: /v1/auth/keys', () => {
  const t = useTestApp();
  let owner: Session;
  beforeEach(async () => {
    await t.reset();
    owner = await loginAs(t, 'owner@example.com');
  });

  const req = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: object) =>
    t.app.inject({ method, url, headers, payload });

  /** A project + app row so client keys have something to bind to (the apps API is tested elsewhere). */
  async function seedApp(teamId: string, name = 'iOS'): Promise<string> {
    const [p] = await t.ds.query(`INSERT INTO projects (team_id, name, slug) VALUES ($1, 'P', $2) RETURNING id`, [
      teamId,
      `p-${Math.random().toString(36).slice(2, 8)}`,
    ]);
    const [a] = await t.ds.query(
      `INSERT INTO apps (team_id, project_id, name, platform, bundle_id, client_key, created_at) VALUES ($1, $2, $3, 'apple', 'com.x', 'owl_client_x', now()) RETURNING id`,
      [teamId, p.id, name],
    );
    return a.id;
  }

  /** Adds `email` to the owner's team with `role`. */
  async function member(role: 'admin' | 'member', email: string): Promise<Session> {
    const s = await loginAs(t, email);
    await t.ds.query(`INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES ($1, $2, $3, now())`, [
      owner.teamId,
      s.userId,
      role,
    ]);
    return s;
  }

  describe('POST', () => {
    it('creates an agent key with defaults and shows the secret once', async () => {
      const res = await req('POST', '/v1/auth/keys', owner.headers, {
        name: 'CI agent',
        key_type: 'agent',
        team_id: owner.teamId,
        unknown: 1,
      });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toEqual({
        key: expect.stringMatching(/^owl_agent_[0-9a-f]{48}$/),
        api_key: {
          id: UUID,
          key_prefix: body.key.slice(0, 16),
          key_type: 'agent',
          app_id: null,
          app_name: null,
          team_id: owner.teamId,
          name: 'CI agent',
          created_by: owner.userId,
          created_by_email: 'owner@example.com',
          permissions: DEFAULT_AGENT_PERMISSIONS_WIRE,
          created_at: ISO,
          updated_at: ISO,
          last_used_at: null,
          expires_at: null,
        },
      });
      const got = await req('GET', `/v1/auth/keys/${body.api_key.id}`, owner.headers);
      expect(got.json()).toEqual({ api_key: body.api_key });
      expect(JSON.stringify(got.json())).not.toContain(body.key);
      const audit = await t.ds.query(`SELECT resource_id, metadata FROM audit_logs WHERE resource_type = 'api_key'`);
      expect(audit).toEqual([{ resource_id: body.api_key.id, metadata: { key_type: 'agent', name: 'CI agent' } }]);
    });

    it('creates a client key bound to an app, team taken from the app, with an expiry', async () => {
      const appId = await seedApp(owner.teamId);
      const res = await req('POST', '/v1/auth/keys', owner.headers, {
        name: 'SDK',
        key_type: 'client',
        app_id: appId,
        team_id: '00000000-0000-0000-0000-000000000009',
        expires_in_days: 90,
      });
      expect(res.statusCode).toBe(201);
      const k = res.json().api_key;
      expect(k).toMatchObject({ key_type: 'client', app_id: appId, app_name: 'iOS', team_id: owner.teamId, permissions: ['events:write'] });
      const days = (Date.parse(k.expires_at) - Date.parse(k.created_at)) / 86_400_000;
      expect(days).toBeCloseTo(90, 3);
      expect(res.json().key).toMatch(/^owl_client_[0-9a-f]{48}$/);
    });

    it.each([
      [{ key_type: 'agent' }, 'name and key_type required'],
      [{ name: 'x' }, 'name and key_type required'],
      [{ name: 'x', key_type: 'admin' }, "key_type must be 'client' or 'agent'"],
      [{ name: 'x', key_type: 'client' }, 'Client keys require an app_id'],
      [{ name: 'x', key_type: 'agent' }, 'Agent keys require a team_id or app_id'],
      [{ name: 5, key_type: 'agent', team_id: 'T' }, 'name must be a string'],
      [{ name: 'n'.repeat(256), key_type: 'agent', team_id: 'T' }, 'name must be at most 255 characters'],
      [{ name: 'x', key_type: 'client', app_id: 42 }, 'app_id must be a string'],
      [{ name: 'x', key_type: 'agent', team_id: ['a'] }, 'team_id must be a string'],
      [{ name: 'x', key_type: 'agent', team_id: 'T', expires_in_days: 0 }, 'expires_in_days must be an integer between 1 and 3650'],
      [{ name: 'x', key_type: 'agent', team_id: 'T', expires_in_days: 3651 }, 'expires_in_days must be an integer between 1 and 3650'],
      [{ name: 'x', key_type: 'agent', team_id: 'T', expires_in_days: 1.5 }, 'expires_in_days must be an integer between 1 and 3650'],
      [{ name: 'x', key_type: 'agent', team_id: 'T', expires_in_days: '7' }, 'expires_in_days must be an integer between 1 and 3650'],
      [{ name: 'x', key_type: 'agent', team_id: 'T', permissions: 'events:read' }, 'permissions must be an array of strings'],
      [{ name: 'x', key_type: 'agent', team_id: 'T', permissions: [1] }, 'permissions must be an array of strings'],
      [{ name: 'x', key_type: 'agent', team_id: 'T', permissions: [] }, 'At least one permission is required'],
      [{ name: 'x', key_type: 'agent', team_id: 'T', permissions: ['apps:read', 'apps:read'] }, 'Duplicate permissions are not allowed'],
      [{ name: 'x', key_type: 'agent', team_id: 'T', permissions: ['apps:read', 'apps:delete'] }, 'Unknown permission: apps:delete'],
      [
        { name: 'x', key_type: 'agent', team_id: 'T', permissions: ['events:write'] },
        'Permission "events:write" is not allowed for agent keys',
      ],
    ])('answers 400 for %j', async (payload, error) => {
      const body = JSON.parse(JSON.stringify(payload).replace(/"T"/g, JSON.stringify(owner.teamId)));
      const res = await req('POST', '/v1/auth/keys', owner.headers, body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error });
    });

    it('rejects client-key permissions other than events:write', async () => {
      const appId = await seedApp(owner.teamId);
      const res = await req('POST', '/v1/auth/keys', owner.headers, {
        name: 'x',
        key_type: 'client',
        app_id: appId,
        permissions: ['events:read'],
      });
      expect(res.json()).toEqual({ error: 'Permission "events:read" is not allowed for client keys' });
    });

    it('answers 404 for an unknown, malformed or foreign app and 403 for a foreign team', async () => {
      const stranger = await loginAs(t, 'stranger@example.com');
      const foreignApp = await seedApp(stranger.teamId);
      for (const app_id of ['00000000-0000-0000-0000-000000000001', 'nope', foreignApp]) {
        const res = await req('POST', '/v1/auth/keys', owner.headers, { name: 'x', key_type: 'client', app_id });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: 'App not found' });
      }
      for (const team_id of [stranger.teamId, 'not-a-uuid']) {
        const res = await req('POST', '/v1/auth/keys', owner.headers, { name: 'x', key_type: 'agent', team_id });
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ error: 'Not a member of this team' });
      }
    });

    it('requires admin or higher; the role check comes before permission validation', async () => {
      const m = await member('member', 'member@example.com');
      const res = await req('POST', '/v1/auth/keys', m.headers, {
        name: 'x',
        key_type: 'agent',
        team_id: owner.teamId,
        permissions: ['bogus'],
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: 'Requires admin role or higher' });
      const admin = await member('admin', 'admin@example.com');
      expect((await req('POST', '/v1/auth/keys', admin.headers, { name: 'x', key_type: 'agent', team_id: owner.teamId })).statusCode).toBe(
        201,
      );
    });

    it('refuses API-key callers', async () => {
      const { key } = await postKey(t, owner, { key_type: 'agent' });
      const res = await req('POST', '/v1/auth/keys', bearer(key), { name: 'x', key_type: 'agent', team_id: owner.teamId });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: 'Only users can create API keys' });
    });
  });

  describe('GET', () => {
    it('lists non-revoked keys of all the user teams, oldest first, filterable by team_id', async () => {
      const a = await postKey(t, owner, { key_type: 'agent', name: 'first' });
      const b = await postKey(t, owner, { key_type: 'agent', name: 'second' });
      const other = await loginAs(t, 'other@example.com');
      await postKey(t, other, { key_type: 'agent', name: 'invisible' });
      const res = await req('GET', '/v1/auth/keys', owner.headers);
      expect(res.statusCode).toBe(200);
      expect(res.json().api_keys.map((k: { id: string }) => k.id)).toEqual([a.id, b.id]);
      const filtered = await req('GET', `/v1/auth/keys?team_id=${owner.teamId}`, owner.headers);
      expect(filtered.json().api_keys).toHaveLength(2);
      const foreign = await req('GET', `/v1/auth/keys?team_id=${other.teamId}`, owner.headers);
      expect(foreign.json()).toEqual({ api_keys: [] });
      const bad = await req('GET', '/v1/auth/keys?team_id=xyz', owner.headers);
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual({ error: 'team_id must be a valid UUID' });
      const twice = await req('GET', `/v1/auth/keys?team_id=${owner.teamId}&team_id=${owner.teamId}`, owner.headers);
      expect(twice.json()).toEqual({ error: 'team_id must be given only once' });
      const empty = await req('GET', '/v1/auth/keys?team_id=', owner.headers);
      expect(empty.json().api_keys).toHaveLength(2);
    });

    it('GET one: members may read, outsiders get 404, keys get 403', async () => {
      const { key, id } = await postKey(t, owner, { key_type: 'agent' });
      const m = await member('member', 'reader@example.com');
      expect((await req('GET', `/v1/auth/keys/${id}`, m.headers)).statusCode).toBe(200);
      const outsider = await loginAs(t, 'out@example.com');
      for (const path of [id, 'malformed', '00000000-0000-0000-0000-000000000000']) {
        const res = await req('GET', `/v1/auth/keys/${path}`, outsider.headers);
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: 'API key not found' });
      }
      const denied = await req('GET', `/v1/auth/keys/${id}`, bearer(key));
      expect(denied.json()).toEqual({ error: 'Only users can view API keys' });
      expect((await req('GET', '/v1/auth/keys', bearer(key))).json()).toEqual({ error: 'Only users can list API keys' });
    });
  });

  describe('PATCH', () => {
    it('renames and re-permissions a key, audits the changes', async () => {
      const { id } = await postKey(t, owner, { key_type: 'agent', name: 'old', permissions: ['events:read'] });
      const res = await req('PATCH', `/v1/auth/keys/${id}`, owner.headers, { name: 'new', permissions: ['events:read', 'apps:read'] });
      expect(res.statusCode).toBe(200);
      expect(res.json().api_key).toMatchObject({ id, name: 'new', permissions: ['events:read', 'apps:read'] });
      const audit = await t.ds.query(`SELECT changes FROM audit_logs WHERE resource_type = 'api_key' AND action = 'update'`);
      expect(audit).toEqual([
        {
          changes: { name: { before: 'old', after: 'new' }, permissions: { before: ['events:read'], after: ['events:read', 'apps:read'] } },
        },
      ]);
      const same = await req('PATCH', `/v1/auth/keys/${id}`, owner.headers, { name: 'new' });
      expect(same.statusCode).toBe(200);
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'update'`);
      expect(n).toBe(1);
    });

    it('validates in the contract order', async () => {
      const { id } = await postKey(t, owner, { key_type: 'agent' });
      const cases: [string, object, number, string][] = [
        [id, {}, 400, 'At least one field to update is required'],
        [id, { name: 7 }, 400, 'name must be a string'],
        ['00000000-0000-0000-0000-000000000000', { name: 'x' }, 404, 'API key not found'],
        [id, { permissions: ['events:write'] }, 400, 'Permission "events:write" is not allowed for agent keys'],
      ];
      for (const [key, payload, status, error] of cases) {
        const res = await req('PATCH', `/v1/auth/keys/${key}`, owner.headers, payload);
        expect([res.statusCode, res.json()]).toEqual([status, { error }]);
      }
      const m = await member('member', 'm2@example.com');
      const res = await req('PATCH', `/v1/auth/keys/${id}`, m.headers, { name: 'x' });
      expect([res.statusCode, res.json()]).toEqual([403, { error: 'Requires admin role or higher' }]);
    });
  });

  describe('DELETE', () => {
    it('revokes a key: it stops authenticating at once and disappears', async () => {
      const { key, id } = await postKey(t, owner, { key_type: 'agent', name: 'doomed' });
      expect((await req('GET', '/v1/auth/whoami', bearer(key))).statusCode).toBe(200);
      const res = await req('DELETE', `/v1/auth/keys/${id}`, owner.headers);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ deleted: true });
      const after = await req('GET', '/v1/auth/whoami', bearer(key));
      expect([after.statusCode, after.json()]).toEqual([401, { error: 'Invalid API key' }]);
      expect((await req('GET', `/v1/auth/keys/${id}`, owner.headers)).statusCode).toBe(404);
      expect((await req('GET', '/v1/auth/keys', owner.headers)).json()).toEqual({ api_keys: [] });
      expect((await req('DELETE', `/v1/auth/keys/${id}`, owner.headers)).statusCode).toBe(404);
      const audit = await t.ds.query(`SELECT metadata FROM audit_logs WHERE action = 'delete'`);
      expect(audit).toEqual([{ metadata: { name: 'doomed' } }]);
    });

    it('needs admin, and refuses keys', async () => {
      const { key, id } = await postKey(t, owner, { key_type: 'agent' });
      const m = await member('member', 'm3@example.com');
      expect((await req('DELETE', `/v1/auth/keys/${id}`, m.headers)).json()).toEqual({ error: 'Requires admin role or higher' });
      expect((await req('DELETE', `/v1/auth/keys/${id}`, bearer(key))).json()).toEqual({ error: 'Only users can delete API keys' });
    });
  });
});
