import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { APP_CONFIG } from '../../src/config/config.module';
import { ReadReplicas } from '../../src/database/read-replicas';
import { PrometheusService } from '../../src/modules/observability/prometheus.service';
import { AppFixture, insertApp, insertProject } from '../factories/apps.factory';
import { anEvent, ingestOk, listEvents } from '../factories/events.factory';
import { Session, loginAs } from '../utils/auth';
import { TestApp, createTestApp } from '../utils/create-test-app';
import { PgPair, pairFromEnv, startStandby, stopStandby } from './pg-pair';

/**
 * The app against a real primary + hot standby (test/replica/global-setup.ts): the heavy reads are answered by the
 * standby, what an ingest acknowledged is visible to the next read, a stopped standby costs no failed request, and
 * a restarted one is used again.
 */
describe('read replicas (DATABASE_REPLICA_URLS) with a real hot standby', () => {
  let pair: PgPair;
  let t: TestApp;
  let replicas: ReadReplicas;
  let standby: Client;
  let owner: Session;
  let app: AppFixture;
  let projectId: string;

  const fallbacks = async (): Promise<Record<string, number>> => {
    const text = await t.app.get(PrometheusService).render();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^owlmetry_replica_fallbacks_total\{reason="(\w+)"\} (\d+)/gm)) out[m[1]] = Number(m[2]);
    return out;
  };
  const total = (f: Record<string, number>) => Object.values(f).reduce((a, b) => a + b, 0);
  /** The last statement of each connection the app's read pool holds on the standby. */
  const standbyStatements = async (): Promise<string[]> =>
    (await standby.query<{ query: string }>(`SELECT query FROM pg_stat_activity WHERE application_name = 'owlmetry-read'`)).rows.map(
      (r) => r.query,
    );
  /** Statements the app's read pool ran on the standby (the standby logs every statement with its application_name). */
  const standbyLogged = (fragment: string): Promise<boolean> => {
    const log = join(pair.dir, 'standby.log');
    return until(
      `"${fragment}" in the standby log`,
      async () =>
        readFileSync(log, 'utf8')
          .split(/\n(?=\d{4}-\d\d-\d\d )/) // one entry per statement, continuation lines included
          .some((entry) => entry.includes('[owlmetry-read]') && entry.includes(fragment)),
      5_000,
    ).then(() => true);
  };
  const ready = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    return {
      status: res.statusCode,
      body: res.json<{ status: string; replicas: { name: string; state: string; lag_ms: number | null }[] }>(),
    };
  };
  const connectStandby = async (): Promise<Client> => {
    const c = new Client({ connectionString: pair.standbyUrl });
    c.on('error', () => undefined); // the standby is stopped on purpose below
    await c.connect();
    return c;
  };
  const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    pair = pairFromEnv();
    t = await createTestApp({
      databaseUrl: pair.primaryUrl,
      databaseReplicaUrls: [pair.standbyUrl],
      replicaMaxLagMs: 5_000,
      replicaWaitMs: 200,
      // The failover loop sends requests as fast as it can.
      rateLimitMaxTokens: 1_000_000,
      rateLimitRefillPerSec: 1_000_000,
    });
    replicas = t.app.get(ReadReplicas);
    standby = await connectStandby();
    owner = await loginAs(t, 'owner@example.com');
    projectId = await insertProject(t, owner.teamId, 'Replicated');
    app = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend', projectId });
  });
  afterAll(async () => {
    await standby?.end().catch(() => undefined);
    await t?.close();
  });

  it('the routing provider reads the standby, also in a read-only transaction with SET LOCAL', async () => {
    await until('the standby to be healthy', async () => (await replicas.probe(), replicas.state()[0].state === 'ok'));
    const [plain] = await replicas.query<{ standby: boolean; port: string }[]>(
      `SELECT pg_is_in_recovery() AS standby, current_setting('port') AS port`,
    );
    expect(plain).toEqual({ standby: true, port: String(pair.standbyPort) });
    const [inTx] = await replicas.transaction(async (q) => {
      await q.query(`SET LOCAL work_mem = '64MB'`);
      return q.query<{ standby: boolean; work_mem: string; read_only: string }[]>(
        `SELECT pg_is_in_recovery() AS standby, current_setting('work_mem') AS work_mem, current_setting('transaction_read_only') AS read_only`,
      );
    });
    expect(inTx).toEqual({ standby: true, work_mem: '64MB', read_only: 'on' });
    // Writes and everything else stay on the primary.
    const [primary] = await t.ds.query<{ standby: boolean }[]>(`SELECT pg_is_in_recovery() AS standby`);
    expect(primary.standby).toBe(false);
  });

  it('/health/ready stays {"status":"ok"} and lists the replica', async () => {
    const r = await ready();
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'ok',
      replicas: [{ name: `127.0.0.1:${pair.standbyPort}/owlmetry`, state: 'ok', lag_ms: expect.any(Number) }],
    });
  });

  it('GET /v1/events, /v1/events/:id, app users, metric events and query, funnel query are answered by the standby', async () => {
    const before = await fallbacks();
    await ingestOk(t, app, [
      anEvent({ message: 'hello', user_id: 'u1' }),
      anEvent({ message: 'metric:load:record', user_id: 'u1', custom_attributes: { duration_ms: '120' } }),
      anEvent({ message: 'track:a', user_id: 'u1' }),
      anEvent({ message: 'track:b', user_id: 'u1' }),
    ]);
    const list = await listEvents(t, owner.headers, { app_id: app.id });
    expect(list.statusCode).toBe(200);
    const events = list.json<{ events: { id: string; message: string }[] }>().events;
    expect(events.map((e) => e.message).sort()).toEqual(['hello', 'metric:load:record', 'track:a', 'track:b']);
    expect((await standbyStatements()).some((q) => q.includes('CROSS JOIN LATERAL') && q.includes('FROM events e'))).toBe(true);

    const one = await t.app.inject({ method: 'GET', url: `/v1/events/${events[0].id}`, headers: owner.headers });
    expect(one.statusCode).toBe(200);
    expect((await standbyStatements()).some((q) => q.includes('FROM events e WHERE e.id = $1'))).toBe(true);

    const users = await t.app.inject({ method: 'GET', url: `/v1/apps/${app.id}/users`, headers: owner.headers });
    expect(users.statusCode).toBe(200);
    expect(users.json<{ users: { user_id: string }[] }>().users.map((u) => u.user_id)).toEqual(['u1']);
    expect((await standbyStatements()).some((q) => q.includes('FROM app_users'))).toBe(true);

    const defined = await t.app.inject({
      method: 'POST',
      url: `/v1/projects/${projectId}/metrics`,
      headers: owner.headers,
      payload: { name: 'Load', slug: 'load' },
    });
    expect(defined.statusCode).toBe(201);
    const metricEvents = await t.app.inject({
      method: 'GET',
      url: `/v1/projects/${projectId}/metrics/load/events`,
      headers: owner.headers,
    });
    expect(metricEvents.statusCode).toBe(200);
    expect(metricEvents.json<{ events: unknown[] }>().events).toHaveLength(1);
    const metricQuery = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/metrics/load/query`, headers: owner.headers });
    expect(metricQuery.statusCode).toBe(200);
    expect(metricQuery.json<{ aggregation: { record_count: number } }>().aggregation.record_count).toBe(1);
    expect(await standbyLogged('FROM metric_events m')).toBe(true); // the list
    expect(await standbyLogged(`SET LOCAL work_mem = '64MB'`)).toBe(true); // the aggregate's transaction

    const funnel = await t.app.inject({
      method: 'POST',
      url: `/v1/projects/${projectId}/funnels`,
      headers: owner.headers,
      payload: {
        name: 'AB',
        slug: 'ab',
        steps: [
          { name: 'A', event_filter: { message: 'track:a' } },
          { name: 'B', event_filter: { message: 'track:b' } },
        ],
      },
    });
    expect(funnel.statusCode).toBe(201);
    const funnelQuery = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/funnels/ab/query`, headers: owner.headers });
    expect(funnelQuery.statusCode).toBe(200);
    expect(funnelQuery.json<{ analytics: { steps: { unique_users: number }[] } }>().analytics.steps.map((s) => s.unique_users)).toEqual([
      1, 1,
    ]);
    expect(await standbyLogged('funnel_events')).toBe(true);

    // Every one of those reads was served by the standby: no fallback was counted.
    expect(total(await fallbacks())).toBe(total(before));
  });

  it('an acknowledged ingest is visible to the very next list (replica reads wait for the primary WAL position)', async () => {
    const before = await fallbacks();
    const rounds = 25;
    for (let i = 0; i < rounds; i++) {
      const message = `ack-${i}-${randomUUID()}`;
      await ingestOk(t, app, [anEvent({ message })]);
      const res = await listEvents(t, owner.headers, { app_id: app.id, limit: '5' });
      expect(res.statusCode).toBe(200);
      expect(res.json<{ events: { message: string }[] }>().events.map((e) => e.message)).toContain(message);
    }
    // Most of them on the standby (the wait is bounded at 200 ms; a slower replay would fall back to the primary).
    const after = await fallbacks();
    expect(total(after) - total(before)).toBeLessThan(rounds / 2);
  });

  it('a replica connection that breaks while the read waits for the primary WAL position is heard: the read falls back', async () => {
    // Its own ReadReplicas, whose primary answers the WAL-position query only when the test lets it: the read
    // pool's connection is checked out meanwhile, and the test terminates it on the standby in that window.
    const primary = t.app.get(DataSource);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let gated = false;
    const ds = {
      query: async (sql: string, params?: unknown[]) => {
        if (gated && sql.includes('pg_current_wal_lsn')) await gate;
        return primary.query(sql, params);
      },
    };
    const own = new ReadReplicas(ds as unknown as DataSource, {
      ...t.app.get<AppConfig>(APP_CONFIG),
      databaseReplicaUrls: [pair.standbyUrl],
      replicaMaxLagMs: 5_000,
      replicaWaitMs: 200,
    });
    const reasons: string[] = [];
    own.onFallback((r) => reasons.push(r));
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const readPids = async () =>
      (await standby.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'owlmetry-read'`)).rows.map(
        (r) => r.pid,
      );
    try {
      await until('the standby to be healthy for its own ReadReplicas', async () => (await own.probe(), own.state()[0].state === 'ok'));
      const known = new Set(await readPids());
      gated = true;
      const read = own.query<{ n: number }[]>('SELECT 7 AS n');
      let fresh: number[] = [];
      await until(
        'its read connection on the standby',
        async () => ((fresh = (await readPids()).filter((p) => !known.has(p))), fresh.length > 0),
      );
      await standby.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [fresh]);
      await until('the broken connection to mark the replica down', async () => own.state()[0].state === 'down');
      release();
      await expect(read).resolves.toEqual([{ n: 7 }]);
      expect(reasons).toEqual(['error']);
      // The outage's one warning names what broke the connection (the later failed statement on it only updates the state).
      expect(warn.mock.calls.filter(([m]) => String(m).includes('Read replica')).map(([m]) => String(m))).toEqual([
        `Read replica ${own.state()[0].name} is skipped, its reads go to the primary until it recovers: terminating connection due to administrator command`,
      ]);
      expect(own.state()[0].state).toBe('down');
    } finally {
      warn.mockRestore();
      release();
      await own.onApplicationShutdown();
    }
  });

  it('a stopped standby costs no failed request; a restarted one is used again', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const before = await fallbacks();
    const statuses: number[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        const res = await listEvents(t, owner.headers, { app_id: app.id, limit: '5' });
        statuses.push(res.statusCode);
        if (res.statusCode !== 200) throw new Error(`request failed while the standby stopped: ${res.statusCode} ${res.body}`);
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    try {
      await new Promise((r) => setTimeout(r, 500));
      await stopStandby(pair);
      await new Promise((r) => setTimeout(r, 2_500));
    } finally {
      running = false;
      await Promise.all(workers);
    }
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(total(await fallbacks())).toBeGreaterThan(total(before));
    const down = await ready();
    expect(down.status).toBe(200);
    expect(down.body.replicas[0].state).toBe('down');
    // One warning for the whole outage, however many reads fell back.
    const replicaWarnings = () => warn.mock.calls.filter(([m]) => String(m).includes('Read replica')).length;
    expect(replicaWarnings()).toBe(1);
    const list = await listEvents(t, owner.headers, { app_id: app.id });
    expect(list.statusCode).toBe(200);

    await startStandby(pair);
    await until('the restarted standby to be used again', async () => (await ready()).body.replicas[0].state === 'ok');
    await standby.end().catch(() => undefined);
    standby = await connectStandby();
    const recovered = await fallbacks();
    for (let i = 0; i < 5; i++) expect((await listEvents(t, owner.headers, { app_id: app.id })).statusCode).toBe(200);
    expect(total(await fallbacks())).toBe(total(recovered));
    expect((await standbyStatements()).some((q) => q.includes('FROM events e'))).toBe(true);
    expect(replicaWarnings()).toBe(1);
    warn.mockRestore();
  });
});
