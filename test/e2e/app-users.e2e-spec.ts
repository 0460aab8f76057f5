import { AppUsersService } from '../../src/modules/apps/app-users.service';
import { Session, bearer, postKey, loginAs } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';
import { AppBody, addMember, postApp, postProject } from '../utils/project-fixtures';

const MISSING_ID = '00000000-0000-4000-8000-000000000001';

interface Seed {
  user_id: string;
  last_seen_at: string;
  first_seen_at?: string;
  is_anonymous?: boolean;
  claimed_from?: string[] | null;
  id?: string;
}

interface AppUserBody {
  id: string;
  app_id: string;
  user_id: string;
  is_anonymous: boolean;
  claimed_from: string[] | null;
  first_seen_at: string;
  last_seen_at: string;
}

describe('app users', () => {
  const t = useTestApp();
  let ada: Session;
  let app: AppBody;

  beforeEach(async () => {
    await t.reset();
    ada = await loginAs(t, 'ada@example.com');
    app = await postApp(t, ada, (await postProject(t, ada)).id);
  });

  /** Inserts app_users rows directly (ingest fills them in production) and returns them in wire shape. */
  async function seed(appId: string, rows: Seed[]): Promise<AppUserBody[]> {
    const out: AppUserBody[] = [];
    for (const r of rows) {
      const first = r.first_seen_at ?? r.last_seen_at;
      const [row]: { id: string }[] = await t.ds.query(
        `INSERT INTO app_users (id, app_id, user_id, is_anonymous, claimed_from, first_seen_at, last_seen_at)
         VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4, $5::jsonb, $6, $7) RETURNING id`,
        [
          r.id ?? null,
          appId,
          r.user_id,
          r.is_anonymous ?? false,
          r.claimed_from ? JSON.stringify(r.claimed_from) : null,
          first,
          r.last_seen_at,
        ],
      );
      out.push({
        id: row.id,
        app_id: appId,
        user_id: r.user_id,
        is_anonymous: r.is_anonymous ?? false,
        claimed_from: r.claimed_from ?? null,
        first_seen_at: new Date(first).toISOString(),
        last_seen_at: new Date(r.last_seen_at).toISOString(),
      });
    }
    return out;
  }

  const list = (query = '', headers: Record<string, string> = ada.headers, appId = app.id) =>
    t.app.inject({ method: 'GET', url: `/v1/apps/${appId}/users${query}`, headers });

  describe('GET /v1/apps/:id/users', () => {
    it('answers an empty page for an app without users', async () => {
      const res = await list();
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ users: [], cursor: null, has_more: false });
    });

    it('lists users newest first with every field', async () => {
      const [old, anon, recent] = await seed(app.id, [
        {
          user_id: 'user-1',
          first_seen_at: '2024-02-10T08:00:00.000Z',
          last_seen_at: '2024-03-01T00:00:00.000Z',
          claimed_from: ['owl_anon_a', 'owl_anon_b'],
        },
        { user_id: 'owl_anon_x', is_anonymous: true, last_seen_at: '2024-03-02T00:00:00.000Z' },
        { user_id: 'user-2', first_seen_at: '2024-01-01T00:00:00.001Z', last_seen_at: '2024-03-08T14:22:06.010Z' },
      ]);
      const other = await postApp(t, ada, app.project_id);
      await seed(other.id, [{ user_id: 'elsewhere', last_seen_at: '2024-03-09T00:00:00.000Z' }]);

      const res = await list();
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ users: [recent, anon, old], cursor: null, has_more: false });
      expect(recent).toEqual({
        id: expect.any(String),
        app_id: app.id,
        user_id: 'user-2',
        is_anonymous: false,
        claimed_from: null,
        first_seen_at: '2024-01-01T00:00:00.001Z',
        last_seen_at: '2024-03-08T14:22:06.010Z',
      });
    });

    it('searches user ids case-insensitively, matching %, _ and \\ literally', async () => {
      const users = await seed(app.id, [
        { user_id: 'Alice@Example.com', last_seen_at: '2024-03-01T00:00:01Z' },
        { user_id: 'bob', last_seen_at: '2024-03-01T00:00:02Z' },
        { user_id: '100%_sure', last_seen_at: '2024-03-01T00:00:03Z' },
        { user_id: '100x-sure', last_seen_at: '2024-03-01T00:00:04Z' },
        { user_id: 'back\\slash', last_seen_at: '2024-03-01T00:00:05Z' },
        { user_id: 'backslash', last_seen_at: '2024-03-01T00:00:06Z' },
      ]);
      const byName = Object.fromEntries(users.map((u) => [u.user_id, u]));
      const search = async (term: string) =>
        (await list(`?search=${encodeURIComponent(term)}`)).json().users.map((u: AppUserBody) => u.user_id);

      expect(await search('ALICE')).toEqual(['Alice@Example.com']);
      expect(await search('example.COM')).toEqual(['Alice@Example.com']);
      expect(await search('%')).toEqual(['100%_sure']);
      expect(await search('0%_')).toEqual(['100%_sure']);
      expect(await search('_')).toEqual(['100%_sure']);
      expect(await search('\\')).toEqual(['back\\slash']);
      expect(await search('k\\s')).toEqual(['back\\slash']);
      expect(await search('sure')).toEqual(['100x-sure', '100%_sure']);
      expect(await search('nobody')).toEqual([]);
      expect(await search('\u0000')).toEqual([]);
      expect((await list('?search=bob')).json()).toEqual({ users: [byName.bob], cursor: null, has_more: false });
    });

    it('filters by is_anonymous', async () => {
      const [anon, known] = await seed(app.id, [
        { user_id: 'owl_anon_1', is_anonymous: true, last_seen_at: '2024-03-01T00:00:00Z' },
        { user_id: 'known', last_seen_at: '2024-03-02T00:00:00Z' },
      ]);
      expect((await list('?is_anonymous=true')).json()).toEqual({ users: [anon], cursor: null, has_more: false });
      expect((await list('?is_anonymous=false')).json()).toEqual({ users: [known], cursor: null, has_more: false });
      expect((await list('?is_anonymous=false&search=OWL')).json()).toEqual({ users: [], cursor: null, has_more: false });
      expect((await list('?is_anonymous=')).json()).toEqual({ users: [known, anon], cursor: null, has_more: false });
    });

    it.each(['yes', '1', 'TRUE', 'False'])('answers 400 for is_anonymous=%s', async (value) => {
      const res = await list(`?is_anonymous=${value}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'is_anonymous must be true or false' });
    });

    it('answers 400 for a repeated parameter', async () => {
      const res = await list('?search=a&search=b');
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'search must be given only once' });
    });

    it('pages through users sharing one timestamp exactly once, newest first', async () => {
      const same = '2024-03-05T12:00:00.000Z';
      const seeded = await seed(app.id, [
        ...Array.from({ length: 5 }, (_, i) => ({ user_id: `same-${i}`, last_seen_at: same })),
        { user_id: 'newer', last_seen_at: '2024-03-06T00:00:00.000Z' },
        { user_id: 'older', last_seen_at: '2024-03-04T00:00:00.000Z' },
      ]);
      const byId = (a: AppUserBody, b: AppUserBody) => (a.id < b.id ? 1 : -1);
      const expected = [seeded[5], ...seeded.slice(0, 5).sort(byId), seeded[6]];

      const seen: AppUserBody[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await list(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.statusCode).toBe(200);
        const page = res.json();
        seen.push(...page.users);
        pages++;
        expect(page.has_more).toBe(page.cursor !== null);
        if (page.has_more) {
          const last = page.users[page.users.length - 1];
          expect(page.cursor).toBe(`${last.last_seen_at}|${last.id}`);
        }
        cursor = page.cursor;
      } while (cursor && pages < 10);
      expect(pages).toBe(4);
      expect(seen).toEqual(expected);
    });

    it('returns has_more=false with a null cursor when the page holds exactly the rest', async () => {
      const rows = await seed(app.id, [
        { user_id: 'a', last_seen_at: '2024-03-01T00:00:00Z' },
        { user_id: 'b', last_seen_at: '2024-03-02T00:00:00Z' },
      ]);
      expect((await list('?limit=2')).json()).toEqual({ users: [rows[1], rows[0]], cursor: null, has_more: false });
      const first = (await list('?limit=1')).json();
      expect(first).toEqual({ users: [rows[1]], cursor: `${rows[1].last_seen_at}|${rows[1].id}`, has_more: true });
    });

    it('accepts a bare timestamp cursor as "strictly older than"', async () => {
      const rows = await seed(app.id, [
        { user_id: 'a', last_seen_at: '2024-03-01T00:00:00.000Z' },
        { user_id: 'b', last_seen_at: '2024-03-02T00:00:00.000Z' },
        { user_id: 'c', last_seen_at: '2024-03-03T00:00:00.000Z' },
      ]);
      expect((await list('?cursor=2024-03-02T00:00:00.000Z')).json()).toEqual({ users: [rows[0]], cursor: null, has_more: false });
      expect((await list('?cursor=2024-03-03')).json()).toEqual({ users: [rows[1], rows[0]], cursor: null, has_more: false });
    });

    it('clamps limit instead of rejecting it', async () => {
      await seed(
        app.id,
        Array.from({ length: 55 }, (_, i) => ({ user_id: `u${i}`, last_seen_at: new Date(Date.UTC(2024, 2, 1, 0, i)).toISOString() })),
      );
      const count = async (q: string) => (await list(q)).json().users.length;
      expect(await count('?limit=0')).toBe(50);
      expect(await count('?limit=abc')).toBe(50);
      expect(await count('?limit=-4')).toBe(1);
      expect(await count('?limit=2.9')).toBe(2);
      expect(await count('?limit=1e9')).toBe(55);
      expect(await count('')).toBe(50);
    });

    it.each(['garbage', '2024-13-01', `2024-03-01T00:00:00.000Z|not-a-uuid`, `x|${MISSING_ID}`, `2024-03-01|${MISSING_ID}|x`])(
      'answers 400 "Invalid cursor" for %p',
      async (cursor) => {
        const res = await list(`?cursor=${encodeURIComponent(cursor)}`);
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual({ error: 'Invalid cursor' });
      },
    );

    it('looks the app up before checking the cursor', async () => {
      const res = await list('?cursor=garbage', ada.headers, MISSING_ID);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'App not found' });
    });

    it('answers 404 for unknown, malformed, deleted and foreign apps', async () => {
      const gone = await postApp(t, ada, app.project_id);
      await t.app.inject({ method: 'DELETE', url: `/v1/apps/${gone.id}`, headers: ada.headers });
      const bob = await loginAs(t, 'bob@example.com');
      for (const [id, headers] of [
        [MISSING_ID, ada.headers],
        ['nope', ada.headers],
        [gone.id, ada.headers],
        [app.id, bob.headers],
      ] as const) {
        const res = await list('', headers, id);
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: 'App not found' });
      }
    });

    it('lets members and agent keys with apps:read list, and refuses other keys', async () => {
      const [row] = await seed(app.id, [{ user_id: 'u', last_seen_at: '2024-03-01T00:00:00Z' }]);
      const member = await loginAs(t, 'member@example.com');
      await addMember(t, ada.teamId, member, 'member');
      expect((await list('', member.headers)).json()).toEqual({ users: [row], cursor: null, has_more: false });

      const reader = await postKey(t, ada, { key_type: 'agent', permissions: ['apps:read'] });
      expect((await list('', bearer(reader.key))).json()).toEqual({ users: [row], cursor: null, has_more: false });

      const noApps = await postKey(t, ada, { key_type: 'agent', permissions: ['events:read'] });
      for (const key of [noApps.key, app.client_key]) {
        const res = await list('?cursor=garbage', bearer(key));
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ error: 'Missing permission: apps:read' });
      }
    });
  });

  describe('app users written by ingest, merged by identity claim', () => {
    const rowsOf = async (appId: string): Promise<AppUserBody[]> => (await list('?limit=200', ada.headers, appId)).json().users;

    const ingestUsers = (userIds: string[]) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        headers: bearer(app.client_key),
        payload: {
          bundle_id: 'com.example.app',
          events: userIds.map((user_id) => ({ user_id, level: 'info', message: 'm', session_id: '00000000-0000-4000-8000-000000000001' })),
        },
      });

    it('ingest creates each distinct user once and then only moves last_seen_at', async () => {
      expect((await ingestUsers(['user-1', 'owl_anon_abc', 'user-1'])).json()).toEqual({ accepted: 3, rejected: 0 });
      const first = Object.fromEntries((await rowsOf(app.id)).map((r) => [r.user_id, r]));
      await new Promise((r) => setTimeout(r, 5));
      expect((await ingestUsers(['user-1', 'user-2'])).json()).toEqual({ accepted: 2, rejected: 0 });

      const rows = await rowsOf(app.id);
      const byUser = Object.fromEntries(rows.map((r) => [r.user_id, r]));
      expect(rows.map((r) => r.user_id).sort()).toEqual(['owl_anon_abc', 'user-1', 'user-2']);
      expect(byUser['user-1']).toEqual({
        id: first['user-1'].id,
        app_id: app.id,
        user_id: 'user-1',
        is_anonymous: false,
        claimed_from: null,
        first_seen_at: first['user-1'].first_seen_at,
        last_seen_at: expect.any(String),
      });
      expect(Date.parse(byUser['user-1'].last_seen_at)).toBeGreaterThan(Date.parse(first['user-1'].last_seen_at));
      expect(byUser.owl_anon_abc).toEqual({ ...first.owl_anon_abc, is_anonymous: true });
      expect(byUser['user-2'].first_seen_at).toBe(byUser['user-2'].last_seen_at);
    });

    it('concurrent overlapping ingest batches record every user without deadlocks', async () => {
      const ids = Array.from({ length: 40 }, (_, i) => `user-${i}`);
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => ingestUsers(i % 2 ? ids : [...ids].reverse())));
      expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(await rowsOf(app.id)).toHaveLength(40);
    });

    it('mergeClaim folds the anonymous row into an existing user row', async () => {
      const svc = t.app.get(AppUsersService);
      const [known] = await seed(app.id, [
        {
          user_id: 'user-456',
          first_seen_at: '2024-03-01T00:00:00.000Z',
          last_seen_at: '2024-03-05T00:00:00.000Z',
          claimed_from: ['owl_anon_old'],
        },
        {
          user_id: 'owl_anon_new',
          is_anonymous: true,
          first_seen_at: '2024-02-10T08:00:00.000Z',
          last_seen_at: '2024-03-04T00:00:00.000Z',
        },
      ]);
      expect(await t.ds.transaction((m) => svc.hasClaimed(app.id, 'user-456', 'owl_anon_new', m))).toBe(false);

      await t.ds.transaction((m) => svc.mergeClaim(app.id, 'owl_anon_new', 'user-456', m));

      expect(await rowsOf(app.id)).toEqual([
        { ...known, claimed_from: ['owl_anon_old', 'owl_anon_new'], first_seen_at: '2024-02-10T08:00:00.000Z' },
      ]);
      expect(await t.ds.transaction((m) => svc.hasClaimed(app.id, 'user-456', 'owl_anon_new', m))).toBe(true);
      expect(await t.ds.transaction((m) => svc.hasClaimed(app.id, 'user-456', 'owl_anon_other', m))).toBe(false);
    });

    it('mergeClaim keeps the earlier first_seen_at and adds a claim without an anonymous row', async () => {
      const svc = t.app.get(AppUsersService);
      const [known] = await seed(app.id, [
        { user_id: 'user-1', first_seen_at: '2024-01-01T00:00:00.000Z', last_seen_at: '2024-03-05T00:00:00.000Z' },
      ]);
      await t.ds.transaction((m) => svc.mergeClaim(app.id, 'owl_anon_z', 'user-1', m));
      expect(await rowsOf(app.id)).toEqual([{ ...known, claimed_from: ['owl_anon_z'] }]);
    });

    it('mergeClaim converts an anonymous row in place when the user has none', async () => {
      const svc = t.app.get(AppUsersService);
      const [anon] = await seed(app.id, [{ user_id: 'owl_anon_q', is_anonymous: true, last_seen_at: '2024-03-01T00:00:00.000Z' }]);
      await t.ds.transaction((m) => svc.mergeClaim(app.id, 'owl_anon_q', 'user-9', m));
      expect(await rowsOf(app.id)).toEqual([{ ...anon, user_id: 'user-9', is_anonymous: false, claimed_from: ['owl_anon_q'] }]);
    });

    it('mergeClaim changes nothing when neither row exists, and stays inside the app', async () => {
      const svc = t.app.get(AppUsersService);
      const other = await postApp(t, ada, app.project_id);
      const [elsewhere] = await seed(other.id, [{ user_id: 'owl_anon_q', is_anonymous: true, last_seen_at: '2024-03-01T00:00:00.000Z' }]);
      await t.ds.transaction((m) => svc.mergeClaim(app.id, 'owl_anon_q', 'user-9', m));
      expect(await rowsOf(app.id)).toEqual([]);
      expect(await rowsOf(other.id)).toEqual([elsewhere]);
    });
  });
});
