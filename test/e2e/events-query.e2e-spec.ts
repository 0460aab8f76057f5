import { randomUUID } from 'node:crypto';
import { Permission } from '../../src/common/auth/permission';
import { EventsMaintenanceService } from '../../src/modules/events/events-maintenance.service';
import { EventsRepository } from '../../src/modules/events/events.repository';
import { partitionsAround } from '../../src/modules/events/event-partitions';
import { AppFixture, insertApp, insertProject, softDeleteAppOnly } from '../factories/apps.factory';
import { RawEvent, anEvent, ingestOk, listEvents } from '../factories/events.factory';
import { Session, loginAs } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';
import { KeyFixture, insertKey } from '../factories/keys.factory';

const HOUR_MS = 60 * 60_000;
const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';
const S3 = '33333333-3333-4333-8333-333333333333';
const EMPTY = { events: [], cursor: null, has_more: false };

describe('GET /v1/events and /v1/events/:id', () => {
  const t = useTestApp();

  const messages = (res: { json(): { events: { message: string }[] } }): string[] => res.json().events.map((e) => e.message);

  describe('filters, scope and visibility', () => {
    let owner: Session;
    let stranger: Session;
    let projectA: string;
    let app1: AppFixture; // apple, project A
    let app2: AppFixture; // backend, its own project
    let app3: AppFixture; // apple, project A
    let foreign: AppFixture; // stranger's team
    let agent: KeyFixture;
    const base = Math.floor((Date.now() - 24 * HOUR_MS) / 1000) * 1000;
    const at = (hours: number): string => new Date(base + hours * HOUR_MS).toISOString();

    beforeAll(async () => {
      await t.reset();
      owner = await loginAs(t, 'owner@example.com');
      stranger = await loginAs(t, 'stranger@example.com');
      projectA = await insertProject(t, owner.teamId, 'A');
      app1 = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'apple', projectId: projectA });
      app2 = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
      app3 = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'apple', projectId: projectA });
      foreign = await insertApp(t, { teamId: stranger.teamId, createdBy: stranger.userId, platform: 'apple' });
      agent = await insertKey(t, { teamId: owner.teamId, createdBy: owner.userId, permissions: [Permission.EventsRead] });
      const ev = (message: string, over: RawEvent): RawEvent => anEvent({ message, ...over });
      await ingestOk(t, app1, [
        ev('e1', { level: 'info', user_id: 'u1', session_id: S1, environment: 'ios', screen_name: 'Home', timestamp: at(1) }),
        ev('e2', { level: 'error', user_id: 'u2', session_id: S2, environment: 'ipados', screen_name: 'Cart', timestamp: at(2) }),
        ev('e3', {
          level: 'debug',
          user_id: 'u1',
          session_id: S1,
          environment: 'macos',
          screen_name: 'Cart',
          is_dev: true,
          timestamp: at(3),
        }),
      ]);
      await ingestOk(t, app2, [ev('e4', { level: 'warn', user_id: 'u3', session_id: S3, environment: 'backend', timestamp: at(4) })]);
      await ingestOk(t, app3, [ev('e5', { level: 'info', user_id: 'u1', session_id: S2, environment: 'ios', timestamp: at(5) })]);
      await ingestOk(t, foreign, [ev('e6', { level: 'info', user_id: 'u1', session_id: S1, environment: 'ios', timestamp: at(6) })]);
    });

    it("lists production events of every app of the caller's teams, newest first", async () => {
      const res = await listEvents(t, owner.headers);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ events: expect.any(Array), cursor: null, has_more: false });
      expect(messages(res)).toEqual(['e5', 'e4', 'e2', 'e1']);
      expect(res.json().events[0]).toEqual({
        id: expect.any(String),
        app_id: app3.id,
        client_event_id: null,
        session_id: S2,
        user_id: 'u1',
        api_key_id: app3.clientKeyId,
        level: 'info',
        source_module: null,
        message: 'e5',
        screen_name: null,
        custom_attributes: null,
        environment: 'ios',
        os_version: null,
        app_version: null,
        build_number: null,
        device_model: null,
        locale: null,
        is_dev: false,
        experiments: null,
        timestamp: at(5),
        received_at: expect.any(String),
      });
    });

    it('data_mode: production (default), development, all', async () => {
      expect(messages(await listEvents(t, owner.headers, { data_mode: 'production' }))).toEqual(['e5', 'e4', 'e2', 'e1']);
      expect(messages(await listEvents(t, owner.headers, { data_mode: 'development' }))).toEqual(['e3']);
      expect(messages(await listEvents(t, owner.headers, { data_mode: 'all' }))).toEqual(['e5', 'e4', 'e3', 'e2', 'e1']);
    });

    it.each<[string, Record<string, string>, string[]]>([
      ['level', { level: 'error' }, ['e2']],
      ['level debug (dev event)', { level: 'debug' }, ['e3']],
      ['user_id', { user_id: 'u1' }, ['e5', 'e3', 'e1']],
      ['user_id is exact', { user_id: 'U1' }, []],
      ['session_id', { session_id: S2 }, ['e5', 'e2']],
      ['session_id in upper case', { session_id: S2.toUpperCase() }, ['e5', 'e2']],
      ['environment', { environment: 'ios' }, ['e5', 'e1']],
      ['environment backend', { environment: 'backend' }, ['e4']],
      ['screen_name', { screen_name: 'Cart' }, ['e3', 'e2']],
      ['since (inclusive)', { since: '__at2' }, ['e5', 'e4', 'e3', 'e2']],
      ['until (inclusive)', { until: '__at3' }, ['e3', 'e2', 'e1']],
      ['since and until', { since: '__at2', until: '__at4' }, ['e4', 'e3', 'e2']],
      ['app_id', { app_id: '__app1' }, ['e3', 'e2', 'e1']],
      ['app_id in upper case', { app_id: '__APP1' }, ['e3', 'e2', 'e1']],
      ['project_id', { project_id: '__projectA' }, ['e5', 'e3', 'e2', 'e1']],
      ['app_id wins over project_id', { app_id: '__app2', project_id: '__projectA' }, ['e4']],
      ['team_id', { team_id: '__team' }, ['e5', 'e4', 'e3', 'e2', 'e1']],
      ['several filters are ANDed', { user_id: 'u1', environment: 'ios', project_id: '__projectA' }, ['e5', 'e1']],
    ])('filter: %s', async (_label, query, expected) => {
      const resolved: Record<string, string> = { data_mode: 'all' };
      for (const [k, v] of Object.entries(query)) {
        resolved[k] =
          (
            {
              __at2: at(2),
              __at3: at(3),
              __at4: at(4),
              __app1: app1.id,
              __APP1: app1.id.toUpperCase(),
              __app2: app2.id,
              __projectA: projectA,
              __team: owner.teamId,
            } as Record<string, string>
          )[v] ?? v;
      }
      const res = await listEvents(t, owner.headers, resolved);
      expect(res.statusCode).toBe(200);
      expect(messages(res)).toEqual(expected);
    });

    it('since/until accept every §1.3 form', async () => {
      const day = at(0).slice(0, 10);
      const offset = new Date(base + 2 * HOUR_MS + HOUR_MS).toISOString().replace('Z', '+01:00');
      expect(messages(await listEvents(t, owner.headers, { data_mode: 'all', since: offset, until: at(4).replace('.000Z', '') }))).toEqual([
        'e4',
        'e3',
        'e2',
      ]);
      const res = await listEvents(t, owner.headers, { data_mode: 'all', since: day });
      expect(res.statusCode).toBe(200);
    });

    it("filters pointing outside the caller's teams give an empty page", async () => {
      for (const query of <Record<string, string>[]>[
        { team_id: stranger.teamId },
        { app_id: foreign.id },
        { project_id: foreign.projectId },
        { team_id: randomUUID() },
        { app_id: randomUUID() },
        { project_id: randomUUID() },
        { team_id: stranger.teamId, app_id: app1.id },
        { team_id: owner.teamId, app_id: foreign.id },
      ]) {
        const res = await listEvents(t, owner.headers, { ...query, data_mode: 'all' });
        expect([query, res.statusCode, res.json()]).toEqual([query, 200, EMPTY]);
      }
    });

    it('each user sees only their own teams', async () => {
      expect(messages(await listEvents(t, stranger.headers))).toEqual(['e6']);
      const newcomer = await loginAs(t, 'newcomer@example.com');
      const res = await listEvents(t, newcomer.headers);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(EMPTY);
    });

    it('agent keys with events:read see their team only; other keys get 403', async () => {
      expect(messages(await listEvents(t, agent.headers, { data_mode: 'all' }))).toEqual(['e5', 'e4', 'e3', 'e2', 'e1']);
      expect((await listEvents(t, agent.headers, { team_id: stranger.teamId })).json()).toEqual(EMPTY);
      expect((await listEvents(t, agent.headers, { app_id: foreign.id })).json()).toEqual(EMPTY);
      const client = await listEvents(t, app1.headers);
      expect(client.statusCode).toBe(403);
      expect(client.json()).toEqual({ error: 'Missing permission: events:read' });
      const noRead = await insertKey(t, { teamId: owner.teamId, createdBy: owner.userId, permissions: [Permission.AppsRead] });
      const denied = await listEvents(t, noRead.headers);
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toEqual({ error: 'Missing permission: events:read' });
      const none = await listEvents(t, {});
      expect(none.statusCode).toBe(401);
      expect(none.json()).toEqual({ error: 'Missing authorization' });
    });

    it('GET /v1/events/:id returns the event to anyone who can see its team (no data_mode filter)', async () => {
      const all = (await listEvents(t, owner.headers, { data_mode: 'all' })).json().events as { id: string; message: string }[];
      const e3 = all.find((e) => e.message === 'e3')!;
      for (const headers of [owner.headers, agent.headers]) {
        const res = await t.app.inject({ method: 'GET', url: `/v1/events/${e3.id}`, headers });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual(e3);
      }
      const upper = await t.app.inject({ method: 'GET', url: `/v1/events/${e3.id.toUpperCase()}`, headers: owner.headers });
      expect(upper.json()).toEqual(e3);
      const client = await t.app.inject({ method: 'GET', url: `/v1/events/${e3.id}`, headers: app1.headers });
      expect(client.statusCode).toBe(403);
      expect(client.json()).toEqual({ error: 'Missing permission: events:read' });
    });

    it("GET /v1/events/:id → 404 for unknown, malformed and other teams' events", async () => {
      const foreignEvent = (await listEvents(t, stranger.headers)).json().events[0] as { id: string };
      for (const [id, headers] of [
        [randomUUID(), owner.headers],
        ['not-a-uuid', owner.headers],
        ['00000000-0000-0000-0000-00000000000g', owner.headers],
        [foreignEvent.id, owner.headers],
        [foreignEvent.id, agent.headers],
      ] as const) {
        const res = await t.app.inject({ method: 'GET', url: `/v1/events/${id}`, headers });
        expect([id, res.statusCode, res.json()]).toEqual([id, 404, { error: 'Event not found' }]);
      }
    });

    it('events of a deleted app disappear from lists and lookups', async () => {
      const ghost = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
      await ingestOk(t, ghost, [anEvent({ message: 'ghost', timestamp: at(7) })]);
      const [ghostEvent] = (await listEvents(t, owner.headers, { app_id: ghost.id })).json().events as { id: string }[];
      await softDeleteAppOnly(t, ghost.id);
      expect(messages(await listEvents(t, owner.headers))).toEqual(['e5', 'e4', 'e2', 'e1']);
      expect((await listEvents(t, owner.headers, { app_id: ghost.id })).json()).toEqual(EMPTY);
      expect((await listEvents(t, owner.headers, { project_id: ghost.projectId })).json()).toEqual(EMPTY);
      const res = await t.app.inject({ method: 'GET', url: `/v1/events/${ghostEvent.id}`, headers: owner.headers });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'Event not found' });
    });

    it.each<[Record<string, string>, string]>([
      [{ team_id: 'abc' }, 'team_id must be a valid UUID'],
      [{ app_id: '123' }, 'app_id must be a valid UUID'],
      [{ project_id: 'x'.repeat(1000) }, 'project_id must be a valid UUID'],
      [{ session_id: 'not-a-session' }, 'session_id must be a valid UUID'],
      [{ level: 'fatal' }, 'level must be one of info, debug, warn, error'],
      [{ level: 'INFO' }, 'level must be one of info, debug, warn, error'],
      [{ environment: 'linux' }, 'environment must be one of ios, ipados, macos, android, web, backend'],
      [{ since: 'yesterday' }, 'since must be a valid ISO 8601 timestamp'],
      [{ since: '2024-02-30' }, 'since must be a valid ISO 8601 timestamp'],
      [{ until: '1709900000000' }, 'until must be a valid ISO 8601 timestamp'],
      [{ data_mode: 'prod' }, 'data_mode must be one of production, development, all'],
      [{ cursor: 'garbage' }, 'Invalid cursor'],
      [{ cursor: '2024-03-08T14:21:59.120Z|not-a-uuid' }, 'Invalid cursor'],
      [{ cursor: '2024-03-08T14:21:59.120Z|0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f|x' }, 'Invalid cursor'],
      [{ cursor: '|0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f' }, 'Invalid cursor'],
      [{ level: 'nope', team_id: 'bad' }, 'team_id must be a valid UUID'],
      [{ cursor: 'garbage', data_mode: 'x' }, 'data_mode must be one of production, development, all'],
    ])('400 for %p', async (query, error) => {
      const res = await listEvents(t, owner.headers, query);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error });
    });

    it('400 for a repeated parameter; empty values count as absent', async () => {
      const twice = await t.app.inject({ method: 'GET', url: '/v1/events?level=info&level=warn', headers: owner.headers });
      expect(twice.statusCode).toBe(400);
      expect(twice.json()).toEqual({ error: 'level must be given only once' });
      const empty = await t.app.inject({ method: 'GET', url: '/v1/events?level=&app_id=&cursor=&since=', headers: owner.headers });
      expect(empty.statusCode).toBe(200);
      expect(messages(empty)).toEqual(['e5', 'e4', 'e2', 'e1']);
    });

    it('hostile filter values never reach a 5xx', async () => {
      for (const query of <Record<string, string>[]>[
        { user_id: '\u0000' },
        { screen_name: 'a\u0000b' },
        { user_id: 'x'.repeat(100_000) },
        { user_id: "' OR 1=1 --" },
        { screen_name: '%' },
        { limit: '-1e309' },
      ]) {
        const res = await listEvents(t, owner.headers, query);
        expect(res.statusCode).toBe(200);
        expect(res.json().events.filter((e: { message: string }) => !['e1', 'e2', 'e4', 'e5'].includes(e.message))).toEqual([]);
      }
      const raw = await t.app.inject({ method: 'GET', url: '/v1/events?user_id=%00&screen_name=%ff%fe', headers: owner.headers });
      expect(raw.statusCode).toBe(200);
      expect(raw.json()).toEqual(EMPTY);
      const proto = await t.app.inject({ method: 'GET', url: '/v1/events?__proto__=x&constructor=y&toString=z', headers: owner.headers });
      expect(proto.statusCode).toBe(200);
      expect(messages(proto)).toEqual(['e5', 'e4', 'e2', 'e1']);
      const longId = await t.app.inject({ method: 'GET', url: `/v1/events/${'a'.repeat(5000)}`, headers: owner.headers });
      expect(longId.statusCode).toBe(404);
      expect(longId.json()).toEqual({ error: 'Event not found' });
      const weird = await t.app.inject({ method: 'GET', url: '/v1/events?app_id[]=1&team_id=%', headers: owner.headers });
      expect(weird.statusCode).toBe(400);
      expect(weird.json()).toEqual({ error: 'team_id must be a valid UUID' });
      const health = await t.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
    });
  });

  describe('pagination (B5)', () => {
    let owner: Session;
    let app: AppFixture;

    beforeEach(async () => {
      await t.reset();
      owner = await loginAs(t, 'pager@example.com');
      app = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
    });

    async function pageThrough(query: Record<string, string>): Promise<{ pages: { n: number; has_more: boolean }[]; ids: string[] }> {
      const pages: { n: number; has_more: boolean }[] = [];
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await listEvents(t, owner.headers, cursor ? { ...query, cursor } : query);
        expect(res.statusCode).toBe(200);
        const body = res.json<{ events: { id: string }[]; cursor: string | null; has_more: boolean }>();
        expect(body.has_more).toBe(body.cursor !== null);
        pages.push({ n: body.events.length, has_more: body.has_more });
        ids.push(...body.events.map((e) => e.id));
        cursor = body.cursor;
      } while (cursor !== null && pages.length < 50);
      return { pages, ids };
    }

    it('120 events sharing one timestamp, paged by 50: 50 + 50 + 20, none lost or repeated, in id order', async () => {
      const ts = new Date(Date.now() - HOUR_MS).toISOString();
      await ingestOk(
        t,
        app,
        Array.from({ length: 60 }, (_, i) => anEvent({ message: `a${i}`, timestamp: ts })),
      );
      await ingestOk(
        t,
        app,
        Array.from({ length: 60 }, (_, i) => anEvent({ message: `b${i}`, timestamp: ts })),
      );
      const { pages, ids } = await pageThrough({ limit: '50' });
      expect(pages).toEqual([
        { n: 50, has_more: true },
        { n: 50, has_more: true },
        { n: 20, has_more: false },
      ]);
      expect(new Set(ids).size).toBe(120);
      expect(ids).toEqual([...ids].sort().reverse());
      const first = await listEvents(t, owner.headers, { limit: '50' });
      const last = first.json().events[49] as { id: string; timestamp: string };
      expect(first.json().cursor).toBe(`${last.timestamp}|${last.id}`);
    });

    it('any page size visits every event exactly once, in (timestamp desc, id desc) order', async () => {
      const base = Date.now() - 10 * HOUR_MS;
      const events = Array.from({ length: 45 }, (_, i) =>
        anEvent({ message: `m${i}`, timestamp: new Date(base + (i % 6) * 1000).toISOString() }),
      );
      await ingestOk(t, app, events);
      const all = (await listEvents(t, owner.headers, { limit: '200' })).json().events as { id: string; timestamp: string }[];
      expect(all).toHaveLength(45);
      const sorted = [...all].sort((a, b) => (a.timestamp === b.timestamp ? (a.id < b.id ? 1 : -1) : a.timestamp < b.timestamp ? 1 : -1));
      expect(all.map((e) => e.id)).toEqual(sorted.map((e) => e.id));
      for (const limit of ['1', '7', '44', '45']) {
        const { ids } = await pageThrough({ limit });
        expect(ids).toEqual(all.map((e) => e.id));
      }
    });

    it('events inserted while paging never cause skips or repeats of older ones', async () => {
      const ts = new Date(Date.now() - 2 * HOUR_MS).toISOString();
      await ingestOk(
        t,
        app,
        Array.from({ length: 30 }, (_, i) => anEvent({ message: `old${i}`, timestamp: ts })),
      );
      const first = (await listEvents(t, owner.headers, { limit: '10' })).json();
      await ingestOk(
        t,
        app,
        Array.from({ length: 20 }, (_, i) => anEvent({ message: `new${i}`, timestamp: ts })),
      );
      await ingestOk(t, app, [anEvent({ message: 'newest' })]);
      const seen = new Set<string>(first.events.map((e: { id: string }) => e.id));
      let cursor: string | null = first.cursor;
      const oldSeen = first.events.filter((e: { message: string }) => e.message.startsWith('old')).length;
      let olds = oldSeen;
      while (cursor) {
        const body = (await listEvents(t, owner.headers, { limit: '10', cursor })).json();
        for (const e of body.events as { id: string; message: string }[]) {
          expect(seen.has(e.id)).toBe(false);
          seen.add(e.id);
          if (e.message.startsWith('old')) olds++;
          expect(e.message).not.toBe('newest');
        }
        cursor = body.cursor;
      }
      expect(olds).toBe(30);
    });

    it('limit is clamped, never an error', async () => {
      await ingestOk(
        t,
        app,
        Array.from({ length: 60 }, () => anEvent()),
      );
      await ingestOk(
        t,
        app,
        Array.from({ length: 60 }, () => anEvent()),
      );
      await ingestOk(
        t,
        app,
        Array.from({ length: 90 }, () => anEvent()),
      );
      for (const [limit, n] of [
        ['1', 1],
        ['0', 50],
        ['-5', 1],
        ['abc', 50],
        ['3abc', 50],
        ['0.5', 50],
        ['7.9', 7],
        ['1e9', 200],
        ['201', 200],
        ['200', 200],
      ] as const) {
        const res = await listEvents(t, owner.headers, { limit });
        expect([limit, res.statusCode, res.json().events.length, res.json().has_more]).toEqual([limit, 200, n, true]);
      }
      expect((await listEvents(t, owner.headers)).json().events).toHaveLength(50);
    });

    it('a bare ISO timestamp cursor means "strictly older than this instant"', async () => {
      const base = Date.now() - 5 * HOUR_MS;
      const at = (s: number): string => new Date(base + s * 1000).toISOString();
      await ingestOk(t, app, [
        anEvent({ message: 't0', timestamp: at(0) }),
        anEvent({ message: 't1a', timestamp: at(1) }),
        anEvent({ message: 't1b', timestamp: at(1) }),
        anEvent({ message: 't2', timestamp: at(2) }),
      ]);
      const res = await listEvents(t, owner.headers, { cursor: at(1) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ events: [expect.objectContaining({ message: 't0' })], cursor: null, has_more: false });
      const dateOnly = await listEvents(t, owner.headers, { cursor: at(10).slice(0, 10) });
      expect(dateOnly.statusCode).toBe(200);
      const paired = await listEvents(t, owner.headers, { cursor: `${at(1)}|ffffffff-ffff-4fff-bfff-ffffffffffff` });
      expect(
        paired
          .json()
          .events.map((e: { message: string }) => e.message)
          .sort(),
      ).toEqual(['t0', 't1a', 't1b']);
    });
  });

  describe('retention', () => {
    it('purging apps removes their events and dedup rows, inside the purge transaction', async () => {
      await t.reset();
      const owner = await loginAs(t, 'purge@example.com');
      const doomed = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
      const kept = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
      const id = randomUUID();
      await ingestOk(t, doomed, [anEvent({ client_event_id: id }), anEvent()]);
      await ingestOk(t, kept, [anEvent({ client_event_id: id })]);
      const count = async (sql: string): Promise<number> => (await t.ds.query(sql))[0].n;

      await expect(
        t.ds.transaction(async (m) => {
          await t.app.get(EventsMaintenanceService).purgeForApps([doomed.id], m);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await count(`SELECT count(*)::int AS n FROM events`)).toBe(3);

      await t.ds.transaction((m) => t.app.get(EventsMaintenanceService).purgeForApps([doomed.id], m));
      expect(await t.ds.query(`SELECT app_id FROM events`)).toEqual([{ app_id: kept.id }]);
      expect(await t.ds.query(`SELECT app_id FROM event_dedup`)).toEqual([{ app_id: kept.id }]);
    });
  });

  describe('monthly partitions', () => {
    beforeEach(() => t.reset());

    const partitionNames = async (): Promise<string[]> =>
      (
        await t.ds.query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass`)
      ).map((r: { relname: string }) => r.relname);

    it('boot created the previous, current and next two months', async () => {
      const names = await partitionNames();
      for (const p of partitionsAround(new Date())) expect(names).toContain(p.name);
      expect(names).toContain('events_default');
    });

    it("ingested events land in their month's partition, not the default one", async () => {
      const owner = await loginAs(t, 'part@example.com');
      const app = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
      await ingestOk(t, app, [anEvent()]);
      const rows: { part: string }[] = await t.ds.query(`SELECT tableoid::regclass::text AS part FROM events`);
      expect(rows).toEqual([{ part: partitionsAround(new Date())[1].name }]);
    });

    it('is idempotent, and a month already present in the default partition is skipped with a warning', async () => {
      const repo = t.app.get(EventsRepository);
      expect(await repo.ensurePartitions(new Date())).toEqual({ created: [], blockedByDefault: [] });

      const future = new Date(Date.UTC(2040, 4, 15)); // May 2040: months 2040-04 … 2040-07
      await t.ds.query(
        `INSERT INTO events (id, app_id, session_id, level, message, "timestamp", received_at)
         VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'info', 'early bird', '2040-05-20T00:00:00Z', now())`,
      );
      const maintenance = t.app.get(EventsMaintenanceService);
      await expect(maintenance.ensurePartitions(future)).resolves.toBeUndefined();
      const names = await partitionNames();
      expect(names).toEqual(expect.arrayContaining(['events_y2040m04', 'events_y2040m06', 'events_y2040m07']));
      expect(names).not.toContain('events_y2040m05');
      const again = await repo.ensurePartitions(future);
      expect(again.created).toEqual([]);
      expect(again.blockedByDefault.map((p) => p.name)).toEqual(['events_y2040m05']);
      const rows: { part: string; message: string }[] = await t.ds.query(`SELECT tableoid::regclass::text AS part, message FROM events`);
      expect(rows).toEqual([{ part: 'events_default', message: 'early bird' }]);
      await t.ds.query(`TRUNCATE events`);
      for (const name of ['events_y2040m04', 'events_y2040m06', 'events_y2040m07']) await t.ds.query(`DROP TABLE ${name}`);
    });

    it('two concurrent upkeeps do not race', async () => {
      const repo = t.app.get(EventsRepository);
      const when = new Date(Date.UTC(2041, 0, 10));
      const [a, b] = await Promise.all([repo.ensurePartitions(when), repo.ensurePartitions(when)]);
      expect([...a.created, ...b.created].sort()).toEqual(['events_y2040m12', 'events_y2041m01', 'events_y2041m02', 'events_y2041m03']);
      for (const name of ['events_y2040m12', 'events_y2041m01', 'events_y2041m02', 'events_y2041m03'])
        await t.ds.query(`DROP TABLE ${name}`);
    });
  });
});
