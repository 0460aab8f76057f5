'use strict';
const autocannon = require('autocannon');
const { round, log, medianOfRuns } = require('./util');
const { cpuMeter } = require('./proc');
const { makeBatchBuilder } = require('./events');
const { state } = require('./state');
const { assertServerAlive } = require('./server');

// ---------------------------------------------------------------------------------------------------------------
// Load runs
// ---------------------------------------------------------------------------------------------------------------

function runCannon(opts) {
  return new Promise((resolve, reject) => {
    const inst = autocannon({ timeout: 10, ...opts }, (err, result) => {
      state.cannon = null;
      if (err) reject(err);
      else resolve(result);
    });
    state.cannon = inst;
  });
}

/** Runs warm-up + N measured runs of `once(seconds)`; returns { runs, median }. */
async function measure(label, opts, once, sums, before) {
  assertServerAlive();
  if (before) await before();
  if (opts.warmup > 0) {
    log(`${label}: warm-up ${opts.warmup} s`);
    await once(opts.warmup, true);
  }
  const runs = [];
  for (let i = 0; i < opts.runs; i++) {
    assertServerAlive();
    const r = await once(opts.duration, false);
    log(`${label}: run ${i + 1}/${opts.runs} ${summarizeRun(r)}`);
    runs.push(r);
  }
  assertServerAlive();
  return { runs, median: medianOfRuns(runs, sums) };
}

function summarizeRun(r) {
  const parts = [];
  if (r.req_per_s !== undefined) parts.push(`${round(r.req_per_s)} req/s`);
  if (r.events_per_s !== undefined) parts.push(`${round(r.events_per_s)} ev/s`);
  if (r.rows_per_s !== undefined) parts.push(`${round(r.rows_per_s)} rows/s`);
  if (r.p50_ms !== undefined) parts.push(`p50 ${r.p50_ms} ms p99 ${r.p99_ms} ms`);
  if (r.non_2xx) parts.push(`non-2xx ${r.non_2xx}`);
  if (r.errors) parts.push(`errors ${r.errors}`);
  if (r.server_cpu_cores !== null && r.server_cpu_cores !== undefined) parts.push(`server ${r.server_cpu_cores} cores`);
  if (r.machine_busy_pct !== null && r.machine_busy_pct !== undefined) parts.push(`machine ${r.machine_busy_pct}%`);
  return parts.join(', ');
}

/** CPU per unit of work (event stored, request answered): server process and the database's backends, in ms. */
function perUnit(cpu, db, units) {
  return {
    server_cpu_ms_per_unit: cpu.server_cpu_ms !== null && cpu.server_cpu_ms !== undefined && units ? cpu.server_cpu_ms / units : null,
    db_cpu_ms_per_unit: db.db_cpu_ms !== undefined && units ? db.db_cpu_ms / units : null,
    units,
  };
}

