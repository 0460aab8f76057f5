import { randomUUID } from 'node:crypto';
import { EventsRepository } from '../../src/modules/events/events.repository';
import { AppFixture, insertApp } from '../factories/apps.factory';
import { aFullEvent, anEvent, ingest, ingestOk } from '../factories/events.factory';
import { Session, loginAs } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';

/** §2.12.6 and §2.13.5: metric and funnel rows written by ingest in the events' statement (B15). */
describe('ingest → metric and funnel rows', () => {
  const t = useTestApp();
  let owner: Session;
  let app: AppFixture;

  beforeEach(async () => {
    await t.reset();
    owner = await loginAs(t, 'owner@example.com');
    app = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'apple' });
  });

  const metricRows = (): Promise<Record<string, unknown>[]> =>
    t.ds.query(`SELECT * FROM metric_events ORDER BY "timestamp", metric_slug, phase`);
  const funnelRows = (): Promise<Record<string, unknown>[]> => t.ds.query(`SELECT * FROM funnel_events ORDER BY seq`);

  it('copies a metric event into a metric row with the derived fields', async () => {
    const ts = new Date(Date.now() - 60_000);
    const tracking = randomUUID().toUpperCase();
    const ev = aFullEvent({
      message: 'metric:photo-upload:complete',
      level: 'info',
      timestamp: ts.toISOString(),
      custom_attributes: { tracking_id: tracking, duration_ms: 1250.7, format: 'heic', error: 'none' },
    });
    await ingestOk(t, app, [ev]);
    const [stored] = await t.ds.query(`SELECT * FROM events`);
    const rows = await metricRows();
    expect(rows).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        app_id: app.id,
        session_id: ev.session_id,
        user_id: 'owl_anon_7QkP2v',
        api_key_id: app.clientKeyId,
        metric_slug: 'photo-upload',
        phase: 'complete',
        tracking_id: tracking.toLowerCase(),
        duration_ms: 1250,
        error: 'none',
        attributes: { tracking_id: tracking, duration_ms: '1250.7', format: 'heic', error: 'none' },
        environment: 'ios',
        os_version: '18.1',
        app_version: '3.4.1',
        device_model: 'iPhone16,1',
        build_number: '311',
        is_dev: false,
        client_event_id: ev.client_event_id,
        timestamp: ts,
        received_at: stored.received_at,
      },
    ]);
    expect(rows[0].id).not.toBe(stored.id);
  });

  it('copies a track event into a funnel row; plain and non-metric messages make none', async () => {
    const ev = aFullEvent({ message: 'track:welcome', screen_name: 'Welcome', custom_attributes: { a: '1' } });
    await ingestOk(t, app, [
      ev,
      anEvent({ message: 'track:' }),
      anEvent({ message: 'metric:Photo:start' }),
      anEvent({ message: 'metric:a:b:start' }),
      anEvent({ message: 'metric:upload' }),
      anEvent({ message: 'checkout_started' }),
    ]);
    expect(await metricRows()).toEqual([]);
    const [stored] = await t.ds.query(`SELECT received_at FROM events WHERE message = 'track:welcome'`);
    expect(await funnelRows()).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        seq: expect.any(Number),
        app_id: app.id,
        session_id: ev.session_id,
        user_id: 'owl_anon_7QkP2v',
        api_key_id: app.clientKeyId,
        step_name: 'welcome',
        message: 'track:welcome',
        screen_name: 'Welcome',
        custom_attributes: { a: '1' },
        experiments: { paywall: 'b' },
        environment: 'ios',
        os_version: '18.1',
        app_version: '3.4.1',
        device_model: 'iPhone16,1',
        build_number: '311',
        is_dev: false,
        client_event_id: ev.client_event_id,
        timestamp: new Date(ev.timestamp as string),
        received_at: stored.received_at,
      },
    ]);
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM events`)).toEqual([{ n: 6 }]);
  });

  it('an odd attribute only nulls its field; "0" stays 0; attributes default to {}', async () => {
    await ingestOk(t, app, [
      anEvent({ message: 'metric:m:start', custom_attributes: { duration_ms: '0', tracking_id: 'nope' } }),
      anEvent({ message: 'metric:m:fail', level: 'error', custom_attributes: { duration_ms: '12ms', error: 'Timeout' } }),
      anEvent({ message: 'metric:m:complete', custom_attributes: { duration_ms: '99999999999' } }),
      anEvent({ message: 'metric:m:record' }),
    ]);
    const rows: { phase: string; duration_ms: number | null; tracking_id: string | null; error: string | null; attributes: unknown }[] =
      await t.ds.query(`SELECT phase, duration_ms, tracking_id, error, attributes FROM metric_events ORDER BY phase`);
    expect(rows).toEqual([
      { phase: 'complete', duration_ms: null, tracking_id: null, error: null, attributes: { duration_ms: '99999999999' } },
      { phase: 'fail', duration_ms: null, tracking_id: null, error: 'Timeout', attributes: { duration_ms: '12ms', error: 'Timeout' } },
      { phase: 'record', duration_ms: null, tracking_id: null, error: null, attributes: {} },
      { phase: 'start', duration_ms: 0, tracking_id: null, error: null, attributes: { duration_ms: '0', tracking_id: 'nope' } },
    ]);
  });

  it('rows exist only for stored events: rejected and duplicate events make none', async () => {
    const id = randomUUID();
    const res = await ingest(t, app, [
      anEvent({ message: 'metric:m:start', client_event_id: id }),
      anEvent({ message: 'track:a', level: 'nope' }),
      anEvent({ message: 'metric:m:complete', session_id: 'not-a-uuid' }),
    ]);
    expect(res.json()).toMatchObject({ accepted: 1, rejected: 2 });
    await ingestOk(t, app, [anEvent({ message: 'metric:m:start', client_event_id: id })]);
    const other = randomUUID();
    await Promise.all(Array.from({ length: 8 }, () => ingest(t, app, [anEvent({ message: 'track:b', client_event_id: other })])));
    expect((await metricRows()).map((r) => r.phase)).toEqual(['start']);
    expect((await funnelRows()).map((r) => r.step_name)).toEqual(['b']);
  });

  it('seq follows arrival order: array order inside a batch (same millisecond), later requests after earlier ones', async () => {
    const ts = new Date(Date.now() - 5_000).toISOString();
    const steps = Array.from({ length: 40 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    await ingestOk(
      t,
      app,
      steps.map((s) => anEvent({ message: `track:${s}`, timestamp: ts })),
    );
    await ingestOk(t, app, [anEvent({ message: 'track:later', timestamp: ts })]);
    const rows = await funnelRows();
    expect(rows.map((r) => r.step_name)).toEqual([...steps, 'later']);
    const seqs = rows.map((r) => Number(r.seq));
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1])).toBe(true);
  });

  it('concurrent requests (one group commit) each get their rows', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, r) =>
        ingest(t, app, [anEvent({ message: `track:r${r}` }), anEvent({ message: `metric:r${r}:start` }), anEvent()]),
      ),
    );
    expect(results.map((res) => res.json().accepted)).toEqual(Array(12).fill(3));
    expect((await funnelRows()).length).toBe(12);
    expect((await metricRows()).length).toBe(12);
  });

  it('identity claims relabel metric and funnel rows of the app', async () => {
    await ingestOk(t, app, [
      anEvent({ message: 'metric:m:start', user_id: 'owl_anon_q' }),
      anEvent({ message: 'track:a', user_id: 'owl_anon_q' }),
      anEvent({ message: 'track:a', user_id: 'owl_anon_other' }),
    ]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/identity/claim',
      headers: app.headers,
      payload: { anonymous_id: 'owl_anon_q', user_id: 'user-9' },
    });
    expect(res.json()).toEqual({ claimed: true, events_reassigned_count: 2 });
    expect((await metricRows()).map((r) => r.user_id)).toEqual(['user-9']);
    expect((await funnelRows()).map((r) => r.user_id)).toEqual(['user-9', 'owl_anon_other']);
  });

  it('purging an app removes its metric and funnel rows and nothing else', async () => {
    const other = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'apple' });
    await ingestOk(t, app, [anEvent({ message: 'metric:m:start' }), anEvent({ message: 'track:a' })]);
    await ingestOk(t, other, [anEvent({ message: 'metric:m:start' }), anEvent({ message: 'track:a' })]);
    await t.ds.transaction((m) => t.app.get(EventsRepository).deleteForApps([app.id], m));
    expect((await metricRows()).map((r) => r.app_id)).toEqual([other.id]);
    expect((await funnelRows()).map((r) => r.app_id)).toEqual([other.id]);
  });
  it('events, metric rows and funnel rows get time-ordered UUIDv7 ids: later requests sort after earlier ones', async () => {
    const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const msOf = (id: string): number => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    const before = Date.now();
    await ingestOk(t, app, [anEvent({ message: 'plain' }), anEvent({ message: 'metric:load:start' }), anEvent({ message: 'track:open' })]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await ingestOk(t, app, [anEvent({ message: 'track:pay' })]);
    const after = Date.now();

    const events: { id: string; message: string }[] = await t.ds.query(`SELECT id, message FROM events ORDER BY received_at, message`);
    const side: { id: string }[] = await t.ds.query(`SELECT id FROM metric_events UNION ALL SELECT id FROM funnel_events`);
    const ids = [...events.map((e) => e.id), ...side.map((r) => r.id)];
    expect(ids).toHaveLength(7);
    expect(new Set(ids).size).toBe(7);
    for (const id of ids) {
      expect(id).toMatch(V7);
      expect(msOf(id)).toBeGreaterThanOrEqual(before);
      expect(msOf(id)).toBeLessThanOrEqual(after);
    }
    const later = events.find((e) => e.message === 'track:pay')!.id;
    for (const e of events.filter((x) => x.message !== 'track:pay')) expect(e.id < later).toBe(true);
  });
});
