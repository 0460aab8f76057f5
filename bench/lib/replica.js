'use strict';
/*
 * Replica part (issue #16 "Benchmark", `npm run bench -- --only replica`): ingest throughput while 8 concurrent
 * metric/funnel query loops run, without and with one read replica.
 *
 * It builds a throwaway PostgreSQL primary + hot standby with the replica tests' own code (test/replica/pg-pair.ts:
 * initdb, pg_basebackup -R, pg_ctl, run as `postgres` when root, own ports and temp folder), loads the analytics data
 * on the primary (bench/lib/analytics.js), and spawns the server twice against it: server A with DATABASE_URL only
 * (every read on the primary), server B with DATABASE_REPLICA_URLS=<standby> too (metric and funnel queries on the
 * standby). Both stay up; only the one under test gets traffic. Scenarios, each run `--duration` s:
 *   ingest only     batch 100 c16 on A, no queries (what the queries cost ingest)
 *   primary only    batch 100 c16 on A while 8 loops send metric/funnel queries to A
 *   with replica    the same on B
 * The order alternates between rounds (table growth and caches hit both sides alike); the median of `--runs` rounds
 * is reported, with the ratio with/without. CPU: the server under test (/proc), and the whole of each cluster (its
 * postmaster and every child: backends, parallel workers, WAL sender/receiver, the standby's startup process
 * replaying WAL, checkpointer, …). The pair is stopped and removed at the end, also on failure or Ctrl-C.
 */
const fs = require('node:fs');
const path = require('node:path');

const { SetupError } = require('./args');
const { REPO, log, sleep, round, median, medianOfRuns, percentile } = require('./util');
const { clusterCpu } = require('./proc');
const { makeBatchBuilder } = require('./events');
const { SmtpSink } = require('./smtp');
const { state, pgConnect, pgClose, isInterrupted } = require('./state');
const { spawnServer, assertServerAlive, summarizeServerLog } = require('./server');
const { makeApi, provision } = require('./provision');
const { ingestOnce, INGEST_SUMS } = require('./load');
const { loadAnalyticsData } = require('./analytics');
const { fmt, machineMeta } = require('./report');

const QUERY_LOOPS = 8;
/** Both servers of the pair (the standby copies the primary's postgresql.conf): like the local PostgreSQL the other parts use. */
const PAIR_SETTINGS = [
  "shared_buffers = '128MB'",
  "max_wal_size = '1GB'",
  // The standby is stopped during the runs without it and must catch up afterwards (there is no replication slot).
  "wal_keep_size = '4GB'",
];
/** First port tried for the pair (the replica tests start at 55432). */
const PAIR_PORT = 56432;

/** test/replica/pg-pair.ts, the replica tests' cluster code, compiled on the fly (ts-node, a devDependency like autocannon). */
function loadPgPair() {
  require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
  return require(path.join(REPO, 'test', 'replica', 'pg-pair.ts'));
}

const postmasterPid = (dataDir) => Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

async function stopChild(child, exited, label) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  state.serverExpectedExit = true;
  log(`stopping ${label} (pid ${child.pid}, SIGTERM)`);
  child.kill('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), sleep(35_000).then(() => false)]))) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(5_000)]);
  }
}

