import { AppFixture, insertApp, softDeleteAppOnly } from '../factories/apps.factory';
import { anEvent, ingestOk } from '../factories/events.factory';
import { FunnelRow, insertBulkChains, insertFunnelRows } from '../factories/funnel-events.factory';
import { FunnelDefinitionResponse } from '../../src/modules/funnels/funnels.mapper';
import { Session, loginAs } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';
import { postProject } from '../utils/project-fixtures';

const MISSING_ID = '00000000-0000-4000-8000-000000000001';
const T0 = Date.now() - 24 * 60 * 60_000;
/** An instant `s` seconds (and `ms` milliseconds) after T0, as an ISO string. */
const at = (s: number, ms = 0) => new Date(T0 + s * 1000 + ms).toISOString();

type Step = { name: string; event_filter: { message?: string; screen_name?: string } };
const step = (name: string, screen?: string): Step => ({
  name: name.toUpperCase(),
  event_filter: screen ? { message: `track:${name}`, screen_name: screen } : { message: `track:${name}` },
});

/** Step analytics as §2.13.4 defines them, for the expected bodies. */
function analytics(names: string[], users: number[]) {
  return names.map((name, i) => {
    const dropOff = i === 0 ? 0 : users[i - 1] - users[i];
    return {
      step_index: i,
      step_name: name,
      unique_users: users[i],
      percentage: users[0] > 0 ? Math.round((users[i] / users[0]) * 1000) / 10 : 0,
      drop_off_count: dropOff,
      drop_off_percentage: i === 0 || users[i - 1] === 0 ? 0 : Math.round((dropOff / users[i - 1]) * 1000) / 10,
    };
  });
}

