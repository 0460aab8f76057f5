'use strict';
const os = require('node:os');
const { execFileSync } = require('node:child_process');
const { REPO } = require('./util');

// ---------------------------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------------------------

function fmt(x, d = 0) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return Number(x).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

function row(cols, widths) {
  return cols.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
}

const verdict = (ok) => (ok === null || ok === undefined ? '—' : ok ? 'PASS' : 'FAIL');

function renderReport(R) {
  const L = [];
  const hr = '-'.repeat(118);
  L.push(hr);
  L.push(`OwlMetry benchmark — ${R.meta.date}${R.config.quick ? '   (QUICK SMOKE RUN — numbers not comparable)' : ''}`);
  L.push(
    `machine: ${R.meta.cpus} × ${R.meta.cpu_model}, ${fmt(R.meta.total_mem_gib, 1)} GiB RAM, ${R.meta.os}; node ${R.meta.node}; ${R.meta.postgres ?? 'PostgreSQL ?'}`,
  );
  L.push(`commit: ${R.meta.commit ?? '?'}   server: ${R.meta.server}`);
  L.push(
    `each number = median of ${R.config.runs} run(s) × ${R.config.duration} s after a ${R.config.warmup} s warm-up; latency from autocannon (client side)`,
  );
  L.push(`rate limits: ${R.rate_limit_note}`);
  L.push(hr);

  if (R.ingest) {
    const w = [24, 9, 10, 8, 8, 8, 6, 9, 7, 8, 9, 9, 30];
    L.push(
      '(1) INGEST  POST /v1/ingest, backend apps, fresh client_event_ids; CPU ms per event stored (server process / PostgreSQL backends)',
    );
    L.push(
      row(
        [
          'scenario',
          'req/s',
          'events/s',
          'p50 ms',
          'p99 ms',
          'non-2xx',
          '429',
          'acc=sent',
          'srv cpu',
          'machine',
          'srv ms/ev',
          'pg ms/ev',
          'target',
        ],
        w,
      ),
    );
    for (const s of R.ingest.scenarios) {
      const m = s.median;
      L.push(
        row(
          [
            `batch ${String(s.batch).padStart(3)}  c${s.connections}`,
            fmt(m.req_per_s),
            fmt(m.events_per_s),
            fmt(m.p50_ms, 1),
            fmt(m.p99_ms, 1),
            fmt(m.non_2xx),
            fmt(m.status_429),
            m.accepted_equals_sent ? 'yes' : 'NO',
            m.server_cpu_cores === null ? '—' : `${fmt(m.server_cpu_cores, 2)}`,
            m.machine_busy_pct === null ? '—' : `${fmt(m.machine_busy_pct)}%`,
            fmt(m.server_cpu_ms_per_unit, 4),
            fmt(m.db_cpu_ms_per_unit, 4),
            s.target ? `${s.target.text}  ${verdict(s.target.pass)}` : '',
          ],
          w,
        ),
      );
    }
    L.push('');
  }
  const dbLines = [
    ...(R.ingest?.scenarios ?? []).map((s) => [`ingest batch ${String(s.batch).padStart(3)} c${s.connections}`, s.median]),
    ...(R.ceiling ? [['ceiling (bare pg) c16', R.ceiling.median]] : []),
    ...(R.ceiling_copy ? [['COPY ceiling c16', R.ceiling_copy.median]] : []),
    ...(R.hot ? [['hot app batch 100 c16', R.hot.median]] : []),
  ].filter(([, m]) => m.db_waits);
  if (dbLines.length) {
    L.push('    DB activity during the runs (avg backends of the bench database per 200 ms sample; WAL is cluster-wide):');
    for (const [label, m] of dbLines) {
      const waits = Object.entries(m.db_waits)
        .filter(([, n]) => n >= 0.05)
        .slice(0, 5)
        .map(([k, n]) => `${k} ${fmt(n, 1)}`)
        .join(', ');
      L.push(
        `    ${label.padEnd(24)} busy ${fmt(m.db_busy_backends_avg, 1).padStart(5)}  WAL ${fmt(m.db_wal_bytes_per_event, 0).padStart(5)} B/event   ${waits}`,
      );
    }
    L.push('');
  }
  if (R.ceiling) {
    const m = R.ceiling.median;
    L.push(`(2) CEILING  bare pg, one 100-row INSERT per statement into events, c${R.ceiling.connections}`);
    L.push(
      `    ${fmt(m.rows_per_s)} rows/s (${fmt(m.statements_per_s)} statements/s, p50 ${fmt(m.p50_ms, 1)} ms, p99 ${fmt(m.p99_ms, 1)} ms, errors ${m.errors}, machine ${fmt(m.machine_busy_pct)}%), PostgreSQL ${fmt(m.db_cpu_ms_per_unit, 4)} ms CPU/row`,
    );
    if (R.ceiling.ratio !== undefined) {
      L.push(
        `    ingest batch 100 c16 / ceiling = ${fmt(R.ceiling.ratio * 100, 1)} %   target ≥ 60 % and p99 < 150 ms   ${verdict(R.ceiling.pass)}`,
      );
    }
    if (R.ceiling_copy) {
      const c = R.ceiling_copy.median;
      L.push(`    COPY … FROM STDIN instead, ${R.ceiling_copy.rows_per_statement} rows per COPY, c${R.ceiling_copy.connections}:`);
      L.push(
        `    ${fmt(c.rows_per_s)} rows/s (${fmt(c.statements_per_s)} COPYs/s, p50 ${fmt(c.p50_ms, 1)} ms, p99 ${fmt(c.p99_ms, 1)} ms, errors ${c.errors}, machine ${fmt(c.machine_busy_pct)}%), PostgreSQL ${fmt(c.db_cpu_ms_per_unit, 4)} ms CPU/row`,
      );
      if (R.ceiling_copy.ratio !== undefined) L.push(`    ingest batch 100 c16 / COPY ceiling = ${fmt(R.ceiling_copy.ratio * 100, 1)} %`);
    }
    L.push('');
  } else if (R.notes.ceiling) {
    L.push(`(2) CEILING  skipped: ${R.notes.ceiling}`);
    L.push('');
  }
  if (R.hot) {
    const m = R.hot.median;
    L.push(`(3) HOT APP  batch 100, c16, one app holding ${fmt(R.hot.prefilled_events)} events, ${R.hot.keys} client keys of that app`);
    L.push(
      `    ${fmt(m.events_per_s)} events/s (${fmt(m.req_per_s)} req/s, p50 ${fmt(m.p50_ms, 1)} ms, p99 ${fmt(m.p99_ms, 1)} ms, non-2xx ${fmt(m.non_2xx)}, accepted=sent ${m.accepted_equals_sent ? 'yes' : 'NO'})`,
    );
    L.push(`    CPU per event: server ${fmt(m.server_cpu_ms_per_unit, 4)} ms, PostgreSQL ${fmt(m.db_cpu_ms_per_unit, 4)} ms`);
    if (R.hot.ratio !== undefined)
      L.push(`    hot / cold (batch 100 c16) = ${fmt(R.hot.ratio * 100, 1)} %   target ≥ 80 %   ${verdict(R.hot.pass)}`);
    L.push('');
  } else if (R.notes.hot) {
    L.push(`(3) HOT APP  skipped: ${R.notes.hot}`);
    L.push('');
  }
  if (R.decay) {
    const D = R.decay;
    L.push(
      `(7) NO DECAY  batch 100, c16, cold apps: as the table was vs after loading ${fmt(D.history_events)} history events (${fmt(D.load_s, 0)} s)`,
    );
    for (const [name, b] of [
      ['before', D.fresh],
      ['after', D.history],
    ]) {
      const m = b.median;
      L.push(
        `    ${name.padEnd(6)} ${fmt(b.events_in_table).padStart(11)} events in table: ${fmt(m.events_per_s)} events/s, p50 ${fmt(m.p50_ms, 1)} ms, p99 ${fmt(m.p99_ms, 1)} ms, ` +
          `CPU per event server ${fmt(m.server_cpu_ms_per_unit, 4)} / PostgreSQL ${fmt(m.db_cpu_ms_per_unit, 4)} ms, ` +
          `shared-buffer misses ${fmt(m.db_blks_read_per_event, 3)} / hits ${fmt(m.db_blks_hit_per_event, 1)} per event, ` +
          `WAL ${fmt(m.db_wal_bytes_per_event, 0)} B and ${fmt(m.db_wal_fpi_per_event, 3)} full-page images per event, accepted=sent ${m.accepted_equals_sent ? 'yes' : 'NO'}`,
      );
    }
    L.push(
      `    after / before: ${fmt(D.ratio * 100, 1)} % of events/s (target ≥ 90 %) ${verdict(D.pass)}; CPU per event server ×${fmt(D.server_cpu_ratio, 2)}, PostgreSQL ×${fmt(D.db_cpu_ratio, 2)}`,
    );
    L.push('');
  } else if (R.notes.decay) {
    L.push(`(7) NO DECAY  skipped: ${R.notes.decay}`);
    L.push('');
  }
  if (R.queries) {
    const w = [30, 9, 8, 8, 8, 8, 9, 9, 9, 20];
    L.push(
      '(4) QUERIES  GET /v1/events?app_id=…&limit=50&data_mode=all, c8, agent keys round-robin; CPU ms per query (server / PostgreSQL)',
    );
    L.push(row(['variant', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'srv cpu', 'machine', 'srv ms/q', 'pg ms/q', 'target'], w));
    for (const set of R.queries.sets) {
      for (const v of set.variants) {
        const m = v.median;
        L.push(
          row(
            [
              `${set.label} ${v.name}`,
              fmt(m.req_per_s),
              fmt(m.p50_ms, 1),
              fmt(m.p99_ms, 1),
              fmt(m.non_2xx),
              m.server_cpu_cores === null ? '—' : fmt(m.server_cpu_cores, 2),
              m.machine_busy_pct === null ? '—' : `${fmt(m.machine_busy_pct)}%`,
              fmt(m.server_cpu_ms_per_unit, 3),
              fmt(m.db_cpu_ms_per_unit, 3),
              `p99 ≤ ${set.target_p99_ms} ms  ${verdict(v.pass)}`,
            ],
            w,
          ),
        );
      }
    }
    L.push('');
  }
  for (const k of ['queries_2m', 'queries']) if (R.notes[k]) L.push(`(4) note: ${R.notes[k]}`);
  if (R.analytics) {
    const A = R.analytics;
    const w = [42, 10, 8, 8, 9, 9, 9, 22];
    L.push('(6) ANALYTICS  ingest with 10 % metric: and 10 % track: messages vs plain (batch 100, c16, same run); CPU ms per event');
    L.push(row(['scenario', 'events/s', 'p50 ms', 'p99 ms', 'acc=sent', 'srv ms/ev', 'pg ms/ev', ''], w));
    for (const s of A.ingest) {
      const m = s.median;
      L.push(
        row(
          [
            s.label,
            fmt(m.events_per_s),
            fmt(m.p50_ms, 1),
            fmt(m.p99_ms, 1),
            m.accepted_equals_sent ? 'yes' : 'NO',
            fmt(m.server_cpu_ms_per_unit, 4),
            fmt(m.db_cpu_ms_per_unit, 4),
            '',
          ],
          w,
        ),
      );
    }
    L.push(`    with analytics / plain = ${fmt(A.ingest_ratio * 100, 1)} %`);
    if (A.metric) {
      L.push('    metric and funnel queries at concurrency 1 (user token), CPU ms per query (server / PostgreSQL incl. parallel workers)');
      L.push(row(['query', 'p50 ms', 'p99 ms', 'min ms', 'srv ms/q', 'pg ms/q', 'machine', 'target'], w));
      for (const q of A.metric) {
        L.push(
          row(
            [
              `metric ${q.set} (${fmt(q.rows)} rows) ${q.name}`,
              fmt(q.p50_ms, 1),
              fmt(q.p99_ms, 1),
              fmt(q.min_ms, 1),
              fmt(q.server_cpu_ms_per_unit, 2),
              fmt(q.db_cpu_ms_per_unit, 1),
              `${fmt(q.machine_busy_pct)}%`,
              `p50 ≤ ${q.target_p50_ms} ms  ${verdict(q.pass)}`,
            ],
            w,
          ),
        );
      }
      for (const q of A.funnel) {
        L.push(
          row(
            [
              `funnel 5 steps ${q.mode} (${fmt(q.rows)} rows, ${fmt(q.users)} users)`,
              fmt(q.p50_ms, 1),
              fmt(q.p99_ms, 1),
              fmt(q.min_ms, 1),
              fmt(q.server_cpu_ms_per_unit, 2),
              fmt(q.db_cpu_ms_per_unit, 1),
              `${fmt(q.machine_busy_pct)}%`,
              `p50 ≤ ${q.target_p50_ms} ms  ${verdict(q.pass)}`,
            ],
            w,
          ),
        );
      }
    }
    L.push('');
  }
  if (R.notes.analytics) L.push(`(6) note: ${R.notes.analytics}`);
  if (R.rss) {
    L.push(
      `(5) SERVER RSS  idle ${fmt(R.rss.idle_mb, 1)} MB, peak during (1) ${fmt(R.rss.peak_ingest_mb, 1)} MB, peak over the whole run ${fmt(R.rss.peak_all_mb, 1)} MB   target < 300 MB   ${verdict(R.rss.pass)}`,
    );
  } else {
    L.push(`(5) SERVER RSS  not sampled (${R.notes.rss ?? 'no server pid'})`);
  }
  if (R.server_log) {
    L.push(
      `server log (LOG_LEVEL=warn): ${R.server_log.warn} warn, ${R.server_log.error} error, ${R.server_log.fatal} fatal line(s)${R.server_log.samples.length ? ':' : ''}`,
    );
    for (const s of R.server_log.samples) L.push(`    ${s}`);
  }
  if (R.anomalies.length) {
    L.push('anomalies:');
    for (const a of R.anomalies) L.push(`    ${a}`);
  }
  L.push(`results: ${R.meta.out}`);
  L.push(hr);
  return L.join('\n');
}

/** The machine, Node, PostgreSQL and commit of a run, for a results file's `meta`. */
function machineMeta(pgVersion) {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpu_model: cpus[0]?.model?.trim() ?? '?',
    total_mem_gib: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: pgVersion,
    commit: gitCommit(),
  };
}

function gitCommit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${sha} (+ uncommitted changes)` : sha;
  } catch {
    return null;
  }
}

module.exports = { fmt, row, verdict, renderReport, gitCommit, machineMeta };
