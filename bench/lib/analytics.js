'use strict';
/*
 * Analytics scenarios (issue #13 "Benchmark"): ingest with metric/funnel messages vs plain ingest in the same run,
 * the metric query over 1 000 000 and 100 000 rows, the 5-step funnel query (closed and open) over 1 000 000 rows of
 * 100 000+ users. Rows are loaded with direct SQL (generate_series), then VACUUM (ANALYZE); the queries go through
 * the public API at concurrency 1 with a user token.
 */
const { log, round, percentile } = require('./util');
const { cpuMeter } = require('./proc');
const { pgConnect, pgClose } = require('./state');
const { assertServerAlive } = require('./server');

/** `n` metric rows of one app/slug, timestamps over the 23 h before now (inside the default 24 h window). */
const METRIC_SQL = `
INSERT INTO metric_events (app_id, session_id, user_id, metric_slug, phase, tracking_id, duration_ms, error, attributes,
  environment, os_version, app_version, device_model, build_number, is_dev, client_event_id, "timestamp", received_at)
SELECT $1::uuid, md5($1 || ':s:' || (g / 40))::uuid,
  CASE WHEN g % 25 = 0 THEN NULL ELSE 'bench_user_' || ((g / 4) * 7919 % 20000) END,
  $2, ph.p, md5($1 || ':t:' || (g / 2))::uuid,
  CASE WHEN ph.p IN ('complete', 'fail', 'cancel') THEN 20 + ((g * 2654435761::bigint) % 1000)::int + (CASE WHEN g % 97 = 0 THEN g % 9000 ELSE 0 END)
       WHEN ph.p = 'record' THEN 5 + g % 300 END,
  CASE WHEN ph.p = 'fail' THEN (ARRAY['timeout','network_unreachable','http_500','decode_error','cancelled_by_os'])[1 + (g / 2) % 5] END,
  jsonb_build_object('endpoint', (ARRAY['/feed','/profile','/search'])[1 + g % 3]),
  (ARRAY['ios','ios','android','web','backend'])[1 + (g / 40) % 5],
  (ARRAY['17.4','17.5','18.0','14','15'])[1 + (g / 40) % 5],
  (ARRAY['3.4.0','3.4.1','3.5.0','3.5.1','3.6.0'])[1 + (g / 400) % 5],
  (ARRAY['iPhone15,2','iPhone16,1','Pixel 8','SM-S918B','MacBookPro18,1'])[1 + (g / 40) % 5],
  (300 + (g / 400) % 20)::text, g % 50 = 7, gen_random_uuid(), t.ts, t.ts + interval '150 milliseconds'
FROM generate_series($3::int, $4::int) AS g
CROSS JOIN LATERAL (SELECT $6::timestamptz - interval '23 hours' * (1 - g::float8 / $5::int) - interval '5 minutes' AS ts) AS t
CROSS JOIN LATERAL (SELECT CASE WHEN g % 2 = 0 THEN 'start' WHEN g % 20 = 1 THEN 'fail' WHEN g % 50 = 3 THEN 'cancel'
                                WHEN g % 10 = 9 THEN 'record' ELSE 'complete' END AS p) AS ph`;

/**
 * Funnel rows: user u (of $5) has depth 1..5 (100 % reach step 1, then about 70/50/35/20 %) and cycles through
 * its steps (A B C A B C …, as users repeat); row r of a user comes r × 2 min after its first, all within 23 h.
 */
const FUNNEL_SQL = `
INSERT INTO funnel_events (app_id, session_id, user_id, step_name, message, environment, app_version, is_dev, experiments,
  "timestamp", received_at)
SELECT $1::uuid, md5($1 || ':fs:' || u)::uuid, 'funnel_user_' || u, 'step_' || s.step, 'track:step_' || s.step,
  (ARRAY['ios','android','web'])[1 + u % 3], (ARRAY['3.4.0','3.5.0','3.6.0'])[1 + u % 3], u % 50 = 7,
  jsonb_build_object('paywall', CASE WHEN u % 2 = 1 THEN 'b' ELSE 'a' END), t.ts, t.ts + interval '150 milliseconds'
FROM generate_series($2::int, $3::int) AS g
CROSS JOIN LATERAL (SELECT g % $5::int AS u, g / $5::int AS r) AS ur
CROSS JOIN LATERAL (SELECT CASE WHEN (u * 7919) % 100 < 30 THEN 1 WHEN (u * 7919) % 100 < 50 THEN 2
                                WHEN (u * 7919) % 100 < 65 THEN 3 WHEN (u * 7919) % 100 < 80 THEN 4 ELSE 5 END AS depth) AS d
CROSS JOIN LATERAL (SELECT 1 + r % d.depth AS step) AS s
CROSS JOIN LATERAL (SELECT $4::timestamptz - interval '23 hours' + (u % 600) * interval '1 minute'
                           + r * interval '2 minutes' + (u / 600) * interval '1 millisecond' AS ts) AS t`;

