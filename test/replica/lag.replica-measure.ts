import { Client } from 'pg';
import { ReadReplicas, parseLsn } from '../../src/database/read-replicas';
import { PrometheusService } from '../../src/modules/observability/prometheus.service';
import { insertApp, insertProject } from '../factories/apps.factory';
import { anEvent, ingest } from '../factories/events.factory';
import { loginAs } from '../utils/auth';
import { TestApp, createTestApp } from '../utils/create-test-app';
import { pairFromEnv } from './pg-pair';

/**
 * Replication lag under ingest load (README "Scaling out"). A measurement, not a test: it takes ~15 s and prints
 * figures, so `npm run test:replica` does not pick it up; run it with `REPLICA_TEST_FSYNC=on npm run measure:replica-lag`.
 * Load: 4 clients posting batches of 100 events for 10 s. Every 100 ms the primary's WAL position is taken and the
 * standby polled (1 ms) until it has replayed it: the time that takes is the visibility lag. The standby's
 * `now() - pg_last_xact_replay_timestamp()` is sampled too.
 */
describe('replication lag under ingest load (measurement)', () => {
  let t: TestApp;
  afterAll(async () => t?.close());

  it('measures', async () => {
    const pair = pairFromEnv();
    t = await createTestApp({
      databaseUrl: pair.primaryUrl,
      databaseReplicaUrls: [pair.standbyUrl],
      rateLimitMaxTokens: 1_000_000,
      rateLimitRefillPerSec: 1_000_000,
    });
    const owner = await loginAs(t, 'lag@example.com');
    const app = await insertApp(t, {
      teamId: owner.teamId,
      createdBy: owner.userId,
      platform: 'backend',
      projectId: await insertProject(t, owner.teamId),
    });
    const primary = new Client({ connectionString: pair.primaryUrl });
    const standby = new Client({ connectionString: pair.standbyUrl });
    await primary.connect();
    await standby.connect();
    const lsnOf = async (c: Client, fn: string) => parseLsn((await c.query<{ l: string }>(`SELECT ${fn}::text AS l`)).rows[0].l);

    const seconds = Number(process.env.MEASURE_SECONDS ?? 10);
    const end = Date.now() + seconds * 1000;
    let events = 0;
    let reads = 0;
    const batch = Array.from({ length: 100 }, (_, i) =>
      anEvent({ message: `load ${i}`, user_id: `u${i % 20}`, custom_attributes: { i: String(i) } }),
    );
    const writer = async () => {
      while (Date.now() < end) {
        const res = await ingest(t, app, batch);
        if (res.statusCode !== 200) throw new Error(`ingest ${res.statusCode} ${res.body}`);
        events += res.json<{ accepted: number }>().accepted;
      }
    };
    const reader = async () => {
      while (Date.now() < end) {
        const res = await t.app.inject({ method: 'GET', url: `/v1/events?app_id=${app.id}&limit=50`, headers: owner.headers });
        if (res.statusCode !== 200) throw new Error(`list ${res.statusCode}`);
        reads++;
      }
    };
    const visibility: number[] = [];
    const replayAge: number[] = [];
    const bytesBehind: number[] = [];
    const sampler = async () => {
      while (Date.now() < end) {
        const target = await lsnOf(primary, 'pg_current_wal_lsn()');
        const t0 = process.hrtime.bigint();
        let replayed = await lsnOf(standby, 'pg_last_wal_replay_lsn()');
        bytesBehind.push(Number(target - replayed));
        while (replayed < target) {
          await new Promise((r) => setTimeout(r, 1));
          replayed = await lsnOf(standby, 'pg_last_wal_replay_lsn()');
        }
        visibility.push(Number(process.hrtime.bigint() - t0) / 1e6);
        const age = await standby.query<{ ms: string | null }>(
          `SELECT (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::text AS ms`,
        );
        if (age.rows[0].ms !== null) replayAge.push(Number(age.rows[0].ms));
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const before = await t.app.get(PrometheusService).render();
    await Promise.all([writer(), writer(), writer(), writer(), reader(), sampler()]);
    const after = await t.app.get(PrometheusService).render();
    await primary.end();
    await standby.end();

    const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
    const fmt = (xs: number[]) => `p50 ${pct(xs, 0.5).toFixed(1)} / p95 ${pct(xs, 0.95).toFixed(1)} / max ${Math.max(...xs).toFixed(1)}`;
    const fallbacks = (text: string) =>
      [...text.matchAll(/^owlmetry_replica_fallbacks_total\{reason="(\w+)"\} (\d+)/gm)].map((m) => `${m[1]}=${m[2]}`).join(' ');
    console.log(
      [
        `ingest: ${events} events in ${seconds} s (${Math.round(events / seconds)}/s, 4 clients, batch 100); ${reads} event lists meanwhile`,
        `visibility lag (primary WAL position -> replayed on the standby), ms: ${fmt(visibility)} (${visibility.length} samples)`,
        `standby now() - pg_last_xact_replay_timestamp(), ms: ${fmt(replayAge)}`,
        `WAL bytes behind at sample time: ${fmt(bytesBehind)}`,
        `replica state: ${JSON.stringify(t.app.get(ReadReplicas).state())}`,
        `fallbacks before: ${fallbacks(before)}; after: ${fallbacks(after)}`,
      ].join('\n'),
    );
    expect(visibility.length).toBeGreaterThan(0);
  });
});
