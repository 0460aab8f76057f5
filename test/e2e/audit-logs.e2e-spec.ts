import { ApiKeyType } from '../../src/common/auth/permission';
import { Session, loginAs } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';
import { createTeam, invite, joinTeam, mailedInviteToken } from '../utils/team-fixtures';
import { insertKey } from '../factories/keys.factory';

interface Entry {
  id: string;
  team_id: string;
  actor_type: string;
  actor_id: string;
  action: string;
  resource_type: string;
  resource_id: string;
  changes: unknown;
  metadata: unknown;
  timestamp: string;
}

interface Page {
  audit_logs: Entry[];
  cursor: string | null;
  has_more: boolean;
}

describe('audit logs (e2e)', () => {
  const t = useTestApp();

  beforeEach(async () => {
    await t.reset();
  });

  const get = async (url: string, headers?: Record<string, string>) => {
    const res = await t.app.inject({ method: 'GET', url, headers });
    return { status: res.statusCode, body: res.json() };
  };

  const logsUrl = (teamId: string, query: Record<string, string> = {}) => {
    const qs = new URLSearchParams(query).toString();
    return `/v1/teams/${teamId}/audit-logs${qs ? `?${qs}` : ''}`;
  };

  /** Writes entries straight into the table, with chosen timestamps (for filters and paging). */
  async function insertEntries(
    teamId: string,
    rows: { timestamp: string; resourceType?: string; resourceId?: string; actorId?: string; actorType?: string; action?: string }[],
  ): Promise<Entry[]> {
    const out: Entry[] = [];
    for (const r of rows) {
      const [row] = await t.ds.query(
        `INSERT INTO audit_logs (team_id, actor_type, actor_id, action, resource_type, resource_id, changes, metadata, "timestamp")
         VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7) RETURNING id`,
        [
          teamId,
          r.actorType ?? 'user',
          r.actorId ?? '11111111-1111-4111-8111-111111111111',
          r.action ?? 'create',
          r.resourceType ?? 'paging',
          r.resourceId ?? '22222222-2222-4222-8222-222222222222',
          r.timestamp,
        ],
      );
      out.push({
        id: row.id,
        team_id: teamId,
        actor_type: r.actorType ?? 'user',
        actor_id: r.actorId ?? '11111111-1111-4111-8111-111111111111',
        action: r.action ?? 'create',
        resource_type: r.resourceType ?? 'paging',
        resource_id: r.resourceId ?? '22222222-2222-4222-8222-222222222222',
        changes: null,
        metadata: null,
        timestamp: new Date(r.timestamp).toISOString(),
      });
    }
    return out;
  }

  /** (timestamp desc, id desc) — the contract's order. */
  const newestFirst = (entries: Entry[]) =>
    [...entries].sort((a, b) => (a.timestamp === b.timestamp ? (a.id < b.id ? 1 : -1) : a.timestamp < b.timestamp ? 1 : -1));

  describe('access', () => {
    let owner: Session;
    let teamId: string;

    beforeEach(async () => {
      owner = await loginAs(t, 'owner@example.com');
      teamId = await createTeam(t, owner, 'acme', 'Acme');
    });

    it('lets admins and owners read, not members or outsiders', async () => {
      const admin = await loginAs(t, 'admin@example.com');
      const member = await loginAs(t, 'member@example.com');
      const outsider = await loginAs(t, 'outsider@example.com');
      await joinTeam(t, owner, teamId, admin, 'admin');
      await joinTeam(t, owner, teamId, member, 'member');
      expect((await get(logsUrl(teamId), owner.headers)).status).toBe(200);
      expect((await get(logsUrl(teamId), admin.headers)).status).toBe(200);
      expect(await get(logsUrl(teamId), member.headers)).toEqual({ status: 403, body: { error: 'Requires admin role or higher' } });
      expect(await get(logsUrl(teamId), outsider.headers)).toEqual({ status: 403, body: { error: 'Not a member of this team' } });
      expect(await get(logsUrl('nope'), owner.headers)).toEqual({ status: 403, body: { error: 'Not a member of this team' } });
      expect(await get(logsUrl(teamId))).toEqual({ status: 401, body: { error: 'Missing authorization' } });
      // Role checks come before query validation.
      expect(await get(logsUrl(teamId, { action: 'bogus' }), member.headers)).toEqual({
        status: 403,
        body: { error: 'Requires admin role or higher' },
      });
    });

    it('lets agent keys with audit_logs:read read their own team only', async () => {
      const outsider = await loginAs(t, 'outsider@example.com');
      const reader = await insertKey(t, { teamId: teamId, createdBy: owner.userId, permissions: ['audit_logs:read'] });
      const noPerm = await insertKey(t, { teamId: teamId, createdBy: owner.userId, permissions: ['events:read', 'apps:read'] });
      const client = await insertKey(t, { teamId: teamId, createdBy: owner.userId, type: ApiKeyType.Client });
      const foreignReader = await insertKey(t, { teamId: outsider.teamId, createdBy: outsider.userId, permissions: ['audit_logs:read'] });
      const foreignNoPerm = await insertKey(t, { teamId: outsider.teamId, createdBy: outsider.userId, permissions: ['events:read'] });

      const viaKey = await get(logsUrl(teamId), reader.headers);
      const viaUser = await get(logsUrl(teamId), owner.headers);
      expect(viaKey).toEqual({ status: 200, body: viaUser.body });
      expect(viaKey.body.audit_logs).toHaveLength(2);
      expect(await get(logsUrl(teamId), noPerm.headers)).toEqual({ status: 403, body: { error: 'Missing permission: audit_logs:read' } });
      expect(await get(logsUrl(teamId), client.headers)).toEqual({ status: 403, body: { error: 'Missing permission: audit_logs:read' } });
      expect(await get(logsUrl(teamId), foreignReader.headers)).toEqual({ status: 403, body: { error: 'Not a member of this team' } });
      expect(await get(logsUrl(teamId), foreignNoPerm.headers)).toEqual({
        status: 403,
        body: { error: 'Missing permission: audit_logs:read' },
      });
    });

    it("never shows another team's entries", async () => {
      const other = await loginAs(t, 'other@example.com');
      await createTeam(t, other, 'other');
      const res = await get(logsUrl(teamId), owner.headers);
      expect(res.body.audit_logs.every((e: Entry) => e.team_id === teamId)).toBe(true);
      expect(res.body.audit_logs).toHaveLength(2);
    });
  });

  describe('what gets logged', () => {
    it('records every team, member and invitation action with its details', async () => {
      const owner = await loginAs(t, 'owner@example.com');
      const bob = await loginAs(t, 'bob@example.com');
      const carol = await loginAs(t, 'carol@example.com');
      const json = (method: 'POST' | 'PATCH' | 'DELETE', url: string, s: Session, payload?: unknown) =>
        t.app.inject({ method, url, headers: s.headers, payload: payload as never });

      const teamId = await createTeam(t, owner, 'acme', 'Acme');
      const team = `/v1/teams/${teamId}`;
      await json('PATCH', team, owner, { name: 'Acme Inc' });
      const bobInvite = await invite(t, owner, teamId, bob.email);
      await invite(t, owner, teamId, bob.email, 'admin');
      const bobToken = mailedInviteToken(t, bob.email);
      const stray = await invite(t, owner, teamId, 'stray@example.com');
      await json('DELETE', `${team}/invitations/${stray.id}`, owner);
      await json('POST', '/v1/invites/accept', bob, { token: bobToken });
      const carolInvite = await invite(t, bob, teamId, carol.email);
      await json('POST', '/v1/invites/accept', carol, { token: carolInvite.token });
      await json('PATCH', `${team}/members/${carol.userId}`, owner, { role: 'admin' });
      await json('PATCH', `${team}/members/${carol.userId}`, owner, { role: 'member' });
      const carolKey = await insertKey(t, { teamId: teamId, createdBy: carol.userId });
      await json('DELETE', `${team}/members/${carol.userId}?revoke_agent_keys=true`, bob);
      await json('DELETE', `${team}/members/${bob.userId}`, bob);

      const res = await get(logsUrl(teamId, { limit: '200' }), owner.headers);
      expect(res.status).toBe(200);
      expect(res.body.has_more).toBe(false);
      const summary = [...res.body.audit_logs]
        .reverse()
        .map((e: Entry) => [e.actor_id, e.resource_type, e.action, e.resource_id, e.metadata, e.changes]);
      const acceptedAt = (e: Entry) => (e.changes as { accepted_at: { after: string } }).accepted_at.after;
      const invitationUpdates = res.body.audit_logs
        .filter((e: Entry) => e.resource_type === 'invitation' && e.action === 'update')
        .reverse();
      const expected = [
        [owner.userId, 'team', 'create', teamId, { name: 'Acme', slug: 'acme' }, null],
        [owner.userId, 'team_member', 'create', owner.userId, { role: 'owner' }, null],
        [owner.userId, 'team', 'update', teamId, null, { name: { before: 'Acme', after: 'Acme Inc' } }],
        [owner.userId, 'invitation', 'create', bobInvite.id, { email: bob.email, role: 'member' }, null],
        [owner.userId, 'invitation', 'create', bobInvite.id, { email: bob.email, role: 'admin' }, null],
        [owner.userId, 'invitation', 'create', stray.id, { email: 'stray@example.com', role: 'member' }, null],
        [owner.userId, 'invitation', 'delete', stray.id, null, null],
        [bob.userId, 'team_member', 'create', bob.userId, { role: 'admin', via: 'invitation' }, null],
        [
          bob.userId,
          'invitation',
          'update',
          bobInvite.id,
          null,
          { accepted_at: { before: null, after: acceptedAt(invitationUpdates[0]) } },
        ],
        [bob.userId, 'invitation', 'create', carolInvite.id, { email: carol.email, role: 'member' }, null],
        [carol.userId, 'team_member', 'create', carol.userId, { role: 'member', via: 'invitation' }, null],
        [
          carol.userId,
          'invitation',
          'update',
          carolInvite.id,
          null,
          { accepted_at: { before: null, after: acceptedAt(invitationUpdates[1]) } },
        ],
        [owner.userId, 'team_member', 'update', carol.userId, null, { role: { before: 'member', after: 'admin' } }],
        [owner.userId, 'team_member', 'update', carol.userId, null, { role: { before: 'admin', after: 'member' } }],
        [bob.userId, 'team_member', 'delete', carol.userId, null, null],
        [bob.userId, 'api_key', 'delete', carolKey.id, null, null],
        [bob.userId, 'team_member', 'delete', bob.userId, { via: 'leave' }, null],
      ];
      // Entries written by one request share a timestamp, so only their set is fixed, not their order.
      expect(summary).toHaveLength(expected.length);
      expect(summary).toEqual(expect.arrayContaining(expected));
      expect(res.body.audit_logs.every((e: Entry) => e.actor_type === 'user' && e.team_id === teamId)).toBe(true);
    });
  });

  describe('filters', () => {
    let owner: Session;
    let teamId: string;
    let entries: Entry[];
    const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
    const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
    const KEY = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';

    beforeEach(async () => {
      owner = await loginAs(t, 'owner@example.com');
      teamId = await createTeam(t, owner, 'acme', 'Acme');
      entries = await insertEntries(teamId, [
        { timestamp: '2024-03-01T10:00:00.000Z', resourceType: 'app', resourceId: A, action: 'create' },
        { timestamp: '2024-03-02T10:00:00.000Z', resourceType: 'app', resourceId: A, action: 'update' },
        { timestamp: '2024-03-03T10:00:00.000Z', resourceType: 'project', resourceId: B, action: 'delete' },
        {
          timestamp: '2024-03-04T00:00:00.000Z',
          resourceType: 'project',
          resourceId: B,
          action: 'create',
          actorType: 'api_key',
          actorId: KEY,
        },
        { timestamp: '2024-03-05T10:00:00.000Z', resourceType: 'app', resourceId: B, action: 'delete', actorType: 'api_key', actorId: KEY },
      ]);
    });

    const ids = async (query: Record<string, string>) => {
      const res = await get(logsUrl(teamId, query), owner.headers);
      expect(res.status).toBe(200);
      return (res.body as Page).audit_logs.map((e) => e.id);
    };
    const pick = (...indexes: number[]) => indexes.map((i) => entries[i].id);

    it('returns the entry shape, newest first', async () => {
      const res = await get(logsUrl(teamId, { since: '2024-01-01', until: '2024-12-31' }), owner.headers);
      expect(res).toEqual({ status: 200, body: { audit_logs: newestFirst(entries), cursor: null, has_more: false } });
    });

    it('filters by resource_type, resource_id, actor_id and action', async () => {
      expect(await ids({ resource_type: 'app' })).toEqual(pick(4, 1, 0));
      expect(await ids({ resource_type: 'widget' })).toEqual([]);
      expect(await ids({ resource_id: A })).toEqual(pick(1, 0));
      expect(await ids({ resource_id: B })).toEqual(pick(4, 3, 2));
      // Free text, exact match (SPEC §2.10): another spelling or a non-id finds nothing, never a 400.
      expect(await ids({ resource_id: B.toUpperCase() })).toEqual([]);
      expect(await ids({ resource_id: 'not-a-uuid' })).toEqual([]);
      expect(await ids({ actor_id: KEY })).toEqual(pick(4, 3));
      expect(await ids({ actor_id: 'system' })).toEqual([]);
      expect(await ids({ action: 'delete' })).toEqual(pick(4, 2));
      expect(await ids({ resource_type: 'project', action: 'create', actor_id: KEY })).toEqual(pick(3));
      const team = await ids({ resource_type: 'team', resource_id: teamId, actor_id: owner.userId });
      expect(team).toHaveLength(1);
    });

    it('applies since and until as inclusive bounds, in any accepted format', async () => {
      expect(await ids({ since: '2024-03-02T10:00:00.000Z', until: '2024-03-04' })).toEqual(pick(3, 2, 1));
      expect(await ids({ since: '2024-03-02T12:00:00+02:00', until: '2024-03-03T10:00:00' })).toEqual(pick(2, 1));
      expect(await ids({ since: '2024-03-05T10:00:00.000999Z', until: '2024-12-31' })).toEqual(pick(4));
      expect(await ids({ since: '2024-03-06', until: '2024-03-01' })).toEqual([]);
    });

    it.each([
      [{ action: 'read' }, 'action must be one of create, update, delete'],
      [{ action: 'CREATE' }, 'action must be one of create, update, delete'],
      [{ since: 'yesterday' }, 'since must be a valid ISO 8601 timestamp'],
      [{ since: '2024-02-30' }, 'since must be a valid ISO 8601 timestamp'],
      [{ until: '2024-03-01 10:00:00' }, 'until must be a valid ISO 8601 timestamp'],
      [{ until: '1709287200000' }, 'until must be a valid ISO 8601 timestamp'],
      [{ since: 'bad', until: 'bad' }, 'since must be a valid ISO 8601 timestamp'],
      [{ action: 'bad', since: 'bad' }, 'action must be one of create, update, delete'],
      [{ cursor: 'garbage' }, 'Invalid cursor'],
      [{ cursor: '2024-03-01T10:00:00.000Z|not-a-uuid' }, 'Invalid cursor'],
      [{ cursor: '2024-03-01T10:00:00.000Z|' }, 'Invalid cursor'],
      [{ until: 'bad', cursor: 'garbage' }, 'until must be a valid ISO 8601 timestamp'],
    ])('answers 400 for %j', async (query, error) => {
      expect(await get(logsUrl(teamId, query), owner.headers)).toEqual({ status: 400, body: { error } });
    });

    it('refuses a repeated parameter and ignores empty ones', async () => {
      expect(await get(`/v1/teams/${teamId}/audit-logs?action=create&action=update`, owner.headers)).toEqual({
        status: 400,
        body: { error: 'action must be given only once' },
      });
      const res = await get(`/v1/teams/${teamId}/audit-logs?action=&since=&resource_type=app&cursor=`, owner.headers);
      expect(res.body.audit_logs.map((e: Entry) => e.id)).toEqual(pick(4, 1, 0));
    });
  });

  describe('paging', () => {
    let owner: Session;
    let teamId: string;

    beforeEach(async () => {
      owner = await loginAs(t, 'owner@example.com');
      teamId = await createTeam(t, owner, 'acme', 'Acme');
    });

    const page = async (query: Record<string, string>) => {
      const res = await get(logsUrl(teamId, { resource_type: 'paging', ...query }), owner.headers);
      expect(res.status).toBe(200);
      return res.body as Page;
    };

    async function pageThrough(limit: number, extra: Record<string, string> = {}): Promise<{ seen: Entry[]; pages: number }> {
      const seen: Entry[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const p: Page = await page({ limit: String(limit), ...extra, ...(cursor ? { cursor } : {}) });
        pages++;
        seen.push(...p.audit_logs);
        expect(p.has_more).toBe(p.cursor !== null);
        if (p.has_more) expect(p.audit_logs).toHaveLength(limit);
        cursor = p.cursor;
      } while (cursor && pages < 50);
      return { seen, pages };
    }

    it('visits every entry exactly once with any limit, even when many share a timestamp (B5)', async () => {
      const same = '2024-05-01T12:00:00.000Z';
      const entries = await insertEntries(teamId, [
        { timestamp: '2024-05-01T12:00:00.001Z' },
        ...Array.from({ length: 7 }, () => ({ timestamp: same })),
        { timestamp: '2024-05-01T11:59:59.999Z' },
        { timestamp: '2024-04-01T00:00:00.000Z' },
      ]);
      const expected = newestFirst(entries);
      for (const limit of [1, 2, 3, 4, 7, 10, 11]) {
        const { seen, pages } = await pageThrough(limit);
        expect([limit, seen]).toEqual([limit, expected]);
        expect(pages).toBe(Math.max(1, Math.ceil(entries.length / limit)));
      }
    });

    it('hands out an opaque "<timestamp>|<id>" cursor of the last item returned', async () => {
      const entries = newestFirst(
        await insertEntries(
          teamId,
          Array.from({ length: 3 }, () => ({ timestamp: '2024-05-01T12:00:00.000Z' })),
        ),
      );
      const first = await page({ limit: '2' });
      expect(first).toEqual({ audit_logs: entries.slice(0, 2), cursor: `2024-05-01T12:00:00.000Z|${entries[1].id}`, has_more: true });
      expect(await page({ limit: '2', cursor: first.cursor! })).toEqual({ audit_logs: entries.slice(2), cursor: null, has_more: false });
    });

    it('keeps filters applied on every page', async () => {
      const entries = await insertEntries(teamId, [
        ...Array.from({ length: 4 }, () => ({ timestamp: '2024-05-01T12:00:00.000Z', action: 'update' })),
        ...Array.from({ length: 4 }, () => ({ timestamp: '2024-05-01T12:00:00.000Z', action: 'delete' })),
      ]);
      const { seen } = await pageThrough(3, { action: 'update' });
      expect(seen).toEqual(newestFirst(entries.filter((e) => e.action === 'update')));
    });

    it('is not disturbed by entries written between pages', async () => {
      const entries = await insertEntries(
        teamId,
        Array.from({ length: 6 }, (_, i) => ({ timestamp: `2024-05-01T12:00:0${i}.000Z` })),
      );
      const first = await page({ limit: '3' });
      await insertEntries(teamId, [{ timestamp: '2024-06-01T00:00:00.000Z' }, { timestamp: '2024-05-01T12:00:05.000Z' }]);
      const second = await page({ limit: '3', cursor: first.cursor! });
      expect([...first.audit_logs, ...second.audit_logs]).toEqual(newestFirst(entries));
      expect(second.has_more).toBe(false);
    });

    it('accepts a bare timestamp cursor as "strictly older than"', async () => {
      const entries = await insertEntries(teamId, [
        { timestamp: '2024-05-01T12:00:00.000Z' },
        { timestamp: '2024-05-01T12:00:00.000Z' },
        { timestamp: '2024-05-01T11:00:00.000Z' },
      ]);
      expect((await page({ cursor: '2024-05-01T12:00:00.000Z' })).audit_logs).toEqual([entries[2]]);
      expect((await page({ cursor: '2024-05-01' })).audit_logs).toEqual([]);
    });

    it('reads limit leniently: floored and clamped to 1–200, default 50', async () => {
      await t.ds.query(
        `INSERT INTO audit_logs (team_id, actor_type, actor_id, action, resource_type, resource_id, "timestamp")
         SELECT $1, 'user', 'x', 'create', 'paging', 'y', timestamp '2024-01-01' + (n || ' seconds')::interval
           FROM generate_series(1, 205) AS n`,
        [teamId],
      );
      const count = async (limit?: string) => (await page(limit === undefined ? {} : { limit })).audit_logs.length;
      expect(await count()).toBe(50);
      expect(await count('0')).toBe(50);
      expect(await count('3abc')).toBe(50);
      expect(await count('0.5')).toBe(50);
      expect(await count('2.9')).toBe(2);
      expect(await count('-3')).toBe(1);
      expect(await count('1e9')).toBe(200);
      expect(await count('201')).toBe(200);
      const { seen } = await pageThrough(200);
      expect(seen).toHaveLength(205);
    });
  });
});
