#!/usr/bin/env node
'use strict';
/*
 * OwlMetry server benchmark (issue #7). Plain CommonJS, run by `npm run bench` (= build + `node bench/run.js`);
 * this file is the entry (main flow); the parts live in bench/lib/*.js.
 *
 * Default: creates a fresh database on the PostgreSQL named by DATABASE_URL, starts an in-process SMTP sink,
 * spawns the built server (dist/src/main.js), provisions everything through the public API, then measures
 *   (1) ingest at batch 1/10/100 × concurrency 16/64, (2) the raw multi-row INSERT ceiling, (3) a hot app
 *   holding 200k events, (4) GET /v1/events variants on apps with 200k and 2M events, (5) server RSS,
 * prints one table and writes the full JSON to bench/results/<date>.json. `node bench/run.js --help` for flags.
 *
 * Exit code: 0 when the benchmark ran (missed targets are reported, not fatal); 1 on setup errors.
 */

const fs = require('node:fs');
const path = require('node:path');

const { parseOptions, HELP, SetupError } = require('./lib/args');
const { REPO, MB, log, sleep, round, redact } = require('./lib/util');
const { readRssBytes, RssSampler, makeDbProbe } = require('./lib/proc');
const { makeBatchBuilder } = require('./lib/events');
const { SmtpSink } = require('./lib/smtp');
const { state, pgConnect, pgClose, cleanup, isInterrupted } = require('./lib/state');
const { createDatabase, spawnServer, tail, summarizeServerLog } = require('./lib/server');
const { makeApi, provision } = require('./lib/provision');
const { measure, ingestOnce, INGEST_SUMS, queryOnce, QUERY_SUMS } = require('./lib/load');
const { makeCeiling } = require('./lib/ceiling');
const { prefill, vacuumAnalyze, checkpoint } = require('./lib/prefill');
const { fmt, renderReport, machineMeta } = require('./lib/report');
const { runAnalyticsQueries } = require('./lib/analytics');
const { runReplicaBench } = require('./lib/replica');
const { runDecay } = require('./lib/decay');

