'use strict';
const { log, round } = require('./util');
const { ANON_POOL, USER_POOL } = require('./events');
const { pgConnect, pgClose } = require('./state');
const { EVENT_FIELDS_SQL, loadGenerated, vacuumAnalyze, checkpoint } = require('./prefill');

// ---------------------------------------------------------------------------------------------------------------
// No decay as history grows (issue 15): batch 100 c16 on the cold apps with the table as it is, then again after
// loading `history` rows of the same shape into the same apps (VACUUM ANALYZE, as production autovacuum would).
// ---------------------------------------------------------------------------------------------------------------

/**
 * History rows as ingest leaves them: app i % apps, timestamps spread over the 20 days before `now` (ascending, as
 * they would arrive), received 150 ms later, ids time-ordered like ingest's UUIDv7s (48-bit millisecond prefix of the
 * receive time, version 7, random rest), a new session every 20 events and the bench's user mix.
 */
const HISTORY_SQL = `
INSERT INTO events (id, app_id, client_event_id, session_id, user_id, api_key_id, level, source_module, message, screen_name,
  custom_attributes, environment, os_version, app_version, build_number, device_model, locale, is_dev, experiments,
  "timestamp", received_at)
SELECT encode(set_byte(set_byte(overlay(r.b PLACING substring(int8send((extract(epoch FROM t.rcv) * 1000)::int8) FROM 3) FROM 1 FOR 6),
                       6, (get_byte(r.b, 6) & 15) | 112), 8, (get_byte(r.b, 8) & 63) | 128), 'hex')::uuid,
  ($1::uuid[])[1 + g % cardinality($1::uuid[])], gen_random_uuid(),
  md5('history:' || (g / 20))::uuid,
  CASE WHEN g % 20 = 0 THEN NULL
       WHEN g % 7 = 0 THEN 'owl_anon_' || ((g / 20) % ${ANON_POOL})
       ELSE 'bench_user_' || lpad((((g / 20)::int8 * 7919) % ${USER_POOL})::text, 4, '0') END,
  NULL,
  ${EVENT_FIELDS_SQL},
  false,
  jsonb_build_object('paywall', CASE WHEN g % 2 = 1 THEN 'b' ELSE 'a' END, 'onboarding', 'v2'),
  t.ts, t.rcv
FROM generate_series($2::int, $3::int) AS g
CROSS JOIN LATERAL (SELECT substring(uuid_send(gen_random_uuid()) || int4send(g) FROM 1 FOR 16) AS b) AS r -- refers to g: one per row
CROSS JOIN LATERAL (SELECT $5::timestamptz - interval '20 days' * (1 - g::float8 / $4::int) AS ts) AS t0
CROSS JOIN LATERAL (SELECT t0.ts AS ts, t0.ts + interval '150 milliseconds' AS rcv) AS t`;

/** Loads `n` history rows into `appIds`, plus the dedup claims of the last 48 h and the app users ingest would have left. */
async function loadHistory(ctx, appIds, n) {
  const seconds = await loadGenerated(ctx, {
    label: 'history',
    sql: HISTORY_SQL,
    first: appIds,
    appIds,
    n,
    chunk: 250_000,
    logEvery: 8,
    timeout: '30min',
  });
  return { seconds, events_in_table: await countEvents(ctx) };
}

async function countEvents(ctx) {
  const c = await pgConnect(ctx.dbUrl, 'count');
  try {
    return (await c.query(`SELECT count(*)::int AS n FROM events`)).rows[0].n;
  } finally {
    await pgClose(c);
  }
}

/**
 * Runs the decay comparison. `measureIngest(label)` measures batch 100 c16 on the cold apps (same function for
 * both blocks). Returns { fresh, history, ratio, cpu ratios, pass } for the report.
 */
async function runDecay(ctx, opts, appIds, measureIngest) {
  const freshRows = await countEvents(ctx);
  await vacuumAnalyze(ctx);
  const fresh = await measureIngest(`decay: batch 100 c16, ${freshRows} events in the table`);
  log(`decay: loading ${opts.history} history events into ${appIds.length} apps`);
  const load = await loadHistory(ctx, appIds, opts.history);
  await vacuumAnalyze(ctx);
  await checkpoint(ctx);
  const history = await measureIngest(`decay: batch 100 c16, ${load.events_in_table} events in the table`);
  const f = fresh.median;
  const h = history.median;
  const ratio = h.events_per_s / f.events_per_s;
  return {
    history_events: opts.history,
    load_s: round(load.seconds, 1),
    fresh: { events_in_table: freshRows, ...fresh },
    history: { events_in_table: load.events_in_table, ...history },
    ratio,
    server_cpu_ratio: f.server_cpu_ms_per_unit ? h.server_cpu_ms_per_unit / f.server_cpu_ms_per_unit : null,
    db_cpu_ratio: f.db_cpu_ms_per_unit ? h.db_cpu_ms_per_unit / f.db_cpu_ms_per_unit : null,
    pass: ratio >= 0.9,
  };
}

module.exports = { HISTORY_SQL, loadHistory, runDecay };