/** owlmetry_replica_fallbacks_total by reason, from /metrics. */
async function fallbacks(base) {
  const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const out = {};
  for (const m of text.matchAll(/^owlmetry_replica_fallbacks_total\{reason="(\w+)"\} (\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/** Waits until the standby has replayed the primary's current WAL position. */
async function waitReplay(primary, standby) {
  const target = (await primary.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0].l;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await standby.query('SELECT pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::float8 AS behind', [target]);
    if (r.rows[0].behind <= 0) return;
    if (Date.now() > deadline) throw new SetupError(`the standby is still ${r.rows[0].behind} bytes behind after 120 s`);
    await sleep(100);
  }
}

/**
 * `loops` concurrent loops, each sending the next query of `queries` (round-robin over all loops) as soon as its
 * previous answer arrived. The returned stop() ends the window: answers that arrive later are not counted.
 */
function startQueryLoops(base, token, queries, loops) {
  let stopped = false;
  let next = 0;
  const lat = [];
  const byName = {};
  const statuses = {};
  const started = process.hrtime.bigint();
  let ended = null;
  const loop = async () => {
    while (!stopped) {
      const q = queries[next++ % queries.length];
      const s = process.hrtime.bigint();
      let status;
      try {
        const res = await fetch(base + q.url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) });
        await res.arrayBuffer();
        status = res.status;
      } catch (err) {
        status = err.name === 'TimeoutError' ? 'timeout' : 'error';
      }
      if (stopped) break;
      const ms = Number(process.hrtime.bigint() - s) / 1e6;
      if (status === 200) {
        lat.push(ms);
        (byName[q.name] ??= []).push(ms);
      } else {
        statuses[status] = (statuses[status] || 0) + 1;
      }
    }
  };
  const running = Array.from({ length: loops }, loop);
  return async () => {
    stopped = true;
    ended = process.hrtime.bigint();
    await Promise.all(running);
    const secs = Number(ended - started) / 1e9;
    const sorted = [...lat].sort((a, b) => a - b);
    const failed = Object.values(statuses).reduce((a, b) => a + b, 0);
    return {
      query_per_s: lat.length / secs,
      query_p50_ms: round(percentile(sorted, 50), 1),
      query_p99_ms: round(percentile(sorted, 99), 1),
      queries_ok: lat.length,
      queries_failed: failed,
      query_p50_by_name_ms: Object.fromEntries(Object.entries(byName).map(([k, v]) => [k, round(median(v), 1)])),
      query_statuses: statuses,
    };
  };
}

/** "Without the replica" means no standby at all (stopped: no WAL sender, no replay); "with" means B reading from it. */
const SCENARIOS = {
  ingest: { label: 'ingest only', server: 'A', queries: false, standby: false },
  primary: { label: 'primary only', server: 'A', queries: true, standby: false },
  replica: { label: 'with replica', server: 'B', queries: true, standby: true },
};

async function runReplicaBench(opts, { date, outFile, resultsDir, stamp }) {
  const { createPair, destroyPair, stopStandby, startStandby } = loadPgPair();
  log('building a throwaway PostgreSQL primary + hot standby (initdb, pg_basebackup -R; fsync on)');
  const pair = await createPair({ fsync: true, logStatements: false, settings: PAIR_SETTINGS, port: PAIR_PORT });
  state.atCleanup.push(() => {
    log(`stopping the PostgreSQL pair and removing ${pair.dir}`);
    destroyPair(pair);
  });
  log(`primary on port ${pair.primaryPort}, standby on port ${pair.standbyPort} (${pair.dir})`);
  const pm = { primary: postmasterPid(path.join(pair.dir, 'primary')), standby: postmasterPid(path.join(pair.dir, 'standby')) };

  state.sink = new SmtpSink();
  await state.sink.start(0);
  const servers = {};
  for (const [key, extraEnv] of [
    ['A', {}],
    ['B', { DATABASE_REPLICA_URLS: pair.standbyUrl }],
  ]) {
    const logFile = path.join(resultsDir, `server-${stamp}-replica-${key}.log`);
    const srv = await spawnServer(pair.primaryUrl, state.sink.port, logFile, [], extraEnv);
    servers[key] = { ...srv, child: state.server, exited: state.serverExited, logFile };
    if (key === 'A') state.atCleanup.push(() => stopChild(servers.A.child, servers.A.exited, 'server A'));
    log(`server ${key} ready (pid ${srv.pid}, ${srv.base})${key === 'B' ? ', DATABASE_REPLICA_URLS=<standby>' : ''}`);
  }
  const assertBothAlive = () => {
    assertServerAlive();
    const a = servers.A.child;
    if (a.exitCode !== null || a.signalCode !== null) throw new SetupError(`server A died (code ${a.exitCode}); log ${servers.A.logFile}`);
  };
  const ready = await (await fetch(`${servers.B.base}/health/ready`)).json();
  if (ready.replicas?.[0]?.state !== 'ok') throw new SetupError(`server B does not use the standby: ${JSON.stringify(ready)}`);

  // Provisioning is not what is measured: 50 apps × 2 client keys (1 000 req/s before the per-key limit, ingest
  // batch 100 c16 needs ~150), the user token for the queries (not rate limited).
  const api = makeApi(servers.A.base);
  const P = await provision(api, { ...opts, apps: 50, keysPerApp: 2, hotKeys: 1, agentKeys: 1 }, state.sink);
  for (const key of ['A', 'B']) {
    const r = await fetch(`${servers[key].base}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${P.coldKeys[0]}` },
      body: makeBatchBuilder(2)(),
    });
    const text = await r.text();
    if (r.status !== 200 || !/"accepted":2\b/.test(text)) throw new SetupError(`sanity ingest on server ${key} → ${r.status} ${text}`);
  }

  const dataCtx = { dbUrl: pair.primaryUrl };
  const { sets, funnel } = await loadAnalyticsData(dataCtx, api, P, opts);
  const mbase = `/v1/projects/${P.projectId}/metrics/${sets[0].slug}/query`;
  const fbase = `/v1/projects/${P.projectId}/funnels/${funnel.slug}/query`;
  const queries = [
    { name: 'metric plain', url: mbase },
    { name: 'metric group_by=time:day', url: `${mbase}?group_by=time:day` },
    { name: 'metric group_by=app_version', url: `${mbase}?group_by=app_version` },
    { name: 'funnel closed', url: `${fbase}?mode=closed` },
    { name: 'funnel open', url: `${fbase}?mode=open` },
  ];
  for (const q of queries) {
    for (const key of ['A', 'B']) {
      const r = await makeApi(servers[key].base)('GET', q.url, { token: P.token });
      if (r.status !== 200) throw new SetupError(`${q.name} on server ${key} → ${r.status} ${r.text.slice(0, 300)}`);
    }
  }

  const primary = await pgConnect(pair.primaryUrl, 'replica-meta');
  /** The standby as the scenario needs it: stopped, or running, caught up, used by B and its buffers warm. */
  let standbyUp = true;
  const setStandby = async (up) => {
    if (up === standbyUp) return;
    if (!up) {
      log('stopping the standby (runs without a replica)');
      await stopStandby(pair);
      standbyUp = false;
      return;
    }
    log('starting the standby');
    await startStandby(pair);
    standbyUp = true;
    pm.standby = postmasterPid(path.join(pair.dir, 'standby'));
    await caughtUp();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const body = await (await fetch(`${servers.B.base}/health/ready`)).json();
      if (body.replicas?.[0]?.state === 'ok') break;
      if (Date.now() > deadline) throw new SetupError(`server B does not use the restarted standby: ${JSON.stringify(body)}`);
      await sleep(200);
    }
    // Its shared buffers start empty after a restart: one pass of the queries (the OS page cache is shared anyway).
    for (const q of queries) {
      const r = await fetch(servers.B.base + q.url, { headers: { authorization: `Bearer ${P.token}` } });
      await r.arrayBuffer();
    }
  };
  const caughtUp = async () => {
    if (!standbyUp) return;
    const standby = await pgConnect(pair.standbyUrl, 'replica-meta');
    try {
      await waitReplay(primary, standby);
    } finally {
      await pgClose(standby);
    }
  };
  const pgVersion = (await primary.query('SELECT version() AS v')).rows[0].v.replace(/ on .*$/, '');
  const samples = [];
  const ingest = {
    A: ingestOnce(
      { base: servers.A.base, serverPid: servers.A.pid, probe: null },
      { batch: 100, connections: 16, keys: P.coldKeys, samples },
    ),
    B: ingestOnce(
      { base: servers.B.base, serverPid: servers.B.pid, probe: null },
      { batch: 100, connections: 16, keys: P.coldKeys, samples },
    ),
  };

  /** One run of a scenario: CHECKPOINT, standby caught up, then ingest (+ query loops) for `secs`. */
  const runOnce = async (kind, secs) => {
    const sc = SCENARIOS[kind];
    const srv = servers[sc.server];
    if (isInterrupted()) throw new SetupError('interrupted');
    assertBothAlive();
    await setStandby(sc.standby);
    await primary.query('CHECKPOINT');
    await caughtUp();
    const fb0 = sc.server === 'B' ? await fallbacks(srv.base) : null;
    const pri = clusterCpu(pm.primary).begin();
    const sby = sc.standby ? clusterCpu(pm.standby).begin() : () => ({ cpu_ms: 0 });
    const stopQueries = sc.queries ? startQueryLoops(srv.base, P.token, queries, QUERY_LOOPS) : null;
    const r = await ingest[sc.server](secs);
    const q = stopQueries ? await stopQueries() : {};
    const p = pri();
    const s = sby();
    const fb1 = fb0 ? await fallbacks(srv.base) : null;
    const dur = r.duration_s;
    return {
      events_per_s: r.events_per_s,
      ingest_p50_ms: r.p50_ms,
      ingest_p99_ms: r.p99_ms,
      ...q,
      server_cpu_cores: r.server_cpu_cores,
      primary_cpu_cores: round(p.cpu_ms / 1000 / dur, 2),
      standby_cpu_cores: round(s.cpu_ms / 1000 / dur, 2),
      machine_busy_pct: r.machine_busy_pct,
      bench_cpu_cores: r.bench_cpu_cores,
      // All the work of the window (ingest and queries) per 1 000 events stored.
      server_cpu_ms_per_1k_events: r.server_cpu_ms === null ? null : (r.server_cpu_ms * 1000) / r.events_accepted,
      primary_cpu_ms_per_1k_events: (p.cpu_ms * 1000) / r.events_accepted,
      standby_cpu_ms_per_1k_events: (s.cpu_ms * 1000) / r.events_accepted,
      // …and per query answered (all of it, ingest included: compare with "ingest only" for the queries' share).
      ...(sc.queries
        ? {
            server_cpu_ms_per_query: r.server_cpu_ms === null ? null : r.server_cpu_ms / Math.max(1, q.queries_ok),
            primary_cpu_ms_per_query: p.cpu_ms / Math.max(1, q.queries_ok),
            standby_cpu_ms_per_query: s.cpu_ms / Math.max(1, q.queries_ok),
          }
        : {}),
      replica_fallbacks: fb1 ? Object.keys(fb1).reduce((n, k) => n + fb1[k] - (fb0[k] || 0), 0) : 0,
      requests: r.requests,
      non_2xx: r.non_2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      events_accepted: r.events_accepted,
      accepted_equals_sent: r.accepted_equals_sent,
      duration_s: dur,
    };
  };

  const summary = (kind, r) =>
    `${SCENARIOS[kind].label}: ${fmt(r.events_per_s)} ev/s p99 ${r.ingest_p99_ms} ms` +
    (r.query_per_s !== undefined ? `; queries ${fmt(r.query_per_s, 1)}/s p50 ${r.query_p50_ms} ms` : '') +
    `; cores server ${r.server_cpu_cores} primary ${r.primary_cpu_cores} standby ${r.standby_cpu_cores}, machine ${r.machine_busy_pct}%` +
    (r.replica_fallbacks ? `; ${r.replica_fallbacks} fallbacks` : '');

  if (opts.warmup > 0) {
    for (const kind of ['primary', 'replica']) {
      log(`warm-up ${SCENARIOS[kind].label} ${opts.warmup} s`);
      await runOnce(kind, opts.warmup);
    }
  }
  const runs = { ingest: [], primary: [], replica: [] };
  for (let i = 0; i < opts.runs; i++) {
    const order = i % 2 === 0 ? ['ingest', 'primary', 'replica'] : ['replica', 'primary', 'ingest'];
    for (const kind of order) {
      const r = await runOnce(kind, opts.duration);
      log(`round ${i + 1}/${opts.runs} ${summary(kind, r)}`);
      runs[kind].push(r);
    }
  }
  assertBothAlive();
  const SUMS = ['queries_ok', 'queries_failed', 'replica_fallbacks', ...INGEST_SUMS.filter((k) => k !== 'events_accepted')];
  const med = Object.fromEntries(Object.entries(runs).map(([k, list]) => [k, medianOfRuns(list, SUMS)]));
  const ratio = (key, a = 'replica', b = 'primary') =>
    med[a][key] !== undefined && med[b][key] ? round(med[a][key] / med[b][key], 3) : null;
  const ratios = {
    ingest_events_per_s: ratio('events_per_s'),
    ingest_p99_ms: ratio('ingest_p99_ms'),
    query_per_s: ratio('query_per_s'),
    query_p50_ms: ratio('query_p50_ms'),
    query_p99_ms: ratio('query_p99_ms'),
    primary_only_vs_ingest_only_events_per_s: ratio('events_per_s', 'primary', 'ingest'),
    with_replica_vs_ingest_only_events_per_s: ratio('events_per_s', 'replica', 'ingest'),
  };
  await pgClose(primary);

  const anomalies = [];
  for (const [kind, list] of Object.entries(runs)) {
    for (const r of list) {
      if (r.non_2xx || r.errors || r.timeouts)
        anomalies.push(`${kind}: ingest non-2xx ${r.non_2xx}, errors ${r.errors}, timeouts ${r.timeouts}`);
      if (!r.accepted_equals_sent) anomalies.push(`${kind}: accepted ≠ sent`);
      if (r.queries_failed) anomalies.push(`${kind}: ${r.queries_failed} failed queries ${JSON.stringify(r.query_statuses)}`);
      if (kind === 'replica' && r.replica_fallbacks) anomalies.push(`with replica: ${r.replica_fallbacks} reads fell back to the primary`);
    }
  }
  for (const s of samples) anomalies.push(`sample ingest response: ${s}`);
  const R = {
    meta: {
      date,
      ...machineMeta(pgVersion),
      pair: { primary_port: pair.primaryPort, standby_port: pair.standbyPort, fsync: true, settings: PAIR_SETTINGS },
      out: path.relative(process.cwd(), outFile) || outFile,
    },
    config: { only: ['replica'], duration: opts.duration, runs: opts.runs, warmup: opts.warmup, query_loops: QUERY_LOOPS },
    data: {
      metric_rows: sets.map((s) => ({ label: s.label, rows: s.n, prefill_s: s.prefill_s })),
      funnel: { rows: funnel.rows, users: funnel.users, prefill_s: funnel.prefill_s },
    },
    queries: queries.map((q) => q.name),
    replica: { median: med, ratios, runs },
    server_logs: { A: summarizeServerLog(servers.A.logFile), B: summarizeServerLog(servers.B.logFile) },
    anomalies,
    finished: new Date().toISOString(),
  };
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify(R, null, 2) + '\n');
  process.stdout.write(renderReplicaReport(R) + '\n');
  return 0;
}

