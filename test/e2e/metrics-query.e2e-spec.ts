import { randomUUID } from 'node:crypto';
import { AppFixture, insertApp, insertProject as createProjectRow } from '../factories/apps.factory';
import { aFullEvent, ingestOk } from '../factories/events.factory';
import { MetricRow, insertMetricRows } from '../factories/metric-events.factory';
import { MetricEventsRepository } from '../../src/modules/metrics/metric-events.repository';
import { GroupBy } from '../../src/modules/metrics/metric-rules';
import { Session, loginAs } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';

/**
 * SPEC §2.12.3 (metric rows, B16 cursor) and §2.12.4 (aggregation, B19 time zones, B20 orders), B14 hostile input.
 * Rows are written straight into metric_events (ingest only accepts the last 30 days); one case goes through ingest.
 */

const MISSING_ID = '00000000-0000-4000-8000-000000000001';
const SLUG = 'photo-upload';
type Json = Record<string, any>;

describe('metric queries', () => {
  const t = useTestApp();
  let ada: Session;
  let projectId: string;
  let appA: AppFixture;
  let appB: AppFixture;
  const recent = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);

  beforeEach(async () => {
    await t.reset();
    ada = await loginAs(t, 'ada@example.com');
    projectId = await createProjectRow(t, ada.teamId);
    appA = await insertApp(t, { teamId: ada.teamId, createdBy: ada.userId, projectId, name: 'A' });
    appB = await insertApp(t, { teamId: ada.teamId, createdBy: ada.userId, projectId, platform: 'android', name: 'B' });
  });

  const get = (url: string, headers: Record<string, string> = ada.headers) => t.app.inject({ method: 'GET', url, headers });
  const eventsUrl = (qs = '', slug = SLUG, pid = projectId) => `/v1/projects/${pid}/metrics/${slug}/events${qs ? `?${qs}` : ''}`;
  const queryUrl = (qs = '', slug = SLUG, pid = projectId) => `/v1/projects/${pid}/metrics/${slug}/query${qs ? `?${qs}` : ''}`;
  const ok = async (url: string): Promise<Json> => {
    const res = await get(url);
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const expectError = (res: { statusCode: number; json(): unknown }, status: number, error: string) =>
    expect({ status: res.statusCode, body: res.json() }).toEqual({ status, body: { error } });
  const row = (over: Partial<MetricRow>): MetricRow => ({ appId: appA.id, slug: SLUG, phase: 'record', at: recent(60), ...over });

  const EMPTY_AGGREGATION = {
    total_count: 0,
    start_count: 0,
    complete_count: 0,
    fail_count: 0,
    cancel_count: 0,
    record_count: 0,
    success_rate: null,
    duration_avg_ms: null,
    duration_p50_ms: null,
    duration_p95_ms: null,
    duration_p99_ms: null,
    unique_users: 0,
    error_breakdown: [],
  };

  describe('GET …/metrics/:slug/query', () => {
    /**
     * The hand-worked data set: 11 selected rows, durations 30 50 75 100 200 400 900 1000 (n = 8).
     * mean = 2755 / 8 = 344.375 → 344.38; p50: pos 3.5 → 100 + 0.5·100 = 150; p95: pos 6.65 → 900 + 0.65·100 = 965;
     * p99: pos 6.93 → 993. success = 3 / (3 + 3) = 50 %. Users u1…u5 (one row without a user) → 5.
     */
    const dataSet = (): MetricRow[] => [
      row({ phase: 'start', userId: 'u1', environment: 'ios', appVersion: '1.0' }),
      row({ phase: 'start', userId: 'u2', environment: 'ios', appVersion: '1.0' }),
      row({ phase: 'complete', userId: 'u1', durationMs: 100, environment: 'ios', appVersion: '1.0' }),
      row({ phase: 'complete', userId: 'u2', durationMs: 200, environment: 'ios', appVersion: '1.1' }),
      row({ phase: 'complete', userId: 'u3', durationMs: 50, environment: 'ios', appVersion: '1.1' }),
      row({ phase: 'fail', userId: 'u3', durationMs: 900, error: 'Timeout', environment: 'ios', appVersion: '1.1' }),
      row({ appId: appB.id, phase: 'fail', userId: 'u4', durationMs: 30, error: 'Timeout', environment: 'android' }),
      row({ appId: appB.id, phase: 'fail', userId: 'u5', error: 'Crash', environment: 'android' }),
      row({ appId: appB.id, phase: 'cancel', userId: 'u1', durationMs: 400, environment: 'android' }),
      row({ phase: 'record', durationMs: 75 }),
      row({ phase: 'record', userId: 'u5', durationMs: 1000, error: 'not a fail' }),
    ];
    const noise = async () => {
      const otherProject = await createProjectRow(t, ada.teamId);
      const foreignApp = await insertApp(t, { teamId: ada.teamId, createdBy: ada.userId, projectId: otherProject });
      const deletedApp = await insertApp(t, { teamId: ada.teamId, createdBy: ada.userId, projectId });
      await t.ds.query(`UPDATE apps SET deleted_at = now() WHERE id = $1`, [deletedApp.id]);
      await insertMetricRows(t, [
        row({ slug: 'other', phase: 'complete', durationMs: 5 }),
        row({ phase: 'complete', durationMs: 5, isDev: true, userId: 'dev' }),
        row({ phase: 'complete', durationMs: 5, at: recent(25 * 60) }),
        row({ appId: deletedApp.id, phase: 'complete', durationMs: 5 }),
        row({ appId: foreignApp.id, phase: 'complete', durationMs: 5 }),
        row({ phase: 'complete', durationMs: 5, at: recent(-4) }), // 4 minutes ahead: no default upper bound
      ]);
    };
    const HAND_WORKED = {
      total_count: 12,
      start_count: 2,
      complete_count: 4,
      fail_count: 3,
      cancel_count: 1,
      record_count: 2,
      // with the future row (complete, 5 ms): durations 5 30 50 75 100 200 400 900 1000 (n = 9), mean 2760 / 9 = 306.666… → 306.67,
      // p50 pos 4 → 100; p95 pos 7.6 → 900 + 0.6·100 = 960; p99 pos 7.92 → 992; success 4 / 7 = 57.142… → 57.14
      success_rate: 57.14,
      duration_avg_ms: 306.67,
      duration_p50_ms: 100,
      duration_p95_ms: 960,
      duration_p99_ms: 992,
      unique_users: 5,
      error_breakdown: [
        { error: 'Timeout', count: 2 },
        { error: 'Crash', count: 1 },
      ],
    };

    it('computes counts, success rate, mean and exact interpolated percentiles over the selected rows', async () => {
      await insertMetricRows(t, dataSet());
      expect(await ok(queryUrl())).toEqual({
        slug: SLUG,
        aggregation: {
          total_count: 11,
          start_count: 2,
          complete_count: 3,
          fail_count: 3,
          cancel_count: 1,
          record_count: 2,
          success_rate: 50,
          duration_avg_ms: 344.38,
          duration_p50_ms: 150,
          duration_p95_ms: 965,
          duration_p99_ms: 993,
          unique_users: 5,
          error_breakdown: [
            { error: 'Timeout', count: 2 },
            { error: 'Crash', count: 1 },
          ],
        },
      });
    });

    it("selects the project's live apps, the slug, the last 24 h (no upper bound) and production rows by default", async () => {
      await insertMetricRows(t, dataSet());
      await noise();
      expect((await ok(queryUrl())).aggregation).toEqual(HAND_WORKED);
      // data_mode: development = only the is_dev row; all = both.
      expect((await ok(queryUrl('data_mode=development'))).aggregation).toEqual({
        ...EMPTY_AGGREGATION,
        total_count: 1,
        complete_count: 1,
        success_rate: 100,
        duration_avg_ms: 5,
        duration_p50_ms: 5,
        duration_p95_ms: 5,
        duration_p99_ms: 5,
        unique_users: 1,
      });
      expect((await ok(queryUrl('data_mode=all'))).aggregation.total_count).toBe(13);
      // An explicit since reaches the 25-hour-old row; until is inclusive.
      const since = recent(26 * 60).toISOString();
      expect((await ok(queryUrl(`since=${since}`))).aggregation.total_count).toBe(13);
      const until = new Date(Date.now() + 60 * 60_000).toISOString();
      expect((await ok(queryUrl(`until=${encodeURIComponent(until)}`))).aggregation.total_count).toBe(12);
      expect((await ok(queryUrl(`until=${encodeURIComponent(recent(30).toISOString())}`))).aggregation.total_count).toBe(11);
    });

    it('applies app_id, app_version, device_model, os_version, user_id and environment filters', async () => {
      await insertMetricRows(t, [
        ...dataSet(),
        row({
          phase: 'complete',
          durationMs: 10,
          deviceModel: 'iPhone16,1',
          osVersion: '18.1',
          userId: 'u9',
          environment: 'ios',
          appVersion: '2.0',
        }),
      ]);
      const q = async (qs: string) => (await ok(queryUrl(qs))).aggregation;
      expect(await q(`app_id=${appB.id.toUpperCase()}`)).toEqual({
        ...EMPTY_AGGREGATION,
        total_count: 3,
        fail_count: 2,
        cancel_count: 1,
        success_rate: 0,
        duration_avg_ms: 215,
        // durations 30 and 400: p95 = 30 + 0.95·370 = 381.5, p99 = 30 + 0.99·370 = 396.3
        duration_p50_ms: 215,
        duration_p95_ms: 381.5,
        duration_p99_ms: 396.3,
        unique_users: 3,
        error_breakdown: [
          { error: 'Crash', count: 1 },
          { error: 'Timeout', count: 1 },
        ],
      });
      expect((await q('app_version=1.1')).total_count).toBe(3);
      expect((await q('device_model=iPhone16%2C1')).total_count).toBe(1);
      expect((await q('os_version=18.1&user_id=u9')).total_count).toBe(1);
      expect((await q('user_id=u1')).total_count).toBe(3);
      expect((await q('environment=android')).total_count).toBe(3);
      expect(await q('environment=web')).toEqual(EMPTY_AGGREGATION);
    });

    it('answers the full all-zero shape for an app_id outside the project, an unknown slug and a project without apps', async () => {
      await insertMetricRows(t, dataSet());
      const otherProject = await createProjectRow(t, ada.teamId);
      const foreignApp = await insertApp(t, { teamId: ada.teamId, createdBy: ada.userId, projectId: otherProject });
      await insertMetricRows(t, [row({ appId: foreignApp.id })]);
      expect(await ok(queryUrl(`app_id=${foreignApp.id}&group_by=environment`))).toEqual({
        slug: SLUG,
        aggregation: { ...EMPTY_AGGREGATION, groups: [] },
      });
      expect(await ok(queryUrl(`app_id=${MISSING_ID}`))).toEqual({ slug: SLUG, aggregation: EMPTY_AGGREGATION });
      expect(await ok(queryUrl('', 'Nope'))).toEqual({ slug: 'Nope', aggregation: EMPTY_AGGREGATION });
      const empty = await createProjectRow(t, ada.teamId);
      expect(await ok(queryUrl('group_by=time:day', SLUG, empty))).toEqual({
        slug: SLUG,
        aggregation: { ...EMPTY_AGGREGATION, groups: [] },
      });
    });

    it('groups by a column: total desc, value by code point, null last, each group computed like the top level', async () => {
      await insertMetricRows(t, dataSet());
      const res = await ok(queryUrl('group_by=environment'));
      expect(res.aggregation.groups).toEqual([
        { key: 'environment', value: 'ios', total_count: 6, complete_count: 3, fail_count: 1, success_rate: 75, duration_avg_ms: 312.5 },
        { key: 'environment', value: 'android', total_count: 3, complete_count: 0, fail_count: 2, success_rate: 0, duration_avg_ms: 215 },
        { key: 'environment', value: null, total_count: 2, complete_count: 0, fail_count: 0, success_rate: null, duration_avg_ms: 537.5 },
      ]);
      // Grouping never changes the totals (B20).
      const { groups, ...totals } = res.aggregation;
      expect(totals).toEqual((await ok(queryUrl())).aggregation);
      expect(groups).toHaveLength(3);
      const byApp = (await ok(queryUrl('group_by=app_id'))).aggregation.groups.map((g: Json) => [g.value, g.total_count]);
      expect(byApp).toEqual([
        [appA.id, 8],
        [appB.id, 3],
      ]);
    });

    it('orders ties by code point with null last, caps column groups at 100 and errors at 20', async () => {
      const versions = ['b', 'a', 'B', null, 'é', 'a-1'];
      await insertMetricRows(
        t,
        versions.map((v) => row({ slug: 'ties', appVersion: v })),
      );
      const groups = (await ok(queryUrl('group_by=app_version', 'ties'))).aggregation.groups.map((g: Json) => g.value);
      expect(groups).toEqual(['B', 'a', 'a-1', 'b', 'é', null]);

      await insertMetricRows(
        t,
        Array.from({ length: 105 }, (_, i) => row({ slug: 'many', deviceModel: `d${String(i).padStart(3, '0')}` })),
      );
      await insertMetricRows(t, [row({ slug: 'many', deviceModel: 'd104' })]);
      const many = (await ok(queryUrl('group_by=device_model', 'many'))).aggregation.groups;
      expect(many).toHaveLength(100);
      expect(many[0]).toEqual(expect.objectContaining({ value: 'd104', total_count: 2 }));
      expect(many[99].value).toBe('d098');

      const errors = ['b', 'a', 'B', 'é', ...Array.from({ length: 20 }, (_, i) => `e${String(i).padStart(2, '0')}`)];
      await insertMetricRows(t, [
        ...errors.map((e) => row({ slug: 'errs', phase: 'fail', error: e })),
        row({ slug: 'errs', phase: 'fail', error: 'e19' }),
        row({ slug: 'errs', phase: 'fail', error: null }),
      ]);
      const breakdown = (await ok(queryUrl('', 'errs'))).aggregation.error_breakdown;
      expect(breakdown.map((e: Json) => e.error)).toEqual([
        'e19',
        'B',
        'a',
        'b',
        ...Array.from({ length: 16 }, (_, i) => `e${String(i).padStart(2, '0')}`),
      ]);
      expect(breakdown[0]).toEqual({ error: 'e19', count: 2 });
    });

    it('buckets time in UTC by default and in tz local days across a DST change, uncapped (B19)', async () => {
      await insertMetricRows(t, [
        row({ at: '2024-10-26T21:59:59.999Z', phase: 'complete', durationMs: 10 }),
        row({ at: '2024-10-26T22:00:00.000Z', phase: 'fail' }),
        row({ at: '2024-10-27T22:59:59.999Z', phase: 'complete', durationMs: 20 }),
        row({ at: '2024-10-27T23:00:00.000Z' }),
      ]);
      const window = 'since=2024-10-20&until=2024-11-01';
      const day = (await ok(queryUrl(`${window}&group_by=time:day&tz=Europe/Berlin`))).aggregation.groups;
      expect(day).toEqual([
        {
          key: 'time:day',
          value: '2024-10-25T22:00:00.000Z',
          total_count: 1,
          complete_count: 1,
          fail_count: 0,
          success_rate: 100,
          duration_avg_ms: 10,
        },
        // Sunday 27 October in Berlin: 25 hours, from 22:00Z to 23:00Z next day.
        {
          key: 'time:day',
          value: '2024-10-26T22:00:00.000Z',
          total_count: 2,
          complete_count: 1,
          fail_count: 1,
          success_rate: 50,
          duration_avg_ms: 20,
        },
        {
          key: 'time:day',
          value: '2024-10-27T23:00:00.000Z',
          total_count: 1,
          complete_count: 0,
          fail_count: 0,
          success_rate: null,
          duration_avg_ms: null,
        },
      ]);
      const utc = (await ok(queryUrl(`${window}&group_by=time:day`))).aggregation.groups.map((g: Json) => [g.value, g.total_count]);
      expect(utc).toEqual([
        ['2024-10-26T00:00:00.000Z', 2],
        ['2024-10-27T00:00:00.000Z', 2],
      ]);
      expect((await ok(queryUrl(`${window}&group_by=time:day&tz=europe/berlin`))).aggregation.groups).toEqual(day);

      // Hourly buckets over 8 days: 192 buckets, none dropped (the reference kept the 100 oldest).
      await insertMetricRows(
        t,
        Array.from({ length: 192 }, (_, i) => row({ slug: 'hourly', at: new Date(Date.UTC(2024, 2, 1) + i * 3_600_000 + 1234) })),
      );
      const hourly = (await ok(queryUrl('since=2024-02-28&until=2024-03-10&group_by=time:hour', 'hourly'))).aggregation.groups;
      expect(hourly).toHaveLength(192);
      expect([hourly[0].value, hourly[191].value]).toEqual(['2024-03-01T00:00:00.000Z', '2024-03-08T23:00:00.000Z']);
    });

    it('answers 400s in table order, before the project lookup', async () => {
      const cases: [string, string][] = [
        ['since=yesterday&until=x&tz=Mars/Base', 'since must be a valid ISO 8601 timestamp'],
        ['since=2024-02-30', 'since must be a valid ISO 8601 timestamp'],
        ['until=2024-01-01T25:00:00Z&app_id=x', 'until must be a valid ISO 8601 timestamp'],
        ['app_id=not-a-uuid&environment=mars', 'app_id must be a valid UUID'],
        ['environment=IOS&data_mode=x', 'environment must be one of ios, ipados, macos, android, web, backend'],
        ['data_mode=prod&group_by=x', 'data_mode must be one of production, development, all'],
        ['group_by=time:month&tz=x', 'Invalid group_by value: time:month'],
        ['group_by=user_id', 'Invalid group_by value: user_id'],
        ['tz=Mars/Olympus', 'tz must be a valid IANA time zone'],
        ['tz=UTC%2B3', 'tz must be a valid IANA time zone'],
        ['tz=posix/Europe/Berlin', 'tz must be a valid IANA time zone'],
        ['tz=Europe/Berlin%00', 'tz must be a valid IANA time zone'],
        ['group_by=time:day&group_by=time:week', 'group_by must be given only once'],
        ['tz=UTC&tz=UTC', 'tz must be given only once'],
      ];
      for (const [qs, error] of cases) {
        expectError(await get(queryUrl(qs)), 400, error);
        expectError(await get(queryUrl(qs, SLUG, MISSING_ID)), 400, error);
      }
      expectError(await get(queryUrl('', SLUG, MISSING_ID)), 404, 'Project not found');
      expectError(await get(queryUrl('', SLUG, 'nope')), 404, 'Project not found');
      const eve = await loginAs(t, 'eve@example.com');
      expectError(await get(queryUrl(), eve.headers), 404, 'Project not found');
    });
  });

  describe('time buckets at the repository level (B19, DST)', () => {
    const bucketsOf = async (rows: string[], groupBy: GroupBy, tz: string): Promise<[string, number][]> => {
      const slug = `tz-${randomUUID()}`;
      await insertMetricRows(
        t,
        rows.map((at) => row({ slug, at })),
      );
      const result = await t.app.get(MetricEventsRepository).aggregate({ projectId, slug, since: new Date(0), groupBy, tz });
      expect(result.totalCount).toBe(rows.length);
      return result.groups.map((g) => [(g.value as Date).toISOString(), g.totalCount]);
    };

    it('Europe/Berlin 2024-03-31 is a 23-hour day; ISO weeks start Monday 00:00 local', async () => {
      const rows = ['2024-03-30T22:59:59.999Z', '2024-03-30T23:00:00.000Z', '2024-03-31T21:59:59.999Z', '2024-03-31T22:00:00.000Z'];
      expect(await bucketsOf(rows, GroupBy.Day, 'Europe/Berlin')).toEqual([
        ['2024-03-29T23:00:00.000Z', 1],
        ['2024-03-30T23:00:00.000Z', 2],
        ['2024-03-31T22:00:00.000Z', 1],
      ]);
      expect(await bucketsOf(rows, GroupBy.Week, 'Europe/Berlin')).toEqual([
        ['2024-03-24T23:00:00.000Z', 3],
        ['2024-03-31T22:00:00.000Z', 1],
      ]);
      // The skipped hour: 01:59 CET and 03:00 CEST are consecutive local hours, one UTC hour apart.
      expect(await bucketsOf(['2024-03-31T00:59:00.000Z', '2024-03-31T01:00:00.000Z'], GroupBy.Hour, 'Europe/Berlin')).toEqual([
        ['2024-03-31T00:00:00.000Z', 1],
        ['2024-03-31T01:00:00.000Z', 1],
      ]);
    });

    it('Europe/Berlin 2024-10-27 is a 25-hour day; the repeated 02:00 hour is two buckets', async () => {
      const rows = ['2024-10-26T21:59:59.999Z', '2024-10-26T22:00:00.000Z', '2024-10-27T22:59:59.999Z', '2024-10-27T23:00:00.000Z'];
      expect(await bucketsOf(rows, GroupBy.Day, 'Europe/Berlin')).toEqual([
        ['2024-10-25T22:00:00.000Z', 1],
        ['2024-10-26T22:00:00.000Z', 2],
        ['2024-10-27T23:00:00.000Z', 1],
      ]);
      // 02:30 CEST (00:30Z) and 02:30 CET (01:30Z): the same wall-clock hour twice.
      expect(
        await bucketsOf(
          ['2024-10-27T00:30:00.000Z', '2024-10-27T01:30:00.000Z', '2024-10-27T01:59:59.999Z'],
          GroupBy.Hour,
          'Europe/Berlin',
        ),
      ).toEqual([
        ['2024-10-27T00:00:00.000Z', 1],
        ['2024-10-27T01:00:00.000Z', 2],
      ]);
    });

    it('America/Sao_Paulo 2018-11-04: DST began at local midnight, the day starts 01:00 local and lasts 23 hours', async () => {
      const rows = ['2018-11-04T02:59:59.999Z', '2018-11-04T03:00:00.000Z', '2018-11-05T01:59:59.999Z', '2018-11-05T02:00:00.000Z'];
      expect(await bucketsOf(rows, GroupBy.Day, 'America/Sao_Paulo')).toEqual([
        ['2018-11-03T03:00:00.000Z', 1],
        ['2018-11-04T03:00:00.000Z', 2],
        ['2018-11-05T02:00:00.000Z', 1],
      ]);
      // 2019-02-16 (DST ended at midnight, 23:00–24:00 local repeated): a 25-hour day.
      expect(
        await bucketsOf(
          ['2019-02-16T02:00:00.000Z', '2019-02-17T02:59:59.999Z', '2019-02-17T03:00:00.000Z'],
          GroupBy.Day,
          'America/Sao_Paulo',
        ),
      ).toEqual([
        ['2019-02-16T02:00:00.000Z', 2],
        ['2019-02-17T03:00:00.000Z', 1],
      ]);
    });

    it('Asia/Kathmandu (+05:45): hour buckets start at :15 UTC, days at 18:15 UTC', async () => {
      expect(
        await bucketsOf(
          ['2024-01-01T10:00:00.000Z', '2024-01-01T10:14:59.999Z', '2024-01-01T10:15:00.000Z'],
          GroupBy.Hour,
          'Asia/Kathmandu',
        ),
      ).toEqual([
        ['2024-01-01T09:15:00.000Z', 2],
        ['2024-01-01T10:15:00.000Z', 1],
      ]);
      expect(await bucketsOf(['2024-01-01T18:14:59.999Z', '2024-01-01T18:15:00.000Z'], GroupBy.Day, 'Asia/Kathmandu')).toEqual([
        ['2023-12-31T18:15:00.000Z', 1],
        ['2024-01-01T18:15:00.000Z', 1],
      ]);
    });

    it('UTC hours, days and ISO weeks', async () => {
      const rows = ['2024-03-08T14:22:05.417Z', '2024-03-08T14:59:59.999Z', '2024-03-10T23:59:59.999Z', '2024-03-11T00:00:00.000Z'];
      expect(await bucketsOf(rows, GroupBy.Hour, 'UTC')).toEqual([
        ['2024-03-08T14:00:00.000Z', 2],
        ['2024-03-10T23:00:00.000Z', 1],
        ['2024-03-11T00:00:00.000Z', 1],
      ]);
      expect(await bucketsOf(rows, GroupBy.Week, 'UTC')).toEqual([
        ['2024-03-04T00:00:00.000Z', 3],
        ['2024-03-11T00:00:00.000Z', 1],
      ]);
    });
  });

  describe('GET …/metrics/:slug/events', () => {
    it('answers MetricEvent objects with every field, newest first', async () => {
      const full = {
        appId: appA.id,
        slug: SLUG,
        phase: 'complete' as const,
        at: '2024-03-08T14:22:05.417Z',
        sessionId: randomUUID(),
        userId: 'user-42',
        apiKeyId: appA.clientKeyId,
        trackingId: randomUUID(),
        durationMs: 1250,
        attributes: { tracking_id: 'x', duration_ms: '1250', format: 'heic' },
        environment: 'ios',
        osVersion: '18.1',
        appVersion: '3.4.1',
        deviceModel: 'iPhone16,1',
        buildNumber: '311',
        clientEventId: randomUUID(),
        receivedAt: '2024-03-08T14:22:06.002Z',
      };
      const [id, bare] = await insertMetricRows(t, [full, row({ at: '2024-03-08T14:22:05.416Z' })]);
      const body = await ok(eventsUrl());
      expect(body).toEqual({
        events: [
          {
            id,
            app_id: appA.id,
            session_id: full.sessionId,
            user_id: 'user-42',
            api_key_id: appA.clientKeyId,
            metric_slug: SLUG,
            phase: 'complete',
            tracking_id: full.trackingId,
            duration_ms: 1250,
            error: null,
            attributes: full.attributes,
            environment: 'ios',
            os_version: '18.1',
            app_version: '3.4.1',
            device_model: 'iPhone16,1',
            build_number: '311',
            is_dev: false,
            client_event_id: full.clientEventId,
            timestamp: '2024-03-08T14:22:05.417Z',
            received_at: '2024-03-08T14:22:06.002Z',
          },
          {
            id: bare,
            app_id: appA.id,
            session_id: null,
            user_id: null,
            api_key_id: null,
            metric_slug: SLUG,
            phase: 'record',
            tracking_id: null,
            duration_ms: null,
            error: null,
            attributes: {},
            environment: null,
            os_version: null,
            app_version: null,
            device_model: null,
            build_number: null,
            is_dev: false,
            client_event_id: null,
            timestamp: '2024-03-08T14:22:05.416Z',
            received_at: expect.any(String),
          },
        ],
        cursor: null,
        has_more: false,
      });
      const empty = await createProjectRow(t, ada.teamId);
      expect(await ok(eventsUrl('', SLUG, empty))).toEqual({ events: [], cursor: null, has_more: false });
    });

    it('walks every row exactly once with any limit, across runs of one timestamp and while rows arrive (B16)', async () => {
      const same = '2024-03-08T12:00:00.000Z';
      const ids = await insertMetricRows(t, [
        ...Array.from({ length: 7 }, () => row({ at: same })),
        ...Array.from({ length: 3 }, (_, i) => row({ appId: i === 1 ? appB.id : appA.id, at: `2024-03-08T11:00:00.00${i}Z` })),
        row({ at: '2024-03-08T13:00:00.000Z' }),
      ]);
      const expected = (
        await t.ds.query(`SELECT id FROM metric_events WHERE metric_slug = $1 ORDER BY "timestamp" DESC, id DESC`, [SLUG])
      ).map((r: { id: string }) => r.id);
      expect(new Set(expected)).toEqual(new Set(ids));
      for (const limit of [1, 2, 3, 7, 11, 200]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const body: Json = await ok(eventsUrl(`limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
          seen.push(...body.events.map((e: Json) => e.id));
          expect(body.has_more).toBe(body.cursor !== null);
          cursor = body.cursor;
          // A newer row arriving mid-walk never shows up in later pages nor repeats older ones.
          if (pages++ === 0 && cursor) await insertMetricRows(t, [row({ slug: SLUG, at: '2024-03-09T00:00:00.000Z', id: randomUUID() })]);
        } while (cursor !== null);
        expect([limit, seen]).toEqual([limit, expected]);
        await t.ds.query(`DELETE FROM metric_events WHERE "timestamp" = '2024-03-09T00:00:00Z'`);
      }
      const first = await ok(eventsUrl('limit=2'));
      expect(first.cursor).toBe(`2024-03-08T12:00:00.000Z|${expected[1]}`);
      // A bare timestamp cursor means "strictly older than this instant".
      const older = await ok(eventsUrl(`cursor=${encodeURIComponent(same)}`));
      expect(older.events.map((e: Json) => e.id)).toEqual(expected.slice(8));
    });

    it('filters by phase, tracking_id, user_id, environment, since/until (inclusive) and data_mode', async () => {
      const tracking = randomUUID();
      const [a, b, c, d, e] = await insertMetricRows(t, [
        row({ phase: 'start', trackingId: tracking, userId: 'u1', environment: 'ios', at: '2024-03-01T00:00:00.000Z' }),
        row({ phase: 'complete', trackingId: tracking, userId: 'u1', environment: 'ios', at: '2024-03-02T00:00:00.000Z' }),
        row({ phase: 'fail', userId: 'u2', environment: 'android', at: '2024-03-03T00:00:00.000Z' }),
        row({ phase: 'complete', isDev: true, at: '2024-03-04T00:00:00.000Z' }),
        row({ phase: 'complete', slug: 'other', at: '2024-03-05T00:00:00.000Z' }),
      ]);
      const idsOf = async (qs: string) => (await ok(eventsUrl(qs))).events.map((x: Json) => x.id);
      expect(await idsOf('')).toEqual([c, b, a]);
      expect(await idsOf('phase=complete')).toEqual([b]);
      expect(await idsOf(`tracking_id=${tracking.toUpperCase()}`)).toEqual([b, a]);
      expect(await idsOf('user_id=u2')).toEqual([c]);
      expect(await idsOf('environment=ios')).toEqual([b, a]);
      expect(await idsOf('since=2024-03-02&until=2024-03-03T00:00:00Z')).toEqual([c, b]);
      expect(await idsOf('until=2024-03-01T00:00:00.000%2B00:00')).toEqual([a]);
      expect(await idsOf('data_mode=development')).toEqual([d]);
      expect(await idsOf('data_mode=all')).toEqual([d, c, b, a]);
      expect(await idsOf('phase=record')).toEqual([]);
      expect(e).toEqual(expect.any(String));
    });

    it('answers 400s in table order, then Invalid cursor, then 404 Project not found', async () => {
      const cases: [string, string][] = [
        ['phase=done&tracking_id=x', 'phase must be one of start, complete, fail, cancel, record'],
        ['phase=Start', 'phase must be one of start, complete, fail, cancel, record'],
        ['tracking_id=not-a-uuid&environment=x', 'tracking_id must be a valid UUID'],
        ['environment=mars&since=x', 'environment must be one of ios, ipados, macos, android, web, backend'],
        ['since=2024-13-01&until=x', 'since must be a valid ISO 8601 timestamp'],
        ['until=tomorrow&data_mode=x', 'until must be a valid ISO 8601 timestamp'],
        ['data_mode=everything&cursor=bad', 'data_mode must be one of production, development, all'],
        ['cursor=bad', 'Invalid cursor'],
        [`cursor=${encodeURIComponent('2024-03-08T12:00:00.000Z|not-a-uuid')}`, 'Invalid cursor'],
        [`cursor=${encodeURIComponent(`2024-03-08T12:00:00.000Z|${MISSING_ID}|x`)}`, 'Invalid cursor'],
        ['phase=start&phase=fail', 'phase must be given only once'],
        ['limit=1&limit=2', 'limit must be given only once'],
      ];
      for (const [qs, error] of cases) {
        expectError(await get(eventsUrl(qs)), 400, error);
        expectError(await get(eventsUrl(qs, SLUG, MISSING_ID)), 400, error);
      }
      expectError(await get(eventsUrl('', SLUG, MISSING_ID)), 404, 'Project not found');
      // limit is never an error (floored, clamped).
      await insertMetricRows(t, [row({}), row({}), row({})]);
      for (const [limit, n] of [
        ['1.9', 1],
        ['0', 3],
        ['-5', 1],
        ['abc', 3],
        ['1e9', 3],
        ['2', 2],
      ] as const) {
        expect([limit, (await ok(eventsUrl(`limit=${limit}`))).events.length]).toEqual([limit, n]);
      }
    });
  });

  it('never answers 5xx to hostile values of any parameter (B14)', async () => {
    await insertMetricRows(t, [row({ phase: 'complete', durationMs: 1 })]);
    const hostile = [
      '%00',
      'a%00b',
      '%C3%28',
      "'%3B DROP TABLE metric_events; --",
      '%F0%9F%A6%89'.repeat(50),
      'x'.repeat(5000),
      '1e309',
      '-1',
      '%5B%5D',
      '%7B%7D',
      'null',
      'undefined',
      '..%2F..',
      '%E2%80%AE',
      '%EF%BF%BF',
      '%ED%A0%80',
    ];
    const params = {
      events: ['phase', 'tracking_id', 'user_id', 'environment', 'since', 'until', 'data_mode', 'cursor', 'limit'],
      query: [
        'since',
        'until',
        'app_id',
        'app_version',
        'device_model',
        'os_version',
        'user_id',
        'environment',
        'data_mode',
        'group_by',
        'tz',
      ],
    };
    const failures: string[] = [];
    for (const value of hostile) {
      for (const p of params.events) {
        const res = await get(eventsUrl(`${p}=${value}`));
        if (res.statusCode >= 500) failures.push(`events ${p}=${value}: ${res.statusCode}`);
      }
      for (const p of params.query) {
        // With a time group, so a tz value would reach the bucket SQL if it passed validation.
        const res = await get(queryUrl(p === 'group_by' ? `${p}=${value}` : `${p}=${value}&group_by=time:hour`));
        if (res.statusCode >= 500) failures.push(`query ${p}=${value}: ${res.statusCode}`);
      }
      for (const path of [eventsUrl('', value), queryUrl('', value), eventsUrl('', SLUG, value), `/v1/metrics/by-id/${value}`]) {
        const res = await get(path);
        if (res.statusCode >= 500) failures.push(`${path.slice(0, 80)}: ${res.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('counts metric rows written by ingest (B15) and buckets them with tz through the API', async () => {
    const now = Date.now();
    const at = (minAgo: number) => new Date(now - minAgo * 60_000).toISOString();
    await ingestOk(t, appA, [
      aFullEvent({ message: 'metric:checkout:start', timestamp: at(10), custom_attributes: { tracking_id: MISSING_ID } }),
      aFullEvent({
        message: 'metric:checkout:complete',
        timestamp: at(9),
        custom_attributes: { duration_ms: '1250', tracking_id: MISSING_ID },
      }),
      aFullEvent({
        message: 'metric:checkout:fail',
        level: 'error',
        timestamp: at(8),
        custom_attributes: { duration_ms: '0', error: 'Timeout' },
      }),
      aFullEvent({ message: 'metric:Checkout:start', timestamp: at(7) }),
      aFullEvent({ message: 'checkout_started', timestamp: at(6) }),
    ]);
    const res = await ok(queryUrl('group_by=time:day&tz=Asia/Kathmandu', 'checkout'));
    const localDayStart = (() => {
      // Kathmandu is UTC+05:45 all year: local midnight is 18:15Z of the previous UTC day.
      const shifted = new Date(now - 10 * 60_000 + 345 * 60_000);
      return new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate()) - 345 * 60_000).toISOString();
    })();
    expect(res).toEqual({
      slug: 'checkout',
      aggregation: {
        total_count: 3,
        start_count: 1,
        complete_count: 1,
        fail_count: 1,
        cancel_count: 0,
        record_count: 0,
        success_rate: 50,
        duration_avg_ms: 625,
        duration_p50_ms: 625,
        duration_p95_ms: 1187.5,
        duration_p99_ms: 1237.5,
        unique_users: 1,
        error_breakdown: [{ error: 'Timeout', count: 1 }],
        groups:
          res.aggregation.groups.length === 1
            ? [
                {
                  key: 'time:day',
                  value: localDayStart,
                  total_count: 3,
                  complete_count: 1,
                  fail_count: 1,
                  success_rate: 50,
                  duration_avg_ms: 625,
                },
              ]
            : expect.any(Array), // the three rows straddle a Kathmandu midnight (10-minute window): only the totals are checked
      },
    });
    const events = await ok(eventsUrl(`tracking_id=${MISSING_ID}`, 'checkout'));
    expect(events.events.map((e: Json) => [e.phase, e.duration_ms, e.api_key_id])).toEqual([
      ['complete', 1250, appA.clientKeyId],
      ['start', null, appA.clientKeyId],
    ]);
  });
});