describe('funnel query (SPEC §2.13.4, B17, B18, B20, B22)', () => {
  const t = useTestApp();
  let ada: Session;
  let projectId: string;
  let ios: AppFixture;
  let android: AppFixture;

  beforeEach(async () => {
    await t.reset();
    ada = await loginAs(t, 'ada@example.com');
    projectId = (await postProject(t, ada, { slug: 'mobile' })).id;
    ios = await insertApp(t, { teamId: ada.teamId, createdBy: ada.userId, projectId, platform: 'apple' });
    android = await insertApp(t, { teamId: ada.teamId, createdBy: ada.userId, projectId, platform: 'android' });
  });

  const define = async (steps: Step[], slug = 'f'): Promise<FunnelDefinitionResponse> => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/projects/${projectId}/funnels`,
      headers: ada.headers,
      payload: { name: 'Funnel', slug, steps },
    });
    if (res.statusCode !== 201) throw new Error(`define failed: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const query = (params: Record<string, string> | string = {}, slug = 'f', headers = ada.headers, p = projectId) => {
    const qs = typeof params === 'string' ? params : new URLSearchParams(params).toString();
    return t.app.inject({ method: 'GET', url: `/v1/projects/${p}/funnels/${slug}/query${qs ? `?${qs}` : ''}`, headers });
  };
  /** users[i] of the top level, and per group when grouped. */
  const counts = async (params: Record<string, string> = {}, slug = 'f') => {
    const res = await query(params, slug);
    if (res.statusCode !== 200) throw new Error(`query failed: ${res.statusCode} ${res.body}`);
    const a = res.json().analytics;
    const users = (steps: { unique_users: number }[]) => steps.map((s) => s.unique_users);
    return {
      users: users(a.steps),
      ...(a.breakdown
        ? { groups: Object.fromEntries(a.breakdown.map((g: { value: string; steps: never[] }) => [g.value, users(g.steps)])) }
        : {}),
    };
  };
  /** Rows of one user in the ios app, one per step name, `s` seconds after T0 each (array order = arrival). */
  const seq = (userId: string, steps: [string, number, Partial<FunnelRow>?][]): FunnelRow[] =>
    steps.map(([s, sec, over]) => ({ appId: ios.id, userId, step: s, at: at(sec), ...over }));

  describe('closed mode (B17)', () => {
    it('follows chains in (timestamp, arrival) order and answers the exact body', async () => {
      const funnel = await define([step('a'), step('b'), step('c')]);
      await insertFunnelRows(t, [
        ...seq('u-abc', [
          ['a', 1],
          ['b', 2],
          ['c', 3],
        ]),
        ...seq('u-ab', [
          ['a', 1],
          ['b', 2],
        ]),
        ...seq('u-bab', [
          ['b', 1],
          ['a', 2],
          ['b', 3],
        ]), // B after A counts although a B came first
        ...seq('u-cabc', [
          ['c', 1],
          ['a', 2],
          ['b', 3],
          ['c', 4],
        ]), // C after B counts although a C came first
        ...seq('u-b', [['b', 1]]), // never entered
        ...seq('u-same-ms', [
          ['a', 5],
          ['b', 5],
        ]), // same millisecond: arrival order a, b
        ...seq('u-same-ms-rev', [
          ['b', 6],
          ['a', 6],
        ]), // same millisecond: arrival order b, a
        ...seq('u-cba', [
          ['c', 1],
          ['b', 2],
          ['a', 3],
        ]),
      ]);
      const res = await query();
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        slug: 'f',
        analytics: {
          funnel,
          mode: 'closed',
          total_users: 7,
          steps: [
            { step_index: 0, step_name: 'A', unique_users: 7, percentage: 100, drop_off_count: 0, drop_off_percentage: 0 },
            { step_index: 1, step_name: 'B', unique_users: 5, percentage: 71.4, drop_off_count: 2, drop_off_percentage: 28.6 },
            { step_index: 2, step_name: 'C', unique_users: 2, percentage: 28.6, drop_off_count: 3, drop_off_percentage: 60 },
          ],
        },
      });
      expect(res.json().analytics).not.toHaveProperty('breakdown');
      expect(await counts({ mode: 'closed' })).toEqual({ users: [7, 5, 2] });
    });

    it('orders equal timestamps by arrival even when the later step arrived in an earlier request', async () => {
      await define([step('a'), step('b')]);
      // u1's b is logged at the same millisecond as its a but arrives first → no conversion;
      // u2's b arrives after its a in the same millisecond → conversion.
      await insertFunnelRows(t, [{ appId: ios.id, userId: 'u1', step: 'b', at: at(1) }]);
      await insertFunnelRows(t, [
        { appId: ios.id, userId: 'u1', step: 'a', at: at(1) },
        { appId: ios.id, userId: 'u2', step: 'a', at: at(1) },
      ]);
      await insertFunnelRows(t, [{ appId: ios.id, userId: 'u2', step: 'b', at: at(1) }]);
      expect(await counts()).toEqual({ users: [2, 1] });
    });

    it('lets one row satisfy at most one step, also when it matches several filters', async () => {
      await define([step('a'), step('a')], 'twice');
      await define([step('a'), { name: 'On screen', event_filter: { screen_name: 'Home' } }], 'overlap');
      await insertFunnelRows(t, [
        ...seq('one-a', [['a', 1, { screenName: 'Home' }]]),
        ...seq('two-a', [
          ['a', 1],
          ['a', 2, { screenName: 'Home' }],
        ]),
      ]);
      expect(await counts({}, 'twice')).toEqual({ users: [2, 1] });
      expect(await counts({}, 'overlap')).toEqual({ users: [2, 1] });
      expect(await counts({ mode: 'open' }, 'overlap')).toEqual({ users: [2, 2] });
    });

    it('matches message and screen_name exactly and only on funnel rows', async () => {
      await define([step('a'), step('pay', 'PaymentView')]);
      await insertFunnelRows(t, [
        ...seq('exact', [
          ['a', 1],
          ['pay', 2, { screenName: 'PaymentView' }],
        ]),
        ...seq('other-screen', [
          ['a', 1],
          ['pay', 2, { screenName: 'paymentview' }],
        ]),
        ...seq('no-screen', [
          ['a', 1],
          ['pay', 2],
        ]),
        ...seq('case', [
          ['A', 1],
          ['pay', 2, { screenName: 'PaymentView' }],
        ]),
      ]);
      expect(await counts()).toEqual({ users: [3, 1] });
    });

    it("identifies users by user_id across the project's apps and ignores rows without a user", async () => {
      await define([step('a'), step('b')]);
      await insertFunnelRows(t, [
        { appId: ios.id, userId: 'u1', step: 'a', at: at(1) },
        { appId: android.id, userId: 'u1', step: 'b', at: at(2) },
        { appId: ios.id, userId: null, step: 'a', at: at(1) },
        { appId: ios.id, userId: null, step: 'b', at: at(2) },
      ]);
      expect(await counts()).toEqual({ users: [1, 1] });
      expect(await counts({ app_id: ios.id })).toEqual({ users: [1, 0] });
      expect(await counts({ app_id: android.id.toUpperCase(), mode: 'open' })).toEqual({ users: [0, 1] });
    });

    it('answers a full shape of zeros when nothing matches, for a project without apps too', async () => {
      const funnel = await define([step('a'), step('b')]);
      const body = (mode: string, breakdown?: unknown[]) => ({
        slug: 'f',
        analytics: { funnel, mode, total_users: 0, steps: analytics(['A', 'B'], [0, 0]), ...(breakdown ? { breakdown } : {}) },
      });
      expect((await query()).json()).toEqual(body('closed'));
      expect((await query({ mode: 'open', group_by: 'environment' })).json()).toEqual(body('open', []));
      expect((await query({ group_by: 'experiment:paywall', conversion_window: '60' })).json()).toEqual(body('closed', []));

      const empty = (await postProject(t, ada, { slug: 'empty' })).id;
      const other = await t.app.inject({
        method: 'POST',
        url: `/v1/projects/${empty}/funnels`,
        headers: ada.headers,
        payload: { name: 'Funnel', slug: 'f', steps: [step('a'), step('b')] },
      });
      const res = await query({ group_by: 'app_version' }, 'f', ada.headers, empty);
      expect(res.json()).toEqual({ ...body('closed', []), analytics: { ...body('closed', []).analytics, funnel: other.json() } });
    });

    it('answers correctly for a closed funnel with 70 000 users at a step (B22)', async () => {
      await define([step('s1'), step('s2'), step('s3')]);
      await insertBulkChains(t, { appId: ios.id, users: 70_000, steps: ['s1', 's2'], start: new Date(T0) });
      await insertFunnelRows(t, seq('u-0', [['s3', 3600]]));
      const res = await query();
      expect(res.statusCode).toBe(200);
      expect(res.json().analytics.steps).toEqual(analytics(['S1', 'S2', 'S3'], [70_000, 70_000, 1]));
      expect(await counts({ mode: 'open' })).toEqual({ users: [70_000, 70_000, 1] });
      expect(await counts({ conversion_window: '3600' })).toEqual({ users: [70_000, 70_000, 1] });
      expect(await counts({ conversion_window: '3599' })).toEqual({ users: [70_000, 70_000, 0] });
    }, 120_000);
  });

  describe('conversion_window (B18)', () => {
    it('counts chains whose steps lie within the window of their step-0 row, to the millisecond', async () => {
      await define([step('a'), step('b')]);
      await insertFunnelRows(t, [
        ...seq('inside', [
          ['a', 0],
          ['b', 60],
        ]),
        { appId: ios.id, userId: 'outside', step: 'a', at: at(0) },
        { appId: ios.id, userId: 'outside', step: 'b', at: at(60, 1) },
      ]);
      expect(await counts()).toEqual({ users: [2, 2] });
      expect(await counts({ conversion_window: '60' })).toEqual({ users: [2, 1] });
      expect(await counts({ conversion_window: '61' })).toEqual({ users: [2, 2] });
      expect(await counts({ conversion_window: '59' })).toEqual({ users: [2, 0] });
    });

    it('lets any step-0 row start the best chain', async () => {
      await define([step('a'), step('b'), step('c')]);
      await insertFunnelRows(t, [
        // The first a is too early for b; the second a starts a chain that makes it to b and c.
        ...seq('late-start', [
          ['a', 0],
          ['a', 100],
          ['b', 130],
          ['c', 150],
        ]),
        // The chain from the first a reaches b in time; the one from the second a reaches c but not b (b precedes it).
        ...seq('mixed', [
          ['a', 0],
          ['b', 10],
          ['a', 20],
          ['c', 70],
        ]),
        // From the second a: b then c within 60 s, while the greedy b of the first a is too late for c.
        ...seq('second-a', [
          ['a', 0],
          ['b', 50],
          ['a', 55],
          ['b', 56],
          ['c', 100],
        ]),
      ]);
      // 60 s and 50 s: late-start (a@100 → c@150) and second-a (a@55 → c@100) reach c; mixed only b.
      expect(await counts({ conversion_window: '60' })).toEqual({ users: [3, 3, 2] });
      expect(await counts({ conversion_window: '50' })).toEqual({ users: [3, 3, 2] });
      // 45 s: only second-a's later start still reaches c; 44 s: nobody, but every user still reaches b.
      expect(await counts({ conversion_window: '45' })).toEqual({ users: [3, 3, 1] });
      expect(await counts({ conversion_window: '44' })).toEqual({ users: [3, 3, 0] });
      expect(await counts()).toEqual({ users: [3, 3, 3] });
    });

    it('applies to breakdowns, attributing users to their earliest step-0 row', async () => {
      await define([step('a'), step('b')]);
      await insertFunnelRows(t, [
        ...seq('u1', [
          ['a', 0, { appVersion: '1.0' }],
          ['a', 100, { appVersion: '2.0' }],
          ['b', 120, { appVersion: '2.0' }],
        ]),
      ]);
      expect(await counts({ conversion_window: '60', group_by: 'app_version' })).toEqual({
        users: [1, 1],
        groups: { '1.0': [1, 1] },
      });
      expect(await counts({ conversion_window: '10', group_by: 'app_version' })).toEqual({
        users: [1, 0],
        groups: { '1.0': [1, 0] },
      });
    });
  });

  describe('open mode', () => {
    it('counts distinct users per step, keeping percentages above 100 and negative drop-offs', async () => {
      const funnel = await define([step('a'), step('b')]);
      await insertFunnelRows(t, [
        ...seq('u1', [
          ['b', 1],
          ['a', 2],
          ['b', 3],
        ]),
        ...seq('u2', [['b', 1]]),
        ...seq('u3', [
          ['b', 1],
          ['b', 2],
        ]),
      ]);
      const res = await query({ mode: 'open' });
      expect(res.json()).toEqual({
        slug: 'f',
        analytics: {
          funnel,
          mode: 'open',
          total_users: 1,
          steps: [
            { step_index: 0, step_name: 'A', unique_users: 1, percentage: 100, drop_off_count: 0, drop_off_percentage: 0 },
            { step_index: 1, step_name: 'B', unique_users: 3, percentage: 300, drop_off_count: -2, drop_off_percentage: -200 },
          ],
        },
      });
      expect(await counts()).toEqual({ users: [1, 1] });
    });
  });

  describe('breakdowns (B20)', () => {
    it('keeps a user who upgrades mid-funnel in the entry group (closed) and counts values per step (open)', async () => {
      await define([step('a'), step('b'), step('c')]);
      await insertFunnelRows(t, [
        ...seq('upgrader', [
          ['a', 1, { appVersion: '1.0' }],
          ['b', 2, { appVersion: '2.0' }],
          ['c', 3, { appVersion: '2.0' }],
        ]),
        ...seq('stays', [
          ['a', 1, { appVersion: '2.0' }],
          ['b', 2, { appVersion: '2.0' }],
        ]),
        ...seq('no-version', [
          ['a', 1],
          ['b', 2, { appVersion: '1.0' }],
        ]),
        ...seq('late-a', [
          ['b', 0, { appVersion: '3.0' }],
          ['a', 1, { appVersion: '1.0' }],
        ]),
      ]);
      const closed = await query({ group_by: 'app_version' });
      expect(closed.json().analytics).toEqual(
        expect.objectContaining({
          total_users: 4,
          steps: analytics(['A', 'B', 'C'], [4, 3, 1]),
          breakdown: [
            { key: 'app_version', value: '1.0', total_users: 2, steps: analytics(['A', 'B', 'C'], [2, 1, 1]) },
            { key: 'app_version', value: '2.0', total_users: 1, steps: analytics(['A', 'B', 'C'], [1, 1, 0]) },
          ],
        }),
      );
      expect(await counts({ group_by: 'app_version', mode: 'open' })).toEqual({
        users: [4, 4, 1],
        groups: { '1.0': [2, 1, 0], '2.0': [1, 2, 1], '3.0': [0, 1, 0] },
      });
      // Without group_by the totals are the same.
      expect(await counts()).toEqual({ users: [4, 3, 1] });
      expect(await counts({ mode: 'open' })).toEqual({ users: [4, 4, 1] });
    });

    it('groups by environment in code-point order and leaves rows without a value out of every group', async () => {
      await define([step('a'), step('b')]);
      await insertFunnelRows(t, [
        ...seq('w', [
          ['a', 1, { environment: 'web' }],
          ['b', 2, { environment: 'web' }],
        ]),
        ...seq('i', [['a', 1, { environment: 'ios' }]]),
        ...seq('a', [['a', 1, { environment: 'android' }]]),
        ...seq('n', [
          ['a', 1],
          ['b', 2, { environment: 'ipados' }],
        ]),
        ...seq('z', [['x', 1, { environment: 'macos' }]]), // matches no step: macos is no group
      ]);
      const res = await query({ group_by: 'environment' });
      expect(
        res.json().analytics.breakdown.map((g: { key: string; value: string; total_users: number }) => [g.key, g.value, g.total_users]),
      ).toEqual([
        ['environment', 'android', 1],
        ['environment', 'ios', 1],
        ['environment', 'web', 1],
      ]);
      expect(res.json().analytics.total_users).toBe(4);
      expect(await counts({ group_by: 'environment', mode: 'open' })).toEqual({
        users: [4, 2],
        groups: { android: [1, 0], ios: [1, 0], ipados: [0, 1], web: [1, 1] },
      });
    });

    it('orders values by code points, not by locale', async () => {
      await define([step('a')]);
      const values = ['é', 'a', 'B', '9', '10', '🦉', 'ｚ'];
      await insertFunnelRows(
        t,
        values.map((v, i) => ({ appId: ios.id, userId: `u${i}`, step: 'a', at: at(1), appVersion: v })),
      );
      const res = await query({ group_by: 'app_version' });
      expect(res.json().analytics.breakdown.map((g: { value: string }) => g.value)).toEqual(['10', '9', 'B', 'a', 'é', 'ｚ', '🦉']);
    });

    it("groups by an experiment's string variant and filters by experiment", async () => {
      await define([step('a'), step('b')]);
      await insertFunnelRows(t, [
        ...seq('pa', [
          ['a', 1, { experiments: { paywall: 'a' } }],
          ['b', 2, { experiments: { paywall: 'a' } }],
        ]),
        ...seq('pb', [
          ['a', 1, { experiments: { paywall: 'b', color: 'red' } }],
          ['b', 2, { experiments: { paywall: 'b' } }],
        ]),
        ...seq('pb2', [['a', 1, { experiments: { paywall: 'b' } }]]),
        ...seq('num', [['a', 1, { experiments: { paywall: 1 } }]]),
        ...seq('none', [['a', 1]]),
        ...seq('colon', [['a', 1, { experiments: { 'pay:wall': 'x:y' } }]]),
      ]);
      expect(await counts({ group_by: 'experiment:paywall' })).toEqual({ users: [6, 2], groups: { a: [1, 1], b: [2, 1] } });
      expect(await counts({ experiment: 'paywall:b' })).toEqual({ users: [2, 1] });
      expect(await counts({ experiment: 'paywall:b', group_by: 'experiment:color' })).toEqual({ users: [2, 1], groups: { red: [1, 1] } });
      expect(await counts({ experiment: 'paywall:1' })).toEqual({ users: [0, 0] });
      expect(await counts({ experiment: 'pay:wall:x:y' })).toEqual({ users: [0, 0] });
      expect(await counts({ group_by: 'experiment:pay:wall' })).toEqual({ users: [6, 2], groups: { 'x:y': [1, 0] } });
      expect(await counts({ group_by: 'experiment:missing' })).toEqual({ users: [6, 2], groups: {} });
    });
  });

  describe('filters', () => {
    it('selects by data_mode, app_version, environment and inclusive time bounds', async () => {
      await define([step('a')]);
      await insertFunnelRows(t, [
        { appId: ios.id, userId: 'prod', step: 'a', at: at(10), appVersion: '1.0', environment: 'ios' },
        { appId: ios.id, userId: 'dev', step: 'a', at: at(20), isDev: true, appVersion: '2.0', environment: 'ipados' },
        { appId: ios.id, userId: 'old', step: 'a', at: new Date(Date.now() - 31 * 24 * 3600_000).toISOString() },
        { appId: ios.id, userId: 'future', step: 'a', at: new Date(Date.now() + 4 * 60_000).toISOString() },
      ]);
      expect(await counts()).toEqual({ users: [1] });
      expect(await counts({ data_mode: 'production' })).toEqual({ users: [1] });
      expect(await counts({ data_mode: 'development' })).toEqual({ users: [1] });
      expect(await counts({ data_mode: 'all' })).toEqual({ users: [2] });
      expect(await counts({ data_mode: 'all', app_version: '2.0' })).toEqual({ users: [1] });
      expect(await counts({ data_mode: 'all', environment: 'ios' })).toEqual({ users: [1] });
      expect(await counts({ data_mode: 'all', environment: 'web' })).toEqual({ users: [0] });
      expect(await counts({ since: at(10), until: at(10) })).toEqual({ users: [1] });
      expect(await counts({ since: at(10, 1) })).toEqual({ users: [0] });
      expect(await counts({ until: at(9, 999), data_mode: 'all' })).toEqual({ users: [0] });
      expect(await counts({ since: '2000-01-01', data_mode: 'all' })).toEqual({ users: [3] });
      expect(await counts({ since: '2000-01-01', until: '9999-12-31T23:59:59.999Z', data_mode: 'all' })).toEqual({ users: [4] });
      expect(await counts({ since: at(11), until: at(0), data_mode: 'all' })).toEqual({ users: [0] });
    });

    it("never sees rows of deleted apps or of other projects' apps", async () => {
      await define([step('a')]);
      const elsewhere = await insertApp(t, { teamId: ada.teamId, createdBy: ada.userId });
      await insertFunnelRows(t, [
        { appId: ios.id, userId: 'u1', step: 'a', at: at(1) },
        { appId: android.id, userId: 'u2', step: 'a', at: at(1) },
        { appId: elsewhere.id, userId: 'u3', step: 'a', at: at(1) },
      ]);
      expect(await counts()).toEqual({ users: [2] });
      expect(await counts({ app_id: elsewhere.id })).toEqual({ users: [0] });
      expect(await counts({ app_id: MISSING_ID })).toEqual({ users: [0] });
      await softDeleteAppOnly(t, android.id);
      expect(await counts()).toEqual({ users: [1] });
      expect(await counts({ app_id: android.id })).toEqual({ users: [0] });
    });
  });

  describe('through ingest', () => {
    it('counts track: events sent to POST /v1/ingest, same-millisecond steps in array order, plain events never', async () => {
      await define([step('a'), { name: 'Pay screen', event_filter: { screen_name: 'Pay' } }]);
      const ts = at(1);
      const ev = (userId: string, message: string, screen?: string) =>
        anEvent({
          user_id: userId,
          message,
          timestamp: ts,
          environment: 'ios',
          app_version: '1.0',
          ...(screen ? { screen_name: screen } : {}),
        });
      expect(
        await ingestOk(t, ios, [
          ev('in-order', 'track:a'),
          ev('in-order', 'track:pay', 'Pay'),
          ev('reversed', 'track:pay', 'Pay'),
          ev('reversed', 'track:a'),
          ev('plain', 'track:a'),
          ev('plain', 'paid', 'Pay'), // a plain event never matches, even by screen_name
          ev('bare', 'track:'), // `track:` alone makes no funnel row
        ]),
      ).toBe(7);
      expect(await counts()).toEqual({ users: [3, 1] });
      expect(await counts({ mode: 'open', group_by: 'environment' })).toEqual({ users: [3, 2], groups: { ios: [3, 2] } });
    });
  });

  describe('errors (B14)', () => {
    it.each([
      ['since=yesterday', 'since must be a valid ISO 8601 timestamp'],
      ['since=2024-02-30', 'since must be a valid ISO 8601 timestamp'],
      ['since=2024-03-08T14:22:05.417z&mode=x', 'since must be a valid ISO 8601 timestamp'],
      ['until=1709907725417', 'until must be a valid ISO 8601 timestamp'],
      ['until=2024-03-08%2014:22:05', 'until must be a valid ISO 8601 timestamp'],
      ['app_id=nope&environment=x', 'app_id must be a valid UUID'],
      [`app_id=${MISSING_ID}x`, 'app_id must be a valid UUID'],
      ['environment=iOS', 'environment must be one of ios, ipados, macos, android, web, backend'],
      ['experiment=paywall', 'experiment must have the form name:variant'],
      ['experiment=:b', 'experiment must have the form name:variant'],
      ['experiment=paywall:&mode=x', 'experiment must have the form name:variant'],
      ['mode=funnel&group_by=x', 'mode must be one of closed, open'],
      ['mode=CLOSED', 'mode must be one of closed, open'],
      ['group_by=device_model', 'group_by must be one of environment, app_version, experiment:<name>'],
      ['group_by=experiment:', 'group_by must be one of environment, app_version, experiment:<name>'],
      ['group_by=experiment&data_mode=x', 'group_by must be one of environment, app_version, experiment:<name>'],
      ['data_mode=prod&conversion_window=0', 'data_mode must be one of production, development, all'],
      ['conversion_window=0', 'conversion_window must be an integer between 1 and 2592000'],
      ['conversion_window=2592001', 'conversion_window must be an integer between 1 and 2592000'],
      ['conversion_window=1.5', 'conversion_window must be an integer between 1 and 2592000'],
      ['conversion_window=-60', 'conversion_window must be an integer between 1 and 2592000'],
      ['conversion_window=1e3', 'conversion_window must be an integer between 1 and 2592000'],
      ['conversion_window=abc&mode=open', 'conversion_window must be an integer between 1 and 2592000'],
      ['conversion_window=60&mode=open', 'conversion_window is only supported in closed mode'],
      ['mode=open&mode=closed', 'mode must be given only once'],
      ['since=2024-01-01&since=2024-01-02', 'since must be given only once'],
    ])('answers %s with 400 %p, before any lookup', async (qs, error) => {
      await define([step('a')]);
      for (const [slug, p] of [
        ['f', projectId],
        ['missing', MISSING_ID],
      ]) {
        const res = await query(qs, slug, ada.headers, p);
        expect([res.statusCode, res.json()]).toEqual([400, { error }]);
      }
    });

    it('answers Project not found before Funnel not found, for malformed ids and slugs too', async () => {
      await define([step('a')]);
      expect((await query({}, 'f', ada.headers, MISSING_ID)).json()).toEqual({ error: 'Project not found' });
      expect((await query({}, 'f', ada.headers, 'not-a-uuid')).json()).toEqual({ error: 'Project not found' });
      for (const slug of ['missing', 'F', 'a%00', '%F0%9F%A6%89', 'x'.repeat(1000)]) {
        const res = await query({}, slug);
        expect([slug, res.statusCode, res.json()]).toEqual([slug, 404, { error: 'Funnel not found' }]);
      }
    });

    it('never answers 5xx for hostile values', async () => {
      await define([step('a'), step('b')]);
      await insertFunnelRows(
        t,
        seq('u', [
          ['a', 1],
          ['b', 2],
        ]),
      );
      const hostile = ['\u0000', '%', "'; DROP TABLE funnel_events; --", '\\', '\ud800', '🦉'.repeat(3000), '{"a":1}', 'null', '$1'];
      for (const v of hostile) {
        for (const name of [
          'app_version',
          'experiment',
          'group_by',
          'since',
          'until',
          'app_id',
          'environment',
          'mode',
          'data_mode',
          'conversion_window',
        ]) {
          const values = [v, `${v}:${v}`, `experiment:${v}`];
          for (const value of values) {
            const res = await query({ [name]: value });
            expect([name, value.slice(0, 20), res.statusCode < 500]).toEqual([name, value.slice(0, 20), true]);
          }
        }
      }
      const odd = await query({ experiment: '\u0000:\ud800', group_by: 'experiment:\u0000', app_version: '\u0000' });
      expect(odd.statusCode).toBe(200);
      expect(await counts({ since: '0001-01-01', until: '0001-01-01T00:00:00.001Z' })).toEqual({ users: [0, 0] });
      expect((await query({ since: '0000-01-01' })).statusCode).toBe(400);
      expect(await counts({ since: '0001-01-01' })).toEqual({ users: [1, 1] });
    });
  });
});
