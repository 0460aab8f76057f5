'use strict';
const { log } = require('./util');
const { ANON_POOL, USER_POOL } = require('./events');
const { pgConnect, pgClose } = require('./state');

// ---------------------------------------------------------------------------------------------------------------
// Prefill (direct SQL) for the hot app and the query apps
// ---------------------------------------------------------------------------------------------------------------

/**
 * level, source_module, message, screen_name, custom_attributes, environment, os_version, app_version, build_number,
 * device_model and locale of generated event number `g` (shared with the decay part's history rows).
 */
const EVENT_FIELDS_SQL = `CASE WHEN g % 50 = 3 THEN 'error' WHEN g % 10 = 5 THEN 'warn' WHEN g % 7 = 2 THEN 'debug' ELSE 'info' END,
  (ARRAY['CartService','CheckoutService','AuthService','SyncWorker','PaymentsClient'])[1 + g % 5],
  (ARRAY['checkout_started','checkout_completed','screen_view','api_request','sync_finished','login_succeeded','payment_failed','cache_miss'])[1 + (g * 7) % 8],
  (ARRAY['Cart','Home','Settings','Profile','Search'])[1 + (g / 3) % 5],
  jsonb_build_object('cart_items', (g % 9)::text, 'plan', (ARRAY['free','pro','team'])[1 + g % 3],
                     'latency_ms', (40 + g % 97)::text, 'retried', CASE WHEN g % 13 = 0 THEN 'true' ELSE 'false' END),
  'backend', '6.8.0', (ARRAY['3.4.0','3.4.1','3.5.0'])[1 + g % 3], (300 + g % 20)::text, 'c6i.large', 'en_US'`;

const PREFILL_SQL = `
INSERT INTO events (id, app_id, client_event_id, session_id, user_id, api_key_id, level, source_module, message, screen_name,
  custom_attributes, environment, os_version, app_version, build_number, device_model, locale, is_dev, experiments,
  "timestamp", received_at)
SELECT gen_random_uuid(), $1::uuid, gen_random_uuid(),
  md5($1 || ':' || (g / 20))::uuid,
  CASE WHEN g % 20 = 0 THEN NULL
       WHEN g % 10 = 1 THEN 'bench_user_0001'
       WHEN g % 7 = 0 THEN 'owl_anon_' || ((g / 20) % ${ANON_POOL})
       ELSE 'bench_user_' || lpad((((g / 20) * 7919) % ${USER_POOL})::text, 4, '0') END,
  NULL,
  ${EVENT_FIELDS_SQL},
  g % 50 = 7,
  jsonb_build_object('paywall', CASE WHEN g % 2 = 1 THEN 'b' ELSE 'a' END, 'onboarding', 'v2'),
  t.ts, t.ts + interval '150 milliseconds'
FROM generate_series($2::int, $3::int) AS g
CROSS JOIN LATERAL (SELECT $5::timestamptz - interval '20 days' * (1 - g::float8 / $4::int) AS ts) AS t`;

/**
 * Generated events 1..`n` by `sql` (parameters: `first`, from, to, n, now), in chunks of `chunk` rows per statement,
 * then the dedup claims of the last 48 h and the app users that ingest would have left behind for `appIds`.
 * Returns the seconds it took.
 */
async function loadGenerated(ctx, { label, sql, first, appIds, n, chunk, logEvery, timeout }) {
  const c = await pgConnect(ctx.dbUrl, label.replace(/\s+/g, '-'));
  try {
    await c.query(`SET statement_timeout = '${timeout}'`);
    const now = new Date().toISOString();
    const started = Date.now();
    for (let from = 1; from <= n; from += chunk) {
      const to = Math.min(n, from + chunk - 1);
      await c.query(sql, [first, from, to, n, now]);
      if (to === n || (to / chunk) % logEvery === 0) log(`${label}: ${to}/${n} events (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    await c.query(
      `INSERT INTO event_dedup (app_id, client_event_id, received_at)
       SELECT app_id, client_event_id, received_at FROM events
        WHERE app_id = ANY($1::uuid[]) AND client_event_id IS NOT NULL AND received_at > $2::timestamptz - interval '48 hours'
       ON CONFLICT DO NOTHING`,
      [appIds, now],
    );
    await c.query(
      `INSERT INTO app_users (app_id, user_id, is_anonymous, first_seen_at, last_seen_at)
       SELECT app_id, user_id, user_id LIKE 'owl\\_anon\\_%', min(received_at), max(received_at) FROM events
        WHERE app_id = ANY($1::uuid[]) AND user_id IS NOT NULL GROUP BY app_id, user_id
       ON CONFLICT DO NOTHING`,
      [appIds],
    );
    return (Date.now() - started) / 1000;
  } finally {
    await pgClose(c);
  }
}

/**
 * `n` events for one app, timestamps spread evenly over the 20 days before `now` (ascending, as they would arrive),
 * 10 % from bench_user_0001, 5 % without user, 2 % errors; plus the dedup claims of the last 48 h and the app users
 * that ingest would have left behind. Chunks of 100 000 rows per statement.
 */
function prefill(ctx, appId, n, label) {
  return loadGenerated(ctx, {
    label: `prefill ${label}`,
    sql: PREFILL_SQL,
    first: appId,
    appIds: [appId],
    n,
    chunk: 100_000,
    logEvery: 5,
    timeout: '15min',
  });
}

async function vacuumAnalyze(ctx) {
  const c = await pgConnect(ctx.dbUrl, 'vacuum');
  try {
    await c.query(`SET statement_timeout = '15min'`);
    const s = Date.now();
    await c.query('VACUUM (ANALYZE) events, event_dedup, app_users');
    log(`VACUUM (ANALYZE) events, event_dedup, app_users: ${((Date.now() - s) / 1000).toFixed(1)} s`);
  } finally {
    await pgClose(c);
  }
}

async function checkpoint(ctx) {
  if (!ctx.dbUrl) return;
  const c = await pgConnect(ctx.dbUrl, 'checkpoint');
  try {
    await c.query(`SET statement_timeout = '2min'`);
    await c.query('CHECKPOINT');
  } catch (err) {
    log(`CHECKPOINT skipped: ${err.message}`);
  } finally {
    await pgClose(c);
  }
}

module.exports = { EVENT_FIELDS_SQL, PREFILL_SQL, loadGenerated, prefill, vacuumAnalyze, checkpoint };