// ---------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const watchdog = setTimeout(() => {
    log(`time limit of ${opts.maxMinutes} min reached; aborting`);
    cleanup().finally(() => process.exit(1));
  }, opts.maxMinutes * 60_000);
  watchdog.unref();

  const date = new Date().toISOString();
  const resultsDir = path.join(__dirname, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const stamp = date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const outFile = path.resolve(opts.out ?? path.join(resultsDir, `${stamp}.json`));

  // --only replica: its own PostgreSQL primary + standby and two servers (bench/lib/replica.js).
  if (opts.only.has('replica')) {
    const code = await runReplicaBench(opts, { date, outFile, resultsDir, stamp });
    clearTimeout(watchdog);
    return code;
  }

  // --- target server -------------------------------------------------------------------------------------------
  const ctx = { base: null, serverPid: null, dbUrl: null, probe: null };
  let serverDesc;
  state.sink = new SmtpSink();
  if (opts.baseUrl) {
    ctx.base = opts.baseUrl;
    ctx.serverPid = opts.serverPid;
    ctx.dbUrl = opts.databaseUrl;
    if (opts.smtpPort) await state.sink.start(opts.smtpPort);
    const ready = await fetch(`${ctx.base}/health/ready`, { signal: AbortSignal.timeout(5000) }).catch((e) => ({ status: e.message }));
    if (ready.status !== 200) throw new SetupError(`${ctx.base}/health/ready → ${ready.status}`);
    serverDesc = `existing server at ${ctx.base}${ctx.serverPid ? ` (pid ${ctx.serverPid})` : ''}`;
  } else {
    const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
    const db = await createDatabase(adminUrl);
    ctx.dbUrl = db.url;
    state.benchDbUrl = db.url;
    state.keepDb = opts.keepDb;
    log(`created database ${db.dbName}`);
    await state.sink.start(0);
    const logFile = path.join(resultsDir, `server-${stamp}.log`);
    const nodeFlags = opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resultsDir}`, `--cpu-prof-name=server-${stamp}.cpuprofile`] : [];
    const srv = await spawnServer(db.url, state.sink.port, logFile, nodeFlags);
    ctx.base = srv.base;
    ctx.serverPid = srv.pid;
    serverDesc =
      `spawned dist/src/main.js (pid ${srv.pid}) on ${srv.base}, database ${db.dbName}, log ${path.relative(REPO, logFile)}` +
      (opts.cpuProf ? ` — CPU PROFILING ON (bench/results/server-${stamp}.cpuprofile), numbers not comparable` : '');
    log(`server ready: ${serverDesc}`);
  }

  let pgVersion = null;
  if (ctx.dbUrl) {
    const c = await pgConnect(ctx.dbUrl, 'meta').catch((e) => {
      throw new SetupError(`cannot connect to the bench database: ${e.message}`);
    });
    pgVersion = (await c.query('SELECT version() AS v')).rows[0].v.replace(/ on .*$/, '');
    await pgClose(c);
    ctx.probe = await makeDbProbe(ctx.dbUrl);
  }

  const R = {
    meta: {
      date,
      ...machineMeta(pgVersion),
      server: serverDesc,
      out: path.relative(process.cwd(), outFile) || outFile,
    },
    config: {
      ...opts,
      only: [...opts.only],
      token: opts.token ? '***' : null,
      databaseUrl: opts.databaseUrl ? redact(opts.databaseUrl) : null,
    },
    rate_limit_note: '',
    ingest: null,
    ceiling: null,
    ceiling_copy: null,
    hot: null,
    queries: null,
    analytics: null,
    decay: null,
    rss: null,
    server_log: null,
    notes: {},
    anomalies: [],
  };

  // --- provisioning ------------------------------------------------------------------------------------------
  const api = makeApi(ctx.base);
  const P = await provision(api, opts, state.sink);
  R.provisioned = {
    cold_apps: P.coldApps.length,
    cold_client_keys: P.coldKeys.length,
    hot_app_keys: P.hot.keys.length,
    agent_keys: P.agentKeys.length,
  };
  R.rate_limit_note =
    `per-key bucket 100 tokens, 10/s — load is spread round-robin over ${P.coldKeys.length} client keys of ${P.coldApps.length} apps ` +
    `(${fmt(P.coldKeys.length * 10)} req/s sustained), ${P.hot.keys.length} keys of the hot app, ${P.agentKeys.length} agent keys for queries, ` +
    'so the per-key limit is not what is measured (429s are counted and flagged)';
  log(R.rate_limit_note);

  // Sanity: one small batch must be accepted in full, else nothing below means anything.
  {
    const body = makeBatchBuilder(2)();
    const r = await fetch(`${ctx.base}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${P.coldKeys[0]}` },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await r.text();
    if (r.status !== 200 || !/"accepted":2\b/.test(text))
      throw new SetupError(`sanity ingest of 2 events → ${r.status} ${text.slice(0, 300)}`);
  }

  // --- (5) idle RSS ------------------------------------------------------------------------------------------
  const sampler = new RssSampler(ctx.serverPid);
  state.sampler = sampler;
  let idleRss = null;
  if (ctx.serverPid) {
    await sleep(2000);
    idleRss = readRssBytes(ctx.serverPid);
    sampler.start();
  } else {
    R.notes.rss = 'no --server-pid';
  }

  // --- (1) ingest matrix, with (2) the ceiling right after batch 100 c16 --------------------------------------
  const samples = { ingest: [], hot: [], queries: [] };
  const ingestPlan = [
    { batch: 1, connections: 16 },
    { batch: 1, connections: 64 },
    { batch: 10, connections: 16 },
    { batch: 10, connections: 64 },
    { batch: 100, connections: 16 },
    { batch: 100, connections: 64 },
  ];
  let peakIngestRss = 0;
  let ceilingDone = false;
  const runCeiling = async () => {
    if (!opts.only.has('ceiling') || ceilingDone) return;
    ceilingDone = true;
    if (!ctx.dbUrl) {
      R.notes.ceiling = 'needs --database-url';
      return;
    }
    const ceil = await makeCeiling(ctx, { connections: 16, appIds: P.coldApps.map((a) => a.id) });
    try {
      const m = await measure('ceiling 100-row INSERT c16', opts, ceil.once, ['rows', 'errors'], () => checkpoint(ctx));
      R.ceiling = { connections: 16, rows_per_statement: 100, ...m };
    } finally {
      await ceil.close();
    }
    const copy = await makeCeiling(ctx, { connections: 16, appIds: P.coldApps.map((a) => a.id), mode: 'copy' });
    try {
      const m = await measure('ceiling 100-row COPY c16', opts, copy.once, ['rows', 'errors'], () => checkpoint(ctx));
      R.ceiling_copy = { connections: 16, rows_per_statement: 100, ...m };
    } finally {
      await copy.close();
    }
  };

  if (opts.only.has('ingest')) {
    R.ingest = { scenarios: [] };
    for (const plan of ingestPlan) {
      const label = `ingest batch ${plan.batch} c${plan.connections}`;
      const once = ingestOnce(ctx, { ...plan, keys: P.coldKeys, samples: samples.ingest });
      const m = await measure(
        label,
        opts,
        async (secs, warm) => {
          if (!warm) sampler.resetPeak();
          const r = await once(secs);
          if (!warm) r.rss_peak_mb = sampler.peak / MB;
          peakIngestRss = Math.max(peakIngestRss, sampler.peak);
          return r;
        },
        INGEST_SUMS,
        () => checkpoint(ctx),
      );
      R.ingest.scenarios.push({ ...plan, ...m });
      if (plan.batch === 100 && plan.connections === 16) await runCeiling();
    }
  }
  await runCeiling();

  const cold100 = R.ingest?.scenarios.find((s) => s.batch === 100 && s.connections === 16);
  const b1c16 = R.ingest?.scenarios.find((s) => s.batch === 1 && s.connections === 16);
  if (b1c16) {
    const m = b1c16.median;
    b1c16.target = { text: '≥1500 req/s, p99<50ms', pass: m.req_per_s >= 1500 && m.p99_ms < 50 };
  }
  if (cold100) {
    const m = cold100.median;
    cold100.target = { text: '≥60% ceiling, p99<150ms', pass: null };
    if (R.ceiling) {
      R.ceiling.ratio = m.events_per_s / R.ceiling.median.rows_per_s;
      R.ceiling.pass = R.ceiling.ratio >= 0.6 && m.p99_ms < 150;
      cold100.target.pass = R.ceiling.pass;
      cold100.target.text = `${fmt(R.ceiling.ratio * 100, 0)}% of ceiling, p99<150`;
    }
    if (R.ceiling_copy) R.ceiling_copy.ratio = m.events_per_s / R.ceiling_copy.median.rows_per_s;
  }

  // --- (7) no decay as history grows (opt-in: --only decay) ----------------------------------------------------
  if (opts.only.has('decay')) {
    if (!ctx.dbUrl) {
      R.notes.decay = 'needs --database-url for the history load';
    } else {
      const measureIngest = (label) =>
        measure(label, opts, ingestOnce(ctx, { batch: 100, connections: 16, keys: P.coldKeys, samples: samples.ingest }), INGEST_SUMS, () =>
          checkpoint(ctx),
        );
      R.decay = await runDecay(
        ctx,
        opts,
        P.coldApps.map((a) => a.id),
        measureIngest,
      );
    }
  }

  // --- (3) hot app ------------------------------------------------------------------------------------------
  if (opts.only.has('hot')) {
    if (!ctx.dbUrl) {
      R.notes.hot = 'needs --database-url for the 200k-event prefill';
    } else {
      log(`prefilling the hot app with ${fmt(opts.hotEvents)} events`);
      const secs = await prefill(ctx, P.hot.id, opts.hotEvents, 'hot');
      await vacuumAnalyze(ctx);
      const once = ingestOnce(ctx, { batch: 100, connections: 16, keys: P.hot.keys, samples: samples.hot });
      const m = await measure('hot app batch 100 c16', opts, once, INGEST_SUMS, () => checkpoint(ctx));
      R.hot = { prefilled_events: opts.hotEvents, prefill_s: round(secs, 1), keys: P.hot.keys.length, batch: 100, connections: 16, ...m };
      if (cold100) {
        R.hot.ratio = m.median.events_per_s / cold100.median.events_per_s;
        R.hot.pass = R.hot.ratio >= 0.8;
      }
    }
  }

  // --- (4) queries -------------------------------------------------------------------------------------------
  if (opts.only.has('queries')) {
    if (!ctx.dbUrl) {
      R.notes.queries = 'skipped: needs --database-url for the prefills';
    } else {
      R.queries = { connections: 8, sets: [] };
      const sets = [{ label: '200k', app: P.q200k, n: opts.hotEvents, target: 25 }];
      if (opts.skip2m) R.notes.queries_2m = `the ${fmt(opts.bigEvents)}-event set was skipped (--skip-2m)`;
      else sets.push({ label: '2M', app: P.q2m, n: opts.bigEvents, target: 40 });
      for (const set of sets) {
        log(`prefilling query app ${set.label} with ${fmt(set.n)} events`);
        const secs = await prefill(ctx, set.app.id, set.n, `query-${set.label}`);
        await vacuumAnalyze(ctx);
        const baseQ = `/v1/events?app_id=${set.app.id}&limit=50&data_mode=all`;
        const since = new Date(Date.now() - 3 * 86_400_000).toISOString();
        const page1 = await api('GET', baseQ, { token: P.agentKeys[0], expect: [200] });
        if (!page1.json?.cursor) throw new SetupError(`page 1 of ${baseQ} has no cursor: ${page1.text.slice(0, 200)}`);
        const variants = [
          { name: 'plain', url: baseQ },
          { name: 'level=error', url: `${baseQ}&level=error` },
          { name: 'user_id=common', url: `${baseQ}&user_id=bench_user_0001` },
          { name: 'since=3d', url: `${baseQ}&since=${encodeURIComponent(since)}` },
          { name: 'cursor page 2', url: `${baseQ}&cursor=${encodeURIComponent(page1.json.cursor)}` },
        ];
        const out = { label: set.label, events: set.n, prefill_s: round(secs, 1), target_p99_ms: set.target, variants: [] };
        for (const v of variants) {
          const check = await api('GET', v.url, { token: P.agentKeys[1 % P.agentKeys.length], expect: [200] });
          const count = Array.isArray(check.json?.events) ? check.json.events.length : null;
          if (count !== 50) R.anomalies.push(`query ${set.label} ${v.name}: first page had ${count} events, expected 50`);
          const once = queryOnce(ctx, { url: v.url, connections: 8, keys: P.agentKeys, samples: samples.queries });
          const m = await measure(`query ${set.label} ${v.name}`, opts, once, QUERY_SUMS);
          out.variants.push({
            name: v.name,
            url: v.url,
            first_page_events: count,
            ...m,
            pass: m.median.p99_ms <= set.target && m.median.non_2xx === 0,
          });
        }
        R.queries.sets.push(out);
      }
    }
  }

  // --- (6) analytics: ingest with metric/funnel messages vs plain, metric and funnel queries --------------------
  if (opts.only.has('analytics')) {
    R.analytics = { ingest: [] };
    for (const analytics of [false, true]) {
      const label = `ingest batch 100 c16 ${analytics ? '+10% metric +10% track' : 'plain'}`;
      const once = ingestOnce(ctx, { batch: 100, connections: 16, keys: P.coldKeys, samples: samples.ingest, analytics });
      const m = await measure(label, opts, once, INGEST_SUMS, () => checkpoint(ctx));
      R.analytics.ingest.push({ label, analytics, batch: 100, connections: 16, ...m });
    }
    const [plain, mixed] = R.analytics.ingest;
    R.analytics.ingest_ratio = mixed.median.events_per_s / plain.median.events_per_s;
    if (!ctx.dbUrl) {
      R.notes.analytics = 'metric/funnel queries skipped: need --database-url for the direct-SQL loads';
    } else {
      Object.assign(R.analytics, await runAnalyticsQueries(ctx, api, P, opts));
    }
  }

  // --- (5) RSS + wrap-up --------------------------------------------------------------------------------------
  sampler.stop();
  if (ctx.serverPid) {
    const peakAll = Math.max(sampler.peak, peakIngestRss);
    R.rss = {
      idle_mb: idleRss === null ? null : idleRss / MB,
      peak_ingest_mb: R.ingest ? peakIngestRss / MB : null,
      peak_all_mb: peakAll / MB,
    };
    const peak = R.ingest ? R.rss.peak_ingest_mb : R.rss.peak_all_mb;
    R.rss.pass = peak < 300;
  }

  // anomalies
  const allRuns = [
    ...(R.ingest?.scenarios ?? []).map((s) => [`ingest batch ${s.batch} c${s.connections}`, s]),
    ...(R.hot ? [['hot app', R.hot]] : []),
    ...(R.analytics?.ingest ?? []).map((s) => [s.label, s]),
    ...(R.queries?.sets ?? []).flatMap((set) => set.variants.map((v) => [`query ${set.label} ${v.name}`, v])),
  ];
  for (const [label, s] of allRuns) {
    const m = s.median;
    if (m.non_2xx)
      R.anomalies.push(
        `${label}: ${m.non_2xx} non-2xx (${JSON.stringify(mergeStatuses(s.runs))})${m.status_429 ? ' — 429s: per-key rate limit reached, add keys' : ''}`,
      );
    if (m.errors || m.timeouts) R.anomalies.push(`${label}: ${m.errors} connection errors, ${m.timeouts} timeouts`);
    if (m.accepted_equals_sent === false)
      R.anomalies.push(`${label}: accepted ${m.events_accepted} ≠ sent ${m.events_sent_in_200s} (rejected ${m.events_rejected})`);
  }
  if (R.ceiling?.median.errors) R.anomalies.push(`ceiling: ${R.ceiling.median.errors} failed INSERTs`);
  if (R.ceiling_copy?.median.errors) R.anomalies.push(`COPY ceiling: ${R.ceiling_copy.median.errors} failed COPYs`);
  for (const [k, list] of Object.entries(samples)) for (const s of list) R.anomalies.push(`sample ${k} response: ${s}`);
  if (state.serverLog) R.server_log = summarizeServerLog(state.serverLog);

  R.finished = new Date().toISOString();
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify(R, null, 2) + '\n');
  process.stdout.write(renderReport(R) + '\n');
  clearTimeout(watchdog);
  return 0;
}

function mergeStatuses(runs) {
  const out = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.statuses || {})) out[k] = (out[k] || 0) + v;
  return out;
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (err) => {
    if (isInterrupted()) return; // the signal handler is cleaning up; errors from torn-down connections are expected
    process.stderr.write(`\nbench setup error: ${err instanceof SetupError ? err.message : err.stack || err}\n`);
    if (state.serverLog) process.stderr.write(`server log tail (${state.serverLog}):\n${tail(state.serverLog, 15)}\n`);
    await cleanup();
    process.exit(1);
  });
