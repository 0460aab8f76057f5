'use strict';
const { randomUUID } = require('node:crypto');

// ---------------------------------------------------------------------------------------------------------------
// Realistic events: one JSON template per batch size with placeholders, filled per request by concatenation
// ---------------------------------------------------------------------------------------------------------------

const GROUP = 10; // consecutive events share a session and a user (one device's buffer)
const USER_POOL = 5000;
const ANON_POOL = 20000;
const MESSAGES = [
  'checkout_started',
  'checkout_completed',
  'screen_view',
  'api_request',
  'sync_finished',
  'login_succeeded',
  'payment_failed',
  'cache_miss',
];
const MODULES = ['CartService', 'CheckoutService', 'AuthService', 'SyncWorker', 'PaymentsClient'];
const SCREENS = ['Cart', 'Home', 'Settings', 'Profile', 'Search'];
const levelAt = (i) => (i % 20 === 3 ? 'error' : i % 10 === 5 ? 'warn' : i % 7 === 2 ? 'debug' : 'info');
const userName = (n) => `bench_user_${String(n).padStart(4, '0')}`;

/** 85 % known users from a pool of 5 000, 15 % anonymous ids from a pool of 20 000. */
function pickUser() {
  const r = Math.random();
  if (r < 0.15) return `owl_anon_${Math.floor(Math.random() * ANON_POOL)}`;
  return userName(Math.floor(Math.random() * USER_POOL));
}

/** The static part of event i (everything but ids, user and timestamp). */
function eventStatics(i) {
  return {
    level: levelAt(i),
    message: MESSAGES[(i * 7) % MESSAGES.length],
    source_module: MODULES[i % MODULES.length],
    screen_name: SCREENS[Math.floor(i / 3) % SCREENS.length],
    custom_attributes: {
      cart_items: String(i % 9),
      plan: ['free', 'pro', 'team'][i % 3],
      latency_ms: 40 + (i % 97),
      retried: i % 13 === 0,
    },
    environment: 'backend',
    os_version: '6.8.0',
    app_version: ['3.4.0', '3.4.1', '3.5.0'][i % 3],
    build_number: String(300 + (i % 20)),
    device_model: 'c6i.large',
    locale: 'en_US',
    is_dev: false,
    experiments: { paywall: i % 2 ? 'b' : 'a', onboarding: 'v2' },
  };
}

/**
 * Returns build() → the JSON text of a fresh batch: unique client_event_ids, new sessions/users, timestamp now.
 * With `analytics`, 10 % of the events are `metric:bench-op:<phase>` messages (with a duration_ms attribute) and
 * 10 % `track:step_<k>` messages, so ingest also writes metric and funnel rows.
 */
function makeBatchBuilder(size, { analytics = false } = {}) {
  const events = [];
  for (let i = 0; i < size; i++) {
    const g = Math.floor(i / GROUP);
    const s = eventStatics(i);
    if (analytics && i % 10 === 1) {
      s.message = `metric:bench-op:${['start', 'complete', 'complete', 'fail'][Math.floor(i / 10) % 4]}`;
      s.custom_attributes = { ...s.custom_attributes, duration_ms: 40 + ((i * 37) % 900) };
    } else if (analytics && i % 10 === 2) {
      s.message = `track:step_${1 + (Math.floor(i / 10) % 5)}`;
    }
    events.push({
      client_event_id: `@@C${i}@@`,
      session_id: `@@S${g}@@`,
      user_id: `@@U${g}@@`,
      level: s.level,
      message: s.message,
      source_module: s.source_module,
      screen_name: s.screen_name,
      custom_attributes: s.custom_attributes,
      environment: s.environment,
      os_version: s.os_version,
      app_version: s.app_version,
      build_number: s.build_number,
      device_model: s.device_model,
      locale: s.locale,
      is_dev: s.is_dev,
      experiments: s.experiments,
      timestamp: '@@T0@@',
    });
  }
  const pieces = JSON.stringify({ events }).split(/@@([CSUT])(\d+)@@/);
  const lits = [];
  const kinds = [];
  const idxs = [];
  for (let k = 0; k < pieces.length; k += 3) {
    lits.push(pieces[k]);
    if (k + 1 < pieces.length) {
      kinds.push(pieces[k + 1]);
      idxs.push(Number(pieces[k + 2]));
    }
  }
  const groups = Math.ceil(size / GROUP);
  const sids = new Array(groups);
  const uids = new Array(groups);
  return function build() {
    const ts = new Date().toISOString();
    for (let g = 0; g < groups; g++) {
      sids[g] = randomUUID();
      uids[g] = pickUser();
    }
    let out = lits[0];
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[k];
      out += kind === 'C' ? randomUUID() : kind === 'S' ? sids[idxs[k]] : kind === 'U' ? uids[idxs[k]] : ts;
      out += lits[k + 1];
    }
    return out;
  };
}

module.exports = { GROUP, USER_POOL, ANON_POOL, MESSAGES, MODULES, SCREENS, levelAt, userName, pickUser, eventStatics, makeBatchBuilder };