function renderReplicaReport(R) {
  const { median: m, ratios } = R.replica;
  const L = [];
  const hr = '-'.repeat(100);
  L.push(hr);
  L.push(`OwlMetry benchmark, replica part — ${R.meta.date}`);
  L.push(
    `machine: ${R.meta.cpus} × ${R.meta.cpu_model}, ${fmt(R.meta.total_mem_gib, 1)} GiB RAM, ${R.meta.os}; node ${R.meta.node}; ${R.meta.postgres}`,
  );
  L.push(
    `commit: ${R.meta.commit ?? '?'}; primary + hot standby on this machine (fsync on, ${R.meta.pair.settings.join(', ')}); ` +
      'the standby is stopped during "ingest only" and "primary only"',
  );
  L.push(
    `data: ${R.data.metric_rows.map((s) => `${fmt(s.rows)} metric rows`).join(' + ')}, ${fmt(R.data.funnel.rows)} funnel rows of ${fmt(R.data.funnel.users)} users; ` +
      `load: ingest batch 100 c16 while ${R.config.query_loops} loops send ${R.queries.join(', ')}`,
  );
  L.push(
    `each number = median of ${R.config.runs} run(s) × ${R.config.duration} s, order alternating; ratio = with replica / primary only`,
  );
  L.push(hr);
  const w = [34, 13, 13, 13, 9];
  const row = (cols) => cols.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  L.push(row(['', 'ingest only', 'primary only', 'with replica', 'ratio']));
  const line = (label, key, d = 0, ratioKey) =>
    L.push(row([label, fmt(m.ingest[key], d), fmt(m.primary[key], d), fmt(m.replica[key], d), ratioKey ? fmt(ratios[ratioKey], 2) : '']));
  line('ingest events/s', 'events_per_s', 0, 'ingest_events_per_s');
  line('ingest p99 ms', 'ingest_p99_ms', 0, 'ingest_p99_ms');
  line('queries/s (8 loops)', 'query_per_s', 2, 'query_per_s');
  line('query p50 ms', 'query_p50_ms', 0, 'query_p50_ms');
  line('query p99 ms', 'query_p99_ms', 0, 'query_p99_ms');
  line('server CPU cores', 'server_cpu_cores', 2);
  line('primary cluster CPU cores', 'primary_cpu_cores', 2);
  line('standby cluster CPU cores', 'standby_cpu_cores', 2);
  line('server CPU ms / 1k events', 'server_cpu_ms_per_1k_events', 0);
  line('primary CPU ms / 1k events', 'primary_cpu_ms_per_1k_events', 0);
  line('standby CPU ms / 1k events', 'standby_cpu_ms_per_1k_events', 0);
  line('server CPU ms / query', 'server_cpu_ms_per_query', 1);
  line('primary CPU ms / query', 'primary_cpu_ms_per_query', 1);
  line('standby CPU ms / query', 'standby_cpu_ms_per_query', 1);
  line('machine busy %', 'machine_busy_pct', 0);
  line('replica fallbacks (sum)', 'replica_fallbacks', 0);
  L.push(
    `ingest with queries / ingest only: primary only ${fmt(ratios.primary_only_vs_ingest_only_events_per_s, 2)}, ` +
      `with replica ${fmt(ratios.with_replica_vs_ingest_only_events_per_s, 2)}`,
  );
  const names = Object.keys(m.primary.query_p50_by_name_ms ?? {});
  if (names.length) {
    L.push('query p50 ms by query (primary only → with replica):');
    for (const n of names)
      L.push(`  ${n.padEnd(32)} ${fmt(m.primary.query_p50_by_name_ms[n])} → ${fmt(m.replica.query_p50_by_name_ms?.[n])}`);
  }
  if (R.anomalies.length) {
    L.push('anomalies:');
    for (const a of R.anomalies.slice(0, 20)) L.push(`  - ${a}`);
  }
  L.push(`JSON: ${R.meta.out}`);
  L.push(hr);
  return L.join('\n');
}

module.exports = { runReplicaBench, startQueryLoops, renderReplicaReport };