/** One autocannon run of POST /v1/ingest with fresh batches, keys round-robin; checks `accepted`. */
function ingestOnce(ctx, { batch, connections, keys, samples, analytics = false }) {
  const build = makeBatchBuilder(batch, { analytics });
  const auths = keys.map((k) => `Bearer ${k}`);
  return async (seconds) => {
    let rr = Math.floor(Math.random() * auths.length);
    const st = { ok: 0, accepted: 0, rejected: 0, bad: 0, statuses: {} };
    const probeEnd = ctx.probe ? await ctx.probe.begin() : null;
    const meter = cpuMeter(ctx.serverPid);
    const result = await runCannon({
      url: `${ctx.base}/v1/ingest`,
      connections,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          setupRequest(req) {
            rr = (rr + 1) % auths.length;
            req.headers = { 'content-type': 'application/json', authorization: auths[rr] };
            req.body = build();
            return req;
          },
          onResponse(status, body) {
            if (status === 200) {
              st.ok++;
              let j = null;
              try {
                j = JSON.parse(body);
              } catch {
                j = null;
              }
              if (j && typeof j.accepted === 'number') {
                st.accepted += j.accepted;
                st.rejected += j.rejected || 0;
                if (j.rejected && samples.length < 5) samples.push(`200 ${String(body).slice(0, 300)}`);
              } else {
                st.bad++;
                if (samples.length < 5) samples.push(`200 unparseable: ${String(body).slice(0, 200)}`);
              }
            } else {
              st.statuses[status] = (st.statuses[status] || 0) + 1;
              if (samples.length < 5) samples.push(`${status} ${String(body).slice(0, 300)}`);
            }
          },
        },
      ],
    });
    const cpu = meter();
    const db = probeEnd ? await probeEnd() : {};
    const dur = result.duration;
    const answered = st.ok + Object.values(st.statuses).reduce((a, b) => a + b, 0);
    const sent = st.ok * batch;
    return {
      ...(db.db_wal_bytes !== undefined ? { db_wal_bytes_per_event: st.accepted ? db.db_wal_bytes / st.accepted : null } : {}),
      ...(db.db_blks_read !== undefined
        ? {
            db_blks_read_per_event: st.accepted ? db.db_blks_read / st.accepted : null,
            db_blks_hit_per_event: st.accepted ? db.db_blks_hit / st.accepted : null,
            db_wal_fpi_per_event: st.accepted && db.db_wal_fpi !== null ? db.db_wal_fpi / st.accepted : null,
          }
        : {}),
      req_per_s: answered / dur,
      events_per_s: st.accepted / dur,
      ...perUnit(cpu, db, st.accepted),
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
      max_ms: result.latency.max,
      requests: answered,
      non_2xx: result.non2xx,
      status_429: st.statuses[429] || 0,
      errors: result.errors,
      timeouts: result.timeouts,
      events_sent_in_200s: sent,
      events_accepted: st.accepted,
      events_rejected: st.rejected,
      accepted_equals_sent: st.accepted === sent && st.rejected === 0 && st.bad === 0,
      duration_s: dur,
      ...cpu,
      ...db,
      statuses: st.statuses,
    };
  };
}

const INGEST_SUMS = [
  'requests',
  'non_2xx',
  'status_429',
  'errors',
  'timeouts',
  'events_sent_in_200s',
  'events_accepted',
  'events_rejected',
];

/** GET /v1/events with a fixed query string, agent keys round-robin. */
function queryOnce(ctx, { url, connections, keys, samples }) {
  const auths = keys.map((k) => `Bearer ${k}`);
  return async (seconds) => {
    let rr = Math.floor(Math.random() * auths.length);
    const statuses = {};
    const probeEnd = ctx.probe ? await ctx.probe.begin() : null;
    const meter = cpuMeter(ctx.serverPid);
    const result = await runCannon({
      url: ctx.base + url,
      connections,
      duration: seconds,
      requests: [
        {
          method: 'GET',
          setupRequest(req) {
            rr = (rr + 1) % auths.length;
            req.headers = { authorization: auths[rr] };
            return req;
          },
          onResponse(status, body) {
            if (status !== 200) {
              statuses[status] = (statuses[status] || 0) + 1;
              if (samples.length < 5) samples.push(`${status} ${String(body).slice(0, 300)}`);
            }
          },
        },
      ],
    });
    const cpu = meter();
    const db = probeEnd ? await probeEnd() : {};
    const answered = result['2xx'] + result.non2xx;
    return {
      req_per_s: answered / result.duration,
      ...perUnit(cpu, db, answered),
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
      max_ms: result.latency.max,
      requests: answered,
      non_2xx: result.non2xx,
      status_429: statuses[429] || 0,
      errors: result.errors,
      timeouts: result.timeouts,
      duration_s: result.duration,
      ...cpu,
      db_busy_backends_avg: db.db_busy_backends_avg,
      db_waits: db.db_waits,
      db_cpu_ms: db.db_cpu_ms,
      statuses,
    };
  };
}

const QUERY_SUMS = ['requests', 'non_2xx', 'status_429', 'errors', 'timeouts'];

module.exports = { perUnit, runCannon, measure, summarizeRun, ingestOnce, INGEST_SUMS, queryOnce, QUERY_SUMS };
