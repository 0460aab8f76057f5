import { ApiKeyType } from '../../src/common/auth/permission';
import { Session, loginAs } from '../utils/auth';
import { HttpMethod, useTestApp } from '../utils/create-test-app';
import { Crew, auditRows, buildCrew, createTeam, invite, joinTeam, keyStatus } from '../utils/team-fixtures';
import { DEFAULT_AGENT_PERMISSIONS_WIRE, aUuid, anIsoTimestamp } from '../utils/matchers';
import { insertKey } from '../factories/keys.factory';

const ISO = anIsoTimestamp();
const UUID = aUuid();
const NOT_A_MEMBER = { error: 'Not a member of this team' };
const REQUIRES_ADMIN = { error: 'Requires admin role or higher' };
const REQUIRES_OWNER = { error: 'Requires owner role or higher' };

describe('teams and members (e2e)', () => {
  const t = useTestApp();

  beforeEach(async () => {
    await t.reset();
  });

  const call = (method: HttpMethod, url: string, headers?: Record<string, string>, body?: unknown) =>
    t.call(method, url, { headers, body });

  const crew = () => buildCrew(t);

  const memberView = (s: Session, role: string) => ({
    user_id: s.userId,
    email: s.email,
    name: s.email[0].toUpperCase() + s.email.slice(1, s.email.indexOf('@')),
    role,
    joined_at: ISO,
  });

  const membersOf = async (c: Crew) => (await call('GET', `/v1/teams/${c.teamId}/members`, c.owner.headers)).body.members;

  const auditOf = async (c: Crew, query = '') =>
    (await call('GET', `/v1/teams/${c.teamId}/audit-logs${query}`, c.owner.headers)).body.audit_logs;

  describe('POST /v1/teams', () => {
    it('creates a team owned by the caller, with its audit entries', async () => {
      const ada = await loginAs(t, 'ada@example.com');
      const res = await call('POST', '/v1/teams', ada.headers, { name: 'Acme Corp', slug: 'acme-corp-2' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: UUID, name: 'Acme Corp', slug: 'acme-corp-2', created_at: ISO, updated_at: ISO });
      const teamId = res.body.id;

      const got = await call('GET', `/v1/teams/${teamId}`, ada.headers);
      expect(got).toEqual({
        status: 200,
        body: { ...res.body, members: [memberView(ada, 'owner')], pending_invitations: [] },
      });
      const mine = await call('GET', '/v1/auth/teams', ada.headers);
      expect(mine.body.teams).toEqual([
        { id: ada.teamId, name: "Ada's Team", slug: expect.any(String), role: 'owner' },
        { id: teamId, name: 'Acme Corp', slug: 'acme-corp-2', role: 'owner' },
      ]);

      const logs = await call('GET', `/v1/teams/${teamId}/audit-logs`, ada.headers);
      expect(logs.status).toBe(200);
      expect(logs.body.audit_logs).toHaveLength(2);
      expect(logs.body.audit_logs).toEqual(
        expect.arrayContaining([
          {
            id: UUID,
            team_id: teamId,
            actor_type: 'user',
            actor_id: ada.userId,
            action: 'create',
            resource_type: 'team',
            resource_id: teamId,
            changes: null,
            metadata: { name: 'Acme Corp', slug: 'acme-corp-2' },
            timestamp: ISO,
          },
          {
            id: UUID,
            team_id: teamId,
            actor_type: 'user',
            actor_id: ada.userId,
            action: 'create',
            resource_type: 'team_member',
            resource_id: ada.userId,
            changes: null,
            metadata: { role: 'owner' },
            timestamp: ISO,
          },
        ]),
      );
    });

    it('counts name length in code points and stores strings as sent', async () => {
      const ada = await loginAs(t, 'ada@example.com');
      const name = '🦉'.repeat(255);
      const res = await call('POST', '/v1/teams', ada.headers, { name, slug: 'owls' });
      expect(res.status).toBe(201);
      expect(res.body.name).toBe(name);
      const spaced = await call('POST', '/v1/teams', ada.headers, { name: '  Spaced  ', slug: 'a-1-b' });
      expect(spaced.status).toBe(201);
      expect(spaced.body.name).toBe('  Spaced  ');
    });

    it.each([
      [{}, 'name and slug are required'],
      [{ name: 'Acme' }, 'name and slug are required'],
      [{ slug: 'acme' }, 'name and slug are required'],
      [{ name: '', slug: 'acme' }, 'name and slug are required'],
      [{ name: 'Acme', slug: null }, 'name and slug are required'],
      [{ name: 5, slug: 'acme' }, 'name must be a string'],
      [{ name: 'Acme', slug: ['acme'] }, 'slug must be a string'],
      [{ name: { a: 1 }, slug: 7 }, 'name must be a string'],
      [{ name: 'x'.repeat(256), slug: 'acme' }, 'name must be at most 255 characters'],
      [{ name: 'Acme', slug: 'a'.repeat(256) }, 'slug must be at most 255 characters'],
      [{ name: 'Acme', slug: 'Acme' }, 'slug must contain only lowercase letters, numbers, and hyphens'],
      [{ name: 'Acme', slug: 'ac me' }, 'slug must contain only lowercase letters, numbers, and hyphens'],
      [{ name: 'Acme', slug: 'ac_me' }, 'slug must contain only lowercase letters, numbers, and hyphens'],
      [{ name: 'Acme', slug: 'äcme' }, 'slug must contain only lowercase letters, numbers, and hyphens'],
      [{ name: 'Acme', slug: 'acme\n' }, 'slug must contain only lowercase letters, numbers, and hyphens'],
    ])('answers 400 for %j', async (payload, error) => {
      const ada = await loginAs(t, 'ada@example.com');
      expect(await call('POST', '/v1/teams', ada.headers, payload)).toEqual({ status: 400, body: { error } });
    });

    it('refuses a body that is not a JSON object', async () => {
      const ada = await loginAs(t, 'ada@example.com');
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/teams',
        headers: { ...ada.headers, 'content-type': 'application/json' },
        payload: '["acme"]',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'Request body must be a JSON object' });
    });

    it('answers 409 for a taken slug, also one of a deleted team', async () => {
      const ada = await loginAs(t, 'ada@example.com');
      const bob = await loginAs(t, 'bob@example.com');
      const teamId = await createTeam(t, ada, 'acme');
      expect(await call('POST', '/v1/teams', bob.headers, { name: 'Other', slug: 'acme' })).toEqual({
        status: 409,
        body: { error: 'A team with this slug already exists' },
      });
      expect(await call('DELETE', `/v1/teams/${teamId}`, ada.headers)).toEqual({ status: 200, body: { deleted: true } });
      expect(await call('POST', '/v1/teams', bob.headers, { name: 'Other', slug: 'acme' })).toEqual({
        status: 409,
        body: { error: 'A team with this slug already exists' },
      });
    });

    it('lets exactly one of several concurrent creates take a slug', async () => {
      const users = await Promise.all(['u1', 'u2', 'u3', 'u4'].map((u) => loginAs(t, `${u}@example.com`)));
      const results = await Promise.all(users.map((u) => call('POST', '/v1/teams', u.headers, { name: 'Race', slug: 'race' })));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
      for (const r of results.filter((x) => x.status === 409)) expect(r.body).toEqual({ error: 'A team with this slug already exists' });
      const rows = await t.ds.query(`SELECT count(*)::int AS n FROM teams WHERE slug = 'race'`);
      expect(rows[0].n).toBe(1);
    });

    it('needs authentication', async () => {
      expect(await call('POST', '/v1/teams', undefined, { name: 'Acme', slug: 'acme' })).toEqual({
        status: 401,
        body: { error: 'Missing authorization' },
      });
    });
  });

  describe('GET /v1/teams/:teamId', () => {
    it('embeds members (oldest first) and only pending invitations', async () => {
      const c = await crew();
      await invite(t, c.owner, c.teamId, 'Pending@Example.com', 'admin');
      const expired = await invite(t, c.owner, c.teamId, 'late@example.com');
      await t.ds.query(`UPDATE team_invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expired.id]);

      for (const s of [c.owner, c.admin, c.member]) {
        const res = await call('GET', `/v1/teams/${c.teamId}`, s.headers);
        expect(res).toEqual({
          status: 200,
          body: {
            id: c.teamId,
            name: 'Acme',
            slug: 'acme',
            created_at: ISO,
            updated_at: ISO,
            members: [memberView(c.owner, 'owner'), memberView(c.admin, 'admin'), memberView(c.member, 'member')],
            pending_invitations: [
              {
                id: UUID,
                team_id: c.teamId,
                email: 'pending@example.com',
                role: 'admin',
                invited_by: { user_id: c.owner.userId, name: 'Owner', email: 'owner@example.com' },
                expires_at: ISO,
                accepted_at: null,
                created_at: ISO,
              },
            ],
          },
        });
      }
    });

    it('answers 403 "Not a member of this team" for outsiders, unknown and malformed ids', async () => {
      const c = await crew();
      for (const url of [
        `/v1/teams/${c.outsider.teamId}`,
        `/v1/teams/${c.teamId}x`,
        '/v1/teams/00000000-0000-0000-0000-000000000001',
        '/v1/teams/nope',
      ]) {
        expect([url, await call('GET', url, c.owner.headers)]).toEqual([url, { status: 403, body: NOT_A_MEMBER }]);
      }
      expect(await call('GET', `/v1/teams/${c.teamId}`, c.outsider.headers)).toEqual({ status: 403, body: NOT_A_MEMBER });
    });

    it('accepts the team id in upper case', async () => {
      const c = await crew();
      const res = await call('GET', `/v1/teams/${c.teamId.toUpperCase()}`, c.member.headers);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(c.teamId);
    });
  });

  describe('PATCH /v1/teams/:teamId', () => {
    it('lets owners and admins rename; the slug never changes; audit records the change', async () => {
      const c = await crew();
      const before = (await call('GET', `/v1/teams/${c.teamId}`, c.owner.headers)).body;
      const res = await call('PATCH', `/v1/teams/${c.teamId}`, c.admin.headers, { name: 'Acme Labs', slug: 'ignored' });
      expect(res).toEqual({
        status: 200,
        body: { id: c.teamId, name: 'Acme Labs', slug: 'acme', created_at: before.created_at, updated_at: ISO },
      });
      expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(before.updated_at));
      const again = await call('PATCH', `/v1/teams/${c.teamId}`, c.owner.headers, { name: 'Acme' });
      expect(again.body.name).toBe('Acme');
      const read = await call('GET', `/v1/teams/${c.teamId}`, c.member.headers);
      expect([read.body.name, read.body.slug]).toEqual(['Acme', 'acme']);

      const updates = await auditOf(c, '?resource_type=team&action=update');
      expect(updates).toEqual([
        expect.objectContaining({
          actor_id: c.owner.userId,
          resource_id: c.teamId,
          changes: { name: { before: 'Acme Labs', after: 'Acme' } },
          metadata: null,
        }),
        expect.objectContaining({
          actor_id: c.admin.userId,
          resource_id: c.teamId,
          changes: { name: { before: 'Acme', after: 'Acme Labs' } },
          metadata: null,
        }),
      ]);
    });

    it.each([
      [{}, 'At least one field to update is required'],
      [{ name: '' }, 'At least one field to update is required'],
      [{ slug: 'new-slug' }, 'At least one field to update is required'],
      [{ name: 42 }, 'name must be a string'],
      [{ name: 'n'.repeat(256) }, 'name must be at most 255 characters'],
    ])('answers 400 for %j', async (payload, error) => {
      const c = await crew();
      expect(await call('PATCH', `/v1/teams/${c.teamId}`, c.admin.headers, payload)).toEqual({ status: 400, body: { error } });
    });

    it('checks membership and role before the body', async () => {
      const c = await crew();
      expect(await call('PATCH', `/v1/teams/${c.teamId}`, c.member.headers, {})).toEqual({ status: 403, body: REQUIRES_ADMIN });
      expect(await call('PATCH', `/v1/teams/${c.teamId}`, c.outsider.headers, { name: 5 })).toEqual({ status: 403, body: NOT_A_MEMBER });
      expect(await call('PATCH', '/v1/teams/not-a-uuid', c.owner.headers, { name: 'x' })).toEqual({ status: 403, body: NOT_A_MEMBER });
    });
  });

  describe('DELETE /v1/teams/:teamId', () => {
    it('soft-deletes the team, ends every membership, drops invitations and revokes keys with one timestamp', async () => {
      const c = await crew();
      const pending = await invite(t, c.owner, c.teamId, 'someone@example.com');
      const agent = await insertKey(t, { teamId: c.teamId, createdBy: c.admin.userId });
      const client = await insertKey(t, { teamId: c.teamId, createdBy: c.owner.userId, type: ApiKeyType.Client });
      const elsewhere = await insertKey(t, { teamId: c.owner.teamId, createdBy: c.owner.userId });
      expect((await keyStatus(t, agent.key)).status).toBe(200);

      expect(await call('DELETE', `/v1/teams/${c.teamId}`, c.owner.headers)).toEqual({ status: 200, body: { deleted: true } });

      for (const s of [c.owner, c.admin, c.member]) {
        expect(await call('GET', `/v1/teams/${c.teamId}`, s.headers)).toEqual({ status: 403, body: NOT_A_MEMBER });
        const teams = (await call('GET', '/v1/auth/teams', s.headers)).body.teams;
        expect(teams.map((x: { id: string }) => x.id)).toEqual([s.teamId]);
      }
      expect(await keyStatus(t, agent.key)).toEqual({ status: 401, body: { error: 'Invalid API key' } });
      expect(await keyStatus(t, client.key)).toEqual({ status: 401, body: { error: 'Invalid API key' } });
      expect((await keyStatus(t, elsewhere.key)).status).toBe(200);
      expect(await call('GET', `/v1/invites/${pending.token}`)).toEqual({ status: 404, body: { error: 'Invitation not found' } });

      const [team] = await t.ds.query(`SELECT deleted_at FROM teams WHERE id = $1`, [c.teamId]);
      expect(team.deleted_at).toBeInstanceOf(Date);
      const keys = await t.ds.query(`SELECT deleted_at FROM api_keys WHERE team_id = $1`, [c.teamId]);
      expect(keys.map((k: { deleted_at: Date }) => k.deleted_at.getTime())).toEqual([team.deleted_at.getTime(), team.deleted_at.getTime()]);
      const counts = await t.ds.query(
        `SELECT (SELECT count(*) FROM team_members WHERE team_id = $1)::int AS members,
                (SELECT count(*) FROM team_invitations WHERE team_id = $1)::int AS invitations`,
        [c.teamId],
      );
      expect(counts).toEqual([{ members: 0, invitations: 0 }]);
      const deletes = (await auditRows(t, c.teamId)).filter((r) => r.action === 'delete');
      expect(deletes).toEqual([
        {
          actor_type: 'user',
          actor_id: c.owner.userId,
          action: 'delete',
          resource_type: 'team',
          resource_id: c.teamId,
          changes: null,
          metadata: null,
        },
      ]);
    });

    it('answers 400 "Cannot delete your only team" when the caller belongs to no other team', async () => {
      const ada = await loginAs(t, 'ada@example.com');
      expect(await call('DELETE', `/v1/teams/${ada.teamId}`, ada.headers)).toEqual({
        status: 400,
        body: { error: 'Cannot delete your only team' },
      });
      expect((await call('GET', `/v1/teams/${ada.teamId}`, ada.headers)).status).toBe(200);
    });

    it('is for owners only', async () => {
      const c = await crew();
      expect(await call('DELETE', `/v1/teams/${c.teamId}`, c.admin.headers)).toEqual({ status: 403, body: REQUIRES_OWNER });
      expect(await call('DELETE', `/v1/teams/${c.teamId}`, c.member.headers)).toEqual({ status: 403, body: REQUIRES_OWNER });
      expect(await call('DELETE', `/v1/teams/${c.teamId}`, c.outsider.headers)).toEqual({ status: 403, body: NOT_A_MEMBER });
      expect((await call('GET', `/v1/teams/${c.teamId}`, c.member.headers)).status).toBe(200);
    });

    it('a deleted team answers 403 to its former owner afterwards', async () => {
      const c = await crew();
      await call('DELETE', `/v1/teams/${c.teamId}`, c.owner.headers);
      expect(await call('DELETE', `/v1/teams/${c.teamId}`, c.owner.headers)).toEqual({ status: 403, body: NOT_A_MEMBER });
      expect(await call('PATCH', `/v1/teams/${c.teamId}`, c.owner.headers, { name: 'x' })).toEqual({ status: 403, body: NOT_A_MEMBER });
    });
  });

  describe('GET /v1/teams/:teamId/members', () => {
    it('lists members oldest first for every role', async () => {
      const c = await crew();
      for (const s of [c.owner, c.admin, c.member]) {
        expect(await call('GET', `/v1/teams/${c.teamId}/members`, s.headers)).toEqual({
          status: 200,
          body: { members: [memberView(c.owner, 'owner'), memberView(c.admin, 'admin'), memberView(c.member, 'member')] },
        });
      }
      expect(await call('GET', `/v1/teams/${c.teamId}/members`, c.outsider.headers)).toEqual({ status: 403, body: NOT_A_MEMBER });
    });
  });

  describe('role matrix', () => {
    it('refuses every action a role does not grant, and changes nothing', async () => {
      const c = await crew();
      const admin2 = await loginAs(t, 'admin2@example.com');
      await joinTeam(t, c.owner, c.teamId, admin2, 'admin');
      const pending = await invite(t, c.owner, c.teamId, 'guest@example.com');
      const before = await membersOf(c);
      const team = `/v1/teams/${c.teamId}`;

      const cases: [Session, HttpMethod, string, unknown, number, { error: string }][] = [
        [c.member, 'PATCH', team, { name: 'x' }, 403, REQUIRES_ADMIN],
        [c.member, 'DELETE', team, undefined, 403, REQUIRES_OWNER],
        [c.member, 'PATCH', `${team}/members/${c.admin.userId}`, { role: 'member' }, 403, REQUIRES_ADMIN],
        [c.member, 'PATCH', `${team}/members/${c.member.userId}`, { role: 'admin' }, 403, REQUIRES_ADMIN],
        [c.member, 'DELETE', `${team}/members/${c.admin.userId}`, undefined, 403, REQUIRES_ADMIN],
        [c.member, 'DELETE', `${team}/members/nope`, undefined, 403, REQUIRES_ADMIN],
        [c.member, 'GET', `${team}/members/${c.admin.userId}/agent-keys`, undefined, 403, REQUIRES_ADMIN],
        [c.member, 'POST', `${team}/invitations`, { email: 'x@example.com' }, 403, REQUIRES_ADMIN],
        [c.member, 'DELETE', `${team}/invitations/${pending.id}`, undefined, 403, REQUIRES_ADMIN],
        [c.member, 'GET', `${team}/audit-logs`, undefined, 403, REQUIRES_ADMIN],
        [c.admin, 'DELETE', team, undefined, 403, REQUIRES_OWNER],
        [
          c.admin,
          'PATCH',
          `${team}/members/${c.owner.userId}`,
          { role: 'member' },
          403,
          { error: 'Cannot change the role of a member with equal or higher role' },
        ],
        [
          c.admin,
          'PATCH',
          `${team}/members/${admin2.userId}`,
          { role: 'member' },
          403,
          { error: 'Cannot change the role of a member with equal or higher role' },
        ],
        [
          c.admin,
          'PATCH',
          `${team}/members/${c.member.userId}`,
          { role: 'owner' },
          403,
          { error: 'Only owners can promote members to owner' },
        ],
        [
          c.admin,
          'PATCH',
          `${team}/members/00000000-0000-0000-0000-000000000009`,
          { role: 'owner' },
          403,
          { error: 'Only owners can promote members to owner' },
        ],
        [
          c.admin,
          'DELETE',
          `${team}/members/${c.owner.userId}`,
          undefined,
          403,
          { error: 'Cannot remove a member with equal or higher role' },
        ],
        [
          c.admin,
          'DELETE',
          `${team}/members/${admin2.userId}`,
          undefined,
          403,
          { error: 'Cannot remove a member with equal or higher role' },
        ],
        [
          c.admin,
          'POST',
          `${team}/invitations`,
          { email: 'x@example.com', role: 'owner' },
          403,
          { error: 'Only owners can invite members as owner' },
        ],
        [c.outsider, 'GET', team, undefined, 403, NOT_A_MEMBER],
        [c.outsider, 'PATCH', team, { name: 'x' }, 403, NOT_A_MEMBER],
        [c.outsider, 'DELETE', team, undefined, 403, NOT_A_MEMBER],
        [c.outsider, 'GET', `${team}/members`, undefined, 403, NOT_A_MEMBER],
        [c.outsider, 'PATCH', `${team}/members/${c.member.userId}`, { role: 'admin' }, 403, NOT_A_MEMBER],
        [c.outsider, 'DELETE', `${team}/members/${c.member.userId}`, undefined, 403, NOT_A_MEMBER],
        [c.outsider, 'DELETE', `${team}/members/${c.outsider.userId}`, undefined, 403, NOT_A_MEMBER],
        [c.outsider, 'GET', `${team}/members/${c.outsider.userId}/agent-keys`, undefined, 403, NOT_A_MEMBER],
        [c.outsider, 'POST', `${team}/invitations`, { email: 'x@example.com' }, 403, NOT_A_MEMBER],
        [c.outsider, 'GET', `${team}/invitations`, undefined, 403, NOT_A_MEMBER],
        [c.outsider, 'DELETE', `${team}/invitations/${pending.id}`, undefined, 403, NOT_A_MEMBER],
        [c.outsider, 'GET', `${team}/audit-logs`, undefined, 403, NOT_A_MEMBER],
      ];
      for (const [who, method, url, payload, status, body] of cases) {
        expect([who.email, method, url, await call(method, url, who.headers, payload)]).toEqual([who.email, method, url, { status, body }]);
      }
      expect(await membersOf(c)).toEqual(before);
      expect((await call('GET', `${team}/invitations`, c.member.headers)).body.invitations).toHaveLength(1);
      expect((await call('GET', team, c.owner.headers)).body.name).toBe('Acme');
    });

    it('lets every role read the team, its members, invitations and its own agent keys', async () => {
      const c = await crew();
      const team = `/v1/teams/${c.teamId}`;
      for (const s of [c.owner, c.admin, c.member]) {
        for (const url of [team, `${team}/members`, `${team}/invitations`, `${team}/members/${s.userId}/agent-keys`]) {
          expect([s.email, url, (await call('GET', url, s.headers)).status]).toEqual([s.email, url, 200]);
        }
      }
      for (const s of [c.owner, c.admin]) expect((await call('GET', `${team}/audit-logs`, s.headers)).status).toBe(200);
    });
  });

  describe('PATCH /v1/teams/:teamId/members/:userId', () => {
    it('lets an owner set any role, including owner, and records the change', async () => {
      const c = await crew();
      const url = (s: Session) => `/v1/teams/${c.teamId}/members/${s.userId}`;
      expect(await call('PATCH', url(c.member), c.owner.headers, { role: 'owner' })).toEqual({
        status: 200,
        body: { user_id: c.member.userId, role: 'owner' },
      });
      expect(await call('PATCH', url(c.admin), c.owner.headers, { role: 'member' })).toEqual({
        status: 200,
        body: { user_id: c.admin.userId, role: 'member' },
      });
      // Owners may act on other owners.
      expect(await call('PATCH', url(c.member), c.owner.headers, { role: 'admin' })).toEqual({
        status: 200,
        body: { user_id: c.member.userId, role: 'admin' },
      });
      expect(await membersOf(c)).toEqual([memberView(c.owner, 'owner'), memberView(c.admin, 'member'), memberView(c.member, 'admin')]);

      const updates = await auditOf(c, '?resource_type=team_member&action=update');
      expect(
        updates.map((e: { resource_id: string; changes: unknown; actor_id: string }) => [e.resource_id, e.changes, e.actor_id]),
      ).toEqual([
        [c.member.userId, { role: { before: 'owner', after: 'admin' } }, c.owner.userId],
        [c.admin.userId, { role: { before: 'admin', after: 'member' } }, c.owner.userId],
        [c.member.userId, { role: { before: 'member', after: 'owner' } }, c.owner.userId],
      ]);
    });

    it('lets an admin change members ranked below them, up to admin', async () => {
      const c = await crew();
      expect(await call('PATCH', `/v1/teams/${c.teamId}/members/${c.member.userId}`, c.admin.headers, { role: 'admin' })).toEqual({
        status: 200,
        body: { user_id: c.member.userId, role: 'admin' },
      });
      // Now an equal: no longer manageable by the admin.
      expect(await call('PATCH', `/v1/teams/${c.teamId}/members/${c.member.userId}`, c.admin.headers, { role: 'member' })).toEqual({
        status: 403,
        body: { error: 'Cannot change the role of a member with equal or higher role' },
      });
    });

    it('takes effect on the next request (roles are read per request)', async () => {
      const c = await crew();
      expect((await call('GET', `/v1/teams/${c.teamId}/audit-logs`, c.member.headers)).status).toBe(403);
      await call('PATCH', `/v1/teams/${c.teamId}/members/${c.member.userId}`, c.owner.headers, { role: 'admin' });
      expect((await call('GET', `/v1/teams/${c.teamId}/audit-logs`, c.member.headers)).status).toBe(200);
    });

    it.each([[{}], [{ role: '' }], [{ role: null }], [{ role: 'boss' }], [{ role: 'Owner' }], [{ role: 2 }], [{ role: ['admin'] }]])(
      'answers 400 "A valid role is required" for %j',
      async (payload) => {
        const c = await crew();
        expect(await call('PATCH', `/v1/teams/${c.teamId}/members/${c.member.userId}`, c.owner.headers, payload)).toEqual({
          status: 400,
          body: { error: 'A valid role is required' },
        });
      },
    );

    it("refuses changing one's own role (any id case), after the role check", async () => {
      const c = await crew();
      for (const id of [c.owner.userId, c.owner.userId.toUpperCase()]) {
        expect(await call('PATCH', `/v1/teams/${c.teamId}/members/${id}`, c.owner.headers, { role: 'admin' })).toEqual({
          status: 400,
          body: { error: 'Cannot change your own role' },
        });
      }
      expect(await call('PATCH', `/v1/teams/${c.teamId}/members/${c.owner.userId}`, c.owner.headers, { role: 'x' })).toEqual({
        status: 400,
        body: { error: 'A valid role is required' },
      });
      expect(await call('PATCH', `/v1/teams/${c.teamId}/members/${c.admin.userId}`, c.admin.headers, { role: 'owner' })).toEqual({
        status: 400,
        body: { error: 'Cannot change your own role' },
      });
    });

    it('answers 404 "Member not found" for unknown, malformed and foreign users', async () => {
      const c = await crew();
      for (const id of ['00000000-0000-0000-0000-000000000001', 'nope', c.outsider.userId]) {
        expect(await call('PATCH', `/v1/teams/${c.teamId}/members/${id}`, c.owner.headers, { role: 'admin' })).toEqual({
          status: 404,
          body: { error: 'Member not found' },
        });
      }
    });

    it('never leaves a team without an owner when two owners demote each other at once', async () => {
      const c = await crew();
      await call('PATCH', `/v1/teams/${c.teamId}/members/${c.admin.userId}`, c.owner.headers, { role: 'owner' });
      const [a, b] = await Promise.all([
        call('PATCH', `/v1/teams/${c.teamId}/members/${c.admin.userId}`, c.owner.headers, { role: 'admin' }),
        call('PATCH', `/v1/teams/${c.teamId}/members/${c.owner.userId}`, c.admin.headers, { role: 'admin' }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 403]);
      expect([a, b].find((r) => r.status === 403)!.body).toEqual({ error: 'Cannot change the role of a member with equal or higher role' });
      const owners = await t.ds.query<unknown[]>(`SELECT user_id FROM team_members WHERE team_id = $1 AND role = 'owner'`, [c.teamId]);
      expect(owners).toHaveLength(1);
    });
  });

  describe('DELETE /v1/teams/:teamId/members/:userId', () => {
    it('lets an owner remove an admin; access ends at once', async () => {
      const c = await crew();
      expect(await call('DELETE', `/v1/teams/${c.teamId}/members/${c.admin.userId}`, c.owner.headers)).toEqual({
        status: 200,
        body: { removed: true, revoked_agent_keys: 0 },
      });
      expect(await membersOf(c)).toEqual([memberView(c.owner, 'owner'), memberView(c.member, 'member')]);
      expect(await call('GET', `/v1/teams/${c.teamId}`, c.admin.headers)).toEqual({ status: 403, body: NOT_A_MEMBER });
      const deletes = await auditOf(c, '?resource_type=team_member&action=delete');
      expect(deletes).toEqual([
        {
          id: UUID,
          team_id: c.teamId,
          actor_type: 'user',
          actor_id: c.owner.userId,
          action: 'delete',
          resource_type: 'team_member',
          resource_id: c.admin.userId,
          changes: null,
          metadata: null,
          timestamp: ISO,
        },
      ]);
    });

    it('lets an admin remove a member, and an owner remove another owner', async () => {
      const c = await crew();
      expect(await call('DELETE', `/v1/teams/${c.teamId}/members/${c.member.userId}`, c.admin.headers)).toEqual({
        status: 200,
        body: { removed: true, revoked_agent_keys: 0 },
      });
      await call('PATCH', `/v1/teams/${c.teamId}/members/${c.admin.userId}`, c.owner.headers, { role: 'owner' });
      expect(await call('DELETE', `/v1/teams/${c.teamId}/members/${c.owner.userId}`, c.admin.headers)).toEqual({
        status: 200,
        body: { removed: true, revoked_agent_keys: 0 },
      });
      expect(await call('GET', `/v1/teams/${c.teamId}/members`, c.admin.headers)).toEqual({
        status: 200,
        body: { members: [memberView(c.admin, 'owner')] },
      });
    });

    it('lets anyone leave, logged with via "leave"', async () => {
      const c = await crew();
      expect(await call('DELETE', `/v1/teams/${c.teamId}/members/${c.member.userId.toUpperCase()}`, c.member.headers)).toEqual({
        status: 200,
        body: { removed: true, revoked_agent_keys: 0 },
      });
      expect(await call('DELETE', `/v1/teams/${c.teamId}/members/${c.admin.userId}`, c.admin.headers)).toEqual({
        status: 200,
        body: { removed: true, revoked_agent_keys: 0 },
      });
      expect(await membersOf(c)).toEqual([memberView(c.owner, 'owner')]);
      const deletes = await auditOf(c, '?resource_type=team_member&action=delete');
      expect(
        deletes.map((e: { actor_id: string; resource_id: string; metadata: unknown }) => [e.actor_id, e.resource_id, e.metadata]),
      ).toEqual([
        [c.admin.userId, c.admin.userId, { via: 'leave' }],
        [c.member.userId, c.member.userId, { via: 'leave' }],
      ]);
    });

    it('keeps the sole owner from leaving, but not one of two owners', async () => {
      const c = await crew();
      const leave = (s: Session) => call('DELETE', `/v1/teams/${c.teamId}/members/${s.userId}`, s.headers);
      expect(await leave(c.owner)).toEqual({ status: 400, body: { error: 'Transfer ownership before leaving — you are the sole owner' } });
      await call('PATCH', `/v1/teams/${c.teamId}/members/${c.admin.userId}`, c.owner.headers, { role: 'owner' });
      expect(await leave(c.owner)).toEqual({ status: 200, body: { removed: true, revoked_agent_keys: 0 } });
      expect(await leave(c.admin)).toEqual({ status: 400, body: { error: 'Transfer ownership before leaving — you are the sole owner' } });
    });

    it('answers 404 "Member not found" to admins for unknown, malformed or foreign users', async () => {
      const c = await crew();
      for (const id of ['00000000-0000-0000-0000-000000000001', 'nope', c.outsider.userId]) {
        expect(await call('DELETE', `/v1/teams/${c.teamId}/members/${id}`, c.admin.headers)).toEqual({
          status: 404,
          body: { error: 'Member not found' },
        });
      }
    });

    it("revokes the removed user's agent keys of this team with revoke_agent_keys=true", async () => {
      const c = await crew();
      const a1 = await insertKey(t, { teamId: c.teamId, createdBy: c.member.userId, name: 'one' });
      const a2 = await insertKey(t, { teamId: c.teamId, createdBy: c.member.userId, name: 'two' });
      const client = await insertKey(t, { teamId: c.teamId, createdBy: c.member.userId, type: ApiKeyType.Client });
      const otherTeam = await insertKey(t, { teamId: c.member.teamId, createdBy: c.member.userId });
      const ownersKey = await insertKey(t, { teamId: c.teamId, createdBy: c.owner.userId });

      const res = await call('DELETE', `/v1/teams/${c.teamId}/members/${c.member.userId}?revoke_agent_keys=true`, c.admin.headers);
      expect(res).toEqual({ status: 200, body: { removed: true, revoked_agent_keys: 2 } });
      expect(await keyStatus(t, a1.key)).toEqual({ status: 401, body: { error: 'Invalid API key' } });
      expect(await keyStatus(t, a2.key)).toEqual({ status: 401, body: { error: 'Invalid API key' } });
      for (const k of [client, otherTeam, ownersKey]) expect((await keyStatus(t, k.key)).status).toBe(200);

      const entries = await auditOf(c, '?action=delete');
      expect(entries).toHaveLength(3);
      expect(entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ actor_id: c.admin.userId, resource_type: 'team_member', resource_id: c.member.userId, metadata: null }),
          expect.objectContaining({
            actor_id: c.admin.userId,
            resource_type: 'api_key',
            resource_id: a1.id,
            changes: null,
            metadata: null,
          }),
          expect.objectContaining({
            actor_id: c.admin.userId,
            resource_type: 'api_key',
            resource_id: a2.id,
            changes: null,
            metadata: null,
          }),
        ]),
      );
    });

    it("revokes one's own agent keys when leaving with the flag", async () => {
      const c = await crew();
      const mine = await insertKey(t, { teamId: c.teamId, createdBy: c.member.userId });
      expect(await call('DELETE', `/v1/teams/${c.teamId}/members/${c.member.userId}?revoke_agent_keys=true`, c.member.headers)).toEqual({
        status: 200,
        body: { removed: true, revoked_agent_keys: 1 },
      });
      expect((await keyStatus(t, mine.key)).status).toBe(401);
    });

    it.each(['false', 'TRUE', '1', 'yes', ''])('leaves keys alone with revoke_agent_keys=%j', async (value) => {
      const c = await crew();
      const key = await insertKey(t, { teamId: c.teamId, createdBy: c.member.userId });
      expect(await call('DELETE', `/v1/teams/${c.teamId}/members/${c.member.userId}?revoke_agent_keys=${value}`, c.owner.headers)).toEqual({
        status: 200,
        body: { removed: true, revoked_agent_keys: 0 },
      });
      expect((await keyStatus(t, key.key)).status).toBe(200);
    });

    it('refuses a repeated revoke_agent_keys parameter', async () => {
      const c = await crew();
      expect(
        await call(
          'DELETE',
          `/v1/teams/${c.teamId}/members/${c.member.userId}?revoke_agent_keys=true&revoke_agent_keys=true`,
          c.owner.headers,
        ),
      ).toEqual({ status: 400, body: { error: 'revoke_agent_keys must be given only once' } });
      expect(await membersOf(c)).toHaveLength(3);
    });
  });

  describe('GET /v1/teams/:teamId/members/:userId/agent-keys', () => {
    it("lists the user's live agent keys of this team, oldest first", async () => {
      const c = await crew();
      const first = await insertKey(t, {
        teamId: c.teamId,
        createdBy: c.member.userId,
        name: 'CLI Agent Key',
        permissions: ['events:read'],
      });
      const second = await insertKey(t, { teamId: c.teamId, createdBy: c.member.userId, name: 'second' });
      const revoked = await insertKey(t, { teamId: c.teamId, createdBy: c.member.userId, name: 'revoked' });
      await insertKey(t, { teamId: c.teamId, createdBy: c.member.userId, type: ApiKeyType.Client });
      await insertKey(t, { teamId: c.member.teamId, createdBy: c.member.userId });
      await insertKey(t, { teamId: c.teamId, createdBy: c.admin.userId });
      await t.ds.query(`UPDATE api_keys SET deleted_at = now() WHERE id = $1`, [revoked.id]);
      await t.ds.query(`UPDATE api_keys SET created_at = created_at - interval '1 minute' WHERE id = $1`, [first.id]);

      const expected = {
        keys: [
          { id: first.id, name: 'CLI Agent Key', key_prefix: first.key.slice(0, 16), permissions: ['events:read'], created_at: ISO },
          {
            id: second.id,
            name: 'second',
            key_prefix: second.key.slice(0, 16),
            created_at: ISO,
            permissions: DEFAULT_AGENT_PERMISSIONS_WIRE,
          },
        ],
      };
      expect(await call('GET', `/v1/teams/${c.teamId}/members/${c.member.userId}/agent-keys`, c.admin.headers)).toEqual({
        status: 200,
        body: expected,
      });
      expect(await call('GET', `/v1/teams/${c.teamId}/members/${c.member.userId}/agent-keys`, c.member.headers)).toEqual({
        status: 200,
        body: expected,
      });
    });

    it('answers an empty list for unknown or malformed users', async () => {
      const c = await crew();
      for (const id of ['00000000-0000-0000-0000-000000000001', 'nope']) {
        expect(await call('GET', `/v1/teams/${c.teamId}/members/${id}/agent-keys`, c.owner.headers)).toEqual({
          status: 200,
          body: { keys: [] },
        });
      }
    });
  });

  describe('API keys on user-only endpoints', () => {
    it('answer each route\'s "Only users can …" text, whatever the key\'s team or permissions', async () => {
      const c = await crew();
      const agent = await insertKey(t, { teamId: c.teamId, createdBy: c.owner.userId });
      const foreign = await insertKey(t, { teamId: c.outsider.teamId, createdBy: c.outsider.userId });
      const client = await insertKey(t, { teamId: c.teamId, createdBy: c.owner.userId, type: ApiKeyType.Client });
      const team = `/v1/teams/${c.teamId}`;
      const cases: [HttpMethod, string, unknown, string][] = [
        ['POST', '/v1/teams', { name: 'x', slug: 'x' }, 'Only users can create teams'],
        ['GET', team, undefined, 'Only users can view teams'],
        ['PATCH', team, { name: 'x' }, 'Only users can update teams'],
        ['DELETE', team, undefined, 'Only users can delete teams'],
        ['GET', `${team}/members`, undefined, 'Only users can list team members'],
        ['PATCH', `${team}/members/${c.member.userId}`, { role: 'admin' }, 'Only users can change member roles'],
        ['DELETE', `${team}/members/${c.member.userId}`, undefined, 'Only users can remove team members'],
        ['GET', `${team}/members/${c.member.userId}/agent-keys`, undefined, 'Only users can view member agent keys'],
      ];
      for (const key of [agent, foreign, client]) {
        for (const [method, url, payload, error] of cases) {
          expect([method, url, await call(method, url, key.headers, payload)]).toEqual([method, url, { status: 403, body: { error } }]);
        }
      }
      expect(await membersOf(c)).toHaveLength(3);
    });
  });

  describe('tenant isolation', () => {
    it("keeps another team's admin out of everything of this team", async () => {
      const c = await crew();
      const otherTeam = await createTeam(t, c.outsider, 'other');
      const key = await insertKey(t, { teamId: otherTeam, createdBy: c.outsider.userId });
      const team = `/v1/teams/${c.teamId}`;
      for (const [method, url, payload] of [
        ['GET', team],
        ['PATCH', team, { name: 'x' }],
        ['DELETE', team],
        ['GET', `${team}/members`],
        ['PATCH', `${team}/members/${c.member.userId}`, { role: 'admin' }],
        ['DELETE', `${team}/members/${c.member.userId}`],
        ['GET', `${team}/members/${c.member.userId}/agent-keys`],
        ['GET', `${team}/invitations`],
        ['POST', `${team}/invitations`, { email: 'x@example.com' }],
        ['GET', `${team}/audit-logs`],
      ] as [HttpMethod, string, unknown?][]) {
        expect([method, url, await call(method, url, c.outsider.headers, payload)]).toEqual([
          method,
          url,
          { status: 403, body: NOT_A_MEMBER },
        ]);
      }
      expect(await call('GET', `${team}/audit-logs`, key.headers)).toEqual({ status: 403, body: NOT_A_MEMBER });
      // Members of acme cannot reach the other team either.
      expect(await call('GET', `/v1/teams/${otherTeam}`, c.owner.headers)).toEqual({ status: 403, body: NOT_A_MEMBER });
      expect(await membersOf(c)).toHaveLength(3);
    });
  });
});