async function loadRows(ctx, label, sql, n, paramsFor) {
  const c = await pgConnect(ctx.dbUrl, `prefill-${label}`);
  try {
    await c.query(`SET statement_timeout = '15min'`);
    const started = Date.now();
    const CHUNK = 250_000;
    for (let from = 0; from < n; from += CHUNK) {
      const to = Math.min(n, from + CHUNK) - 1;
      await c.query(sql, paramsFor(from, to));
    }
    log(`prefill ${label}: ${n} rows (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return (Date.now() - started) / 1000;
  } finally {
    await pgClose(c);
  }
}

async function vacuumAnalyzeTables(ctx, tables) {
  const c = await pgConnect(ctx.dbUrl, 'vacuum');
  try {
    await c.query(`SET statement_timeout = '15min'`);
    const s = Date.now();
    await c.query(`VACUUM (ANALYZE) ${tables.join(', ')}`);
    log(`VACUUM (ANALYZE) ${tables.join(', ')}: ${((Date.now() - s) / 1000).toFixed(1)} s`);
  } finally {
    await pgClose(c);
  }
}

/**
 * `runs` sequential GETs (concurrency 1) after `warmup` discarded ones: p50/p99/mean, and the CPU of the server and
 * of the database's backends (incl. parallel workers) per request over the measured requests.
 */
async function timeGet(ctx, api, token, url, { runs, warmup }) {
  for (let i = 0; i < warmup; i++) await api('GET', url, { token, expect: [200] });
  assertServerAlive();
  const probeEnd = ctx.probe ? await ctx.probe.begin() : null;
  const meter = cpuMeter(ctx.serverPid);
  const lat = [];
  let body = null;
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    const r = await api('GET', url, { token, expect: [200] });
    lat.push(Number(process.hrtime.bigint() - s) / 1e6);
    body = r.json;
  }
  const cpu = meter();
  const db = probeEnd ? await probeEnd() : {};
  const sorted = [...lat].sort((a, b) => a - b);
  return {
    runs,
    p50_ms: round(percentile(sorted, 50), 1),
    p99_ms: round(percentile(sorted, 99), 1),
    min_ms: round(sorted[0], 1),
    max_ms: round(sorted[sorted.length - 1], 1),
    req_per_s: round(1000 / (lat.reduce((a, b) => a + b, 0) / runs), 2),
    server_cpu_ms_per_unit: cpu.server_cpu_ms === null ? null : cpu.server_cpu_ms / runs,
    db_cpu_ms_per_unit: db.db_cpu_ms === undefined ? null : db.db_cpu_ms / runs,
    machine_busy_pct: cpu.machine_busy_pct,
    latencies_ms: lat.map((x) => round(x, 1)),
    body,
  };
}

/**
 * Metric definitions + rows for the big (`--metric-rows`) and the small (a tenth) metric set, the 5-step funnel
 * definition + rows, then VACUUM (ANALYZE). Returns the sets ({ label, slug, n, appId, prefill_s, target }) and the
 * funnel ({ slug, users, rows, appId, prefill_s }). Also used by the replica part (bench/lib/replica.js).
 */
async function loadAnalyticsData(ctx, api, P, opts) {
  const token = P.token;
  const createApp = async (name) =>
    (await api('POST', '/v1/apps', { token, body: { name, platform: 'backend', project_id: P.projectId }, expect: [201] })).json.id;
  const sets = [
    { label: '1M', slug: 'bench-metric-1m', n: opts.metricRows, target: 400 },
    { label: '100k', slug: 'bench-metric-100k', n: Math.max(1000, Math.round(opts.metricRows / 10)), target: 40 },
  ];
  const now = new Date().toISOString();
  for (const set of sets) {
    set.appId = await createApp(`bench-metrics-${set.label}`);
    await api('POST', `/v1/projects/${P.projectId}/metrics`, {
      token,
      body: { name: `Bench ${set.label}`, slug: set.slug },
      expect: [201],
    });
    set.prefill_s = await loadRows(ctx, `metric-${set.label}`, METRIC_SQL, set.n, (from, to) => [
      set.appId,
      set.slug,
      from + 1,
      to + 1,
      set.n,
      now,
    ]);
  }
  const funnel = { users: opts.funnelUsers, rows: opts.funnelRows, slug: 'bench-funnel' };
  funnel.appId = await createApp('bench-funnel');
  await api('POST', `/v1/projects/${P.projectId}/funnels`, {
    token,
    body: {
      name: 'Bench funnel',
      slug: funnel.slug,
      steps: [1, 2, 3, 4, 5].map((k) => ({ name: `Step ${k}`, event_filter: { message: `track:step_${k}` } })),
    },
    expect: [201],
  });
  funnel.prefill_s = await loadRows(ctx, 'funnel', FUNNEL_SQL, funnel.rows, (from, to) => [funnel.appId, from, to, now, funnel.users]);
  await vacuumAnalyzeTables(ctx, ['metric_events', 'funnel_events']);
  return { sets, funnel };
}

/** The data of loadAnalyticsData, then the timed metric and funnel queries. */
async function runAnalyticsQueries(ctx, api, P, opts) {
  const out = { metric: [], funnel: [], notes: [] };
  const token = P.token;
  const { sets, funnel } = await loadAnalyticsData(ctx, api, P, opts);

  const timing = { runs: opts.quick ? 3 : 11, warmup: opts.quick ? 1 : 2 };
  for (const set of sets) {
    const base = `/v1/projects/${P.projectId}/metrics/${set.slug}/query`;
    for (const [name, qs] of [
      ['plain', ''],
      ['group_by=time:day', '?group_by=time:day'],
      ['group_by=app_version', '?group_by=app_version'],
    ]) {
      const r = await timeGet(ctx, api, token, base + qs, timing);
      const total = r.body?.aggregation?.total_count ?? r.body?.total_count ?? null;
      log(
        `metric ${set.label} ${name}: p50 ${r.p50_ms} ms p99 ${r.p99_ms} ms, server ${fmtMs(r.server_cpu_ms_per_unit)} pg ${fmtMs(r.db_cpu_ms_per_unit)} ms/query`,
      );
      delete r.body;
      out.metric.push({
        set: set.label,
        rows: set.n,
        name,
        url: base + qs,
        target_p50_ms: set.target,
        pass: r.p50_ms <= set.target,
        total_count: total,
        ...r,
      });
    }
  }
  const fbase = `/v1/projects/${P.projectId}/funnels/${funnel.slug}/query`;
  for (const [mode, target] of [
    ['closed', 1000],
    ['open', 300],
  ]) {
    const r = await timeGet(ctx, api, token, `${fbase}?mode=${mode}`, timing);
    const steps = r.body?.analytics?.steps ?? r.body?.steps ?? null;
    log(
      `funnel ${mode}: p50 ${r.p50_ms} ms p99 ${r.p99_ms} ms, server ${fmtMs(r.server_cpu_ms_per_unit)} pg ${fmtMs(r.db_cpu_ms_per_unit)} ms/query`,
    );
    delete r.body;
    out.funnel.push({ mode, rows: funnel.rows, users: funnel.users, target_p50_ms: target, pass: r.p50_ms <= target, steps, ...r });
  }
  out.prefill_s = { metric: sets.map((s) => s.prefill_s), funnel: funnel.prefill_s };
  return out;
}

const fmtMs = (x) => (x === null || x === undefined ? '—' : x.toFixed(3));

module.exports = { METRIC_SQL, FUNNEL_SQL, loadRows, loadAnalyticsData, timeGet, runAnalyticsQueries };
