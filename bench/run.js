#!/usr/bin/env node
'use strict';
/*
 * OwlMetry server benchmark (issue #7). Plain CommonJS, run by `npm run bench` (= build + `node bench/run.js`).
 *
 * Default: creates a fresh database on the PostgreSQL named by DATABASE_URL, starts an in-process SMTP sink,
 * spawns the built server (dist/src/main.js), provisions everything through the public API, then measures
 *   (1) ingest at batch 1/10/100 × concurrency 16/64, (2) the raw multi-row INSERT ceiling, (3) a hot app
 *   holding 200k events, (4) GET /v1/events variants on apps with 200k and 2M events, (5) server RSS,
 * prints one table and writes the full JSON to bench/results/<date>.json. `node bench/run.js --help` for flags.
 *
 * Exit code: 0 when the benchmark ran (missed targets are reported, not fatal); 1 on setup errors.
 */

const { spawn, execFileSync } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const autocannon = require('autocannon');
const { Client } = require('pg');
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

const REPO = path.resolve(__dirname, '..');
const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------------------------

const HELP = `Usage: npm run bench -- [flags]      (or: node bench/run.js [flags] after npm run build)

Timing
  --duration S        seconds per measured run (default 10)
  --runs N            measured runs per scenario; the median is reported (default 3)
  --warmup S          warm-up seconds before each scenario, discarded (default 3)
  --quick             smoke test: 2 s x 1 run, 1 s warm-up (numbers are not comparable)
  --max-minutes M     abort (and clean up) after M minutes (default 90)

Scope
  --skip-2m           skip the query runs on the app with 2 000 000 events
  --only LIST         comma list of: ingest,ceiling,hot,queries (default: all)
  --apps N            backend apps provisioned for cold ingest (default 300)
  --keys-per-app N    client keys per cold app, incl. the app's own (default 2)
  --hot-keys N        client keys of the hot app (default 50)
  --agent-keys N      agent keys (events:read) used round-robin by the queries (default 200)
  --hot-events N      events prefilled into the hot app and the small query app (default 200000)
  --big-events N      events prefilled into the big query app (default 2000000)

Target server
  (default)           spawn dist/src/main.js on a fresh database owlmetry_bench_<pid> created on the server in
                      $DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); dropped at the end
  --base-url URL      use a running server instead (nothing is spawned or dropped)
  --database-url URL  with --base-url: that server's database, needed for the ceiling and the prefills
                      (without it those parts are skipped with a note)
  --token JWT         with --base-url: a user token (admin of its first team) instead of the e-mail login
  --smtp-port PORT    with --base-url: run the SMTP sink on this port (the server's SMTP_URL must point at it)
  --server-pid PID    with --base-url: the server's pid, for RSS/CPU sampling (Linux /proc)

Output
  --out FILE          JSON results file (default bench/results/<ISO date>.json)
  --cpu-prof          run the spawned server with node --cpu-prof; the .cpuprofile lands in bench/results/
                      (open it in Chrome DevTools; profiling slows the server, so numbers are not comparable)
  --keep-db           keep the database at the end (for EXPLAIN etc.); its URL is printed; drop it yourself
  --help
`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'max-minutes': { type: 'string' },
      'skip-2m': { type: 'boolean', default: false },
      only: { type: 'string' },
      apps: { type: 'string' },
      'keys-per-app': { type: 'string' },
      'hot-keys': { type: 'string' },
      'agent-keys': { type: 'string' },
      'hot-events': { type: 'string' },
      'big-events': { type: 'string' },
      'base-url': { type: 'string' },
      'database-url': { type: 'string' },
      token: { type: 'string' },
      'smtp-port': { type: 'string' },
      'server-pid': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'keep-db': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const num = (name, def, min) => {
    const raw = values[name];
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new SetupError(`--${name} must be a number >= ${min}`);
    return n;
  };
  const quick = values.quick;
  const only = new Set((values.only ?? 'ingest,ceiling,hot,queries').split(',').map((s) => s.trim()).filter(Boolean));
  for (const o of only) {
    if (!['ingest', 'ceiling', 'hot', 'queries'].includes(o)) throw new SetupError(`--only: unknown part "${o}"`);
  }
  const opts = {
    help: values.help,
    quick,
    duration: num('duration', quick ? 2 : 10, 1),
    runs: Math.floor(num('runs', quick ? 1 : 3, 1)),
    warmup: num('warmup', quick ? 1 : 3, 0),
    maxMinutes: num('max-minutes', 90, 1),
    skip2m: values['skip-2m'],
    only,
    apps: Math.floor(num('apps', 300, 1)),
    keysPerApp: Math.floor(num('keys-per-app', 2, 1)),
    hotKeys: Math.floor(num('hot-keys', 50, 1)),
    agentKeys: Math.floor(num('agent-keys', 200, 1)),
    hotEvents: Math.floor(num('hot-events', 200_000, 1000)),
    bigEvents: Math.floor(num('big-events', 2_000_000, 1000)),
    baseUrl: values['base-url'] ? values['base-url'].replace(/\/+$/, '') : null,
    databaseUrl: values['database-url'] ?? null,
    token: values.token ?? null,
    smtpPort: values['smtp-port'] ? Math.floor(num('smtp-port', 0, 1)) : null,
    serverPid: values['server-pid'] ? Math.floor(num('server-pid', 0, 1)) : null,
    out: values.out ?? null,
    cpuProf: values['cpu-prof'],
    keepDb: values['keep-db'],
  };
  if ((opts.cpuProf || opts.keepDb) && opts.baseUrl) throw new SetupError('--cpu-prof and --keep-db apply only to the spawned server');
  if (!opts.baseUrl && (opts.databaseUrl || opts.token || opts.smtpPort || opts.serverPid)) {
    throw new SetupError('--database-url, --token, --smtp-port and --server-pid only apply together with --base-url');
  }
  if (opts.baseUrl && !opts.token && !opts.smtpPort) {
    throw new SetupError('--base-url needs --token JWT, or --smtp-port PORT with the server mailing to that port');
  }
  return opts;
}

class SetupError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------------------

const t0 = Date.now();
function log(msg) {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${s}s] ${msg}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Per-metric medians over runs: numbers → median, booleans → all true, counts named in `sums` → summed. */
function medianOfRuns(runs, sums = []) {
  const out = {};
  for (const key of Object.keys(runs[0])) {
    const vals = runs.map((r) => r[key]);
    if (sums.includes(key)) out[key] = vals.reduce((a, b) => a + b, 0);
    else if (typeof vals[0] === 'number') out[key] = median(vals);
    else if (typeof vals[0] === 'boolean') out[key] = vals.every(Boolean);
    else if (key === 'statuses') {
      out[key] = {};
      for (const v of vals) for (const [k, n] of Object.entries(v || {})) out[key][k] = (out[key][k] || 0) + n;
    } else if (vals[0] && typeof vals[0] === 'object') {
      // maps of numbers (db_waits): per-key median, a key missing from a run counting as 0
      const keys = new Set(vals.flatMap((v) => Object.keys(v || {})));
      const m = {};
      for (const k of keys) m[k] = median(vals.map((v) => (v && v[k]) || 0));
      out[key] = Object.fromEntries(Object.entries(m).sort((a, b) => b[1] - a[1]));
    }
  }
  return out;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const round = (x, d = 0) => (x === null || x === undefined ? null : Number(x.toFixed(d)));

// ---------------------------------------------------------------------------------------------------------------
// /proc sampling: RSS and CPU of the server, CPU of the whole machine
// ---------------------------------------------------------------------------------------------------------------

const CLK_TCK = 100; // Linux USER_HZ

function readRssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function readProcCpuTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
  } catch {
    return null;
  }
}

function readMachineTicks() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    const idle = f[3] + (f[4] || 0);
    return { total, busy: total - idle };
  } catch {
    return null;
  }
}

/** CPU use over an interval: server and bench process in cores (1.0 = one core busy), machine in % of all cores. */
function cpuMeter(serverPid) {
  const start = { server: serverPid ? readProcCpuTicks(serverPid) : null, bench: process.cpuUsage(), machine: readMachineTicks(), at: process.hrtime.bigint() };
  return () => {
    const secs = Number(process.hrtime.bigint() - start.at) / 1e9;
    const server = serverPid ? readProcCpuTicks(serverPid) : null;
    const bench = process.cpuUsage(start.bench);
    const machine = readMachineTicks();
    return {
      server_cpu_cores: server !== null && start.server !== null ? round((server - start.server) / CLK_TCK / secs, 2) : null,
      bench_cpu_cores: round((bench.user + bench.system) / 1e6 / secs, 2),
      machine_busy_pct:
        machine && start.machine ? round((100 * (machine.busy - start.machine.busy)) / Math.max(1, machine.total - start.machine.total), 0) : null,
    };
  };
}

class RssSampler {
  constructor(pid) {
    this.pid = pid;
    this.peak = 0;
    this.timer = null;
  }
  start() {
    if (!this.pid || this.timer) return;
    this.timer = setInterval(() => {
      const rss = readRssBytes(this.pid);
      if (rss !== null && rss > this.peak) this.peak = rss;
    }, 200);
    this.timer.unref();
  }
  resetPeak() {
    this.peak = readRssBytes(this.pid) ?? 0;
  }
  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * What the database is doing during a run: every 200 ms, the bench database's backends by state/wait event
 * (pg_stat_activity; "CPU" = active and not waiting, "idle in transaction" = the server holding a transaction open
 * between statements), averaged per sample; plus the WAL written (cluster-wide, so other databases add noise).
 */
async function makeDbProbe(dbUrl) {
  const c = await pgConnect(dbUrl, 'probe');
  const SQL = `SELECT CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'CPU') ELSE state END AS w,
                      count(*)::int AS n
                 FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                  AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')
                  AND application_name NOT LIKE 'owlmetry-bench-prefill%'
                GROUP BY 1`;
  const lsn = async () => (await c.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0].l;
  return {
    async begin() {
      const st = { counts: {}, samples: 0, busy: false, startLsn: await lsn() };
      st.timer = setInterval(() => {
        if (st.busy) return;
        st.busy = true;
        c.query(SQL)
          .then((r) => {
            st.samples++;
            for (const { w, n } of r.rows) st.counts[w] = (st.counts[w] || 0) + n;
          })
          .catch(() => undefined)
          .finally(() => {
            st.busy = false;
          });
      }, 200);
      return async () => {
        clearInterval(st.timer);
        const endLsn = await lsn();
        const wal = (await c.query('SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::float8 AS d', [endLsn, st.startLsn])).rows[0].d;
        const waits = {};
        let active = 0;
        for (const [w, n] of Object.entries(st.counts).sort((a, b) => b[1] - a[1])) {
          waits[w] = round(n / Math.max(1, st.samples), 2);
          active += n / Math.max(1, st.samples);
        }
        return { db_busy_backends_avg: round(active, 2), db_wal_bytes: wal, db_waits: waits };
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Realistic events: one JSON template per batch size with placeholders, filled per request by concatenation
// ---------------------------------------------------------------------------------------------------------------

const GROUP = 10; // consecutive events share a session and a user (one device's buffer)
const USER_POOL = 5000;
const ANON_POOL = 20000;
const MESSAGES = ['checkout_started', 'checkout_completed', 'screen_view', 'api_request', 'sync_finished', 'login_succeeded', 'payment_failed', 'cache_miss'];
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
    custom_attributes: { cart_items: String(i % 9), plan: ['free', 'pro', 'team'][i % 3], latency_ms: 40 + (i % 97), retried: i % 13 === 0 },
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

/** Returns build() → the JSON text of a fresh batch: unique client_event_ids, new sessions/users, timestamp now. */
function makeBatchBuilder(size) {
  const events = [];
  for (let i = 0; i < size; i++) {
    const g = Math.floor(i / GROUP);
    const s = eventStatics(i);
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

// ---------------------------------------------------------------------------------------------------------------
// SMTP sink (login codes)
// ---------------------------------------------------------------------------------------------------------------

class SmtpSink {
  constructor() {
    this.messages = [];
    this.server = null;
    this.port = 0;
  }
  async start(port = 0) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, cb) => {
        simpleParser(stream)
          .then((mail) => {
            const to = [mail.to].flat().flatMap((a) => (a ? a.value.map((v) => (v.address || '').toLowerCase()) : []));
            this.messages.push({ to, text: mail.text || '' });
            cb();
          })
          .catch(cb);
      },
    });
    this.server.on('error', (err) => log(`smtp sink error: ${err.message}`));
    await new Promise((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.port = this.server.server.address().port;
  }
  async codeFor(email, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const mail = [...this.messages].reverse().find((m) => m.to.includes(email));
      if (mail) {
        const m = /\b(\d{6})\b/.exec(mail.text);
        if (!m) throw new SetupError(`no 6-digit code in the mail to ${email}`);
        return m[1];
      }
      await sleep(100);
    }
    throw new SetupError(`no login mail for ${email} within ${timeoutMs / 1000} s`);
  }
  stop() {
    if (!this.server) return Promise.resolve();
    const s = this.server;
    this.server = null;
    return new Promise((resolve) => s.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// State shared with cleanup
// ---------------------------------------------------------------------------------------------------------------

const state = {
  server: null, // ChildProcess
  serverExited: null, // Promise
  serverLog: null,
  serverExpectedExit: false,
  sink: null,
  adminUrl: null,
  dbName: null,
  benchDbUrl: null,
  pgClients: new Set(),
  cannon: null,
  sampler: null,
};

async function pgConnect(url, label) {
  const c = new Client({ connectionString: url, application_name: `owlmetry-bench-${label}` });
  c.on('error', (err) => log(`pg (${label}) error: ${err.message}`));
  await c.connect();
  state.pgClients.add(c);
  return c;
}

async function pgClose(c) {
  state.pgClients.delete(c);
  await c.end().catch(() => undefined);
}

let cleaning = null;
function cleanup() {
  if (cleaning) return cleaning;
  cleaning = (async () => {
    if (state.cannon) {
      try {
        state.cannon.stop();
      } catch {
        /* already stopped */
      }
    }
    if (state.sampler) state.sampler.stop();
    await Promise.all([...state.pgClients].map((c) => pgClose(c)));
    if (state.server && state.server.exitCode === null && state.server.signalCode === null) {
      state.serverExpectedExit = true;
      log(`stopping server (pid ${state.server.pid}, SIGTERM)`);
      state.server.kill('SIGTERM');
      const exited = await Promise.race([state.serverExited.then(() => true), sleep(35_000).then(() => false)]);
      if (!exited) {
        log('server did not exit within 35 s; SIGKILL');
        state.server.kill('SIGKILL');
        await Promise.race([state.serverExited, sleep(5_000)]);
      }
    }
    if (state.sink) await state.sink.stop().catch(() => undefined);
    if (state.dbName && state.keepDb) {
      log(`keeping database ${state.dbName} (--keep-db): ${redact(state.benchDbUrl)}`);
    } else if (state.dbName && state.adminUrl) {
      try {
        const admin = new Client({ connectionString: state.adminUrl });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS "${state.dbName}" WITH (FORCE)`);
        await admin.end();
        log(`dropped database ${state.dbName}`);
      } catch (err) {
        log(`could not drop database ${state.dbName}: ${err.message}`);
      }
    }
  })();
  return cleaning;
}

let interrupted = 0;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    log(`${sig}: cleaning up (again to force exit)`);
    cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Server and database
// ---------------------------------------------------------------------------------------------------------------

async function createDatabase(adminUrl) {
  const dbName = `owlmetry_bench_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    throw new SetupError(`cannot connect to PostgreSQL at ${redact(adminUrl)}: ${err.message}`);
  }
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${dbName}"`);
  } finally {
    await admin.end();
  }
  state.adminUrl = adminUrl;
  state.dbName = dbName;
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  return { dbName, url: u.toString() };
}

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

async function spawnServer(dbUrl, smtpPort, logFile, nodeFlags) {
  const main = path.join(REPO, 'dist', 'src', 'main.js');
  if (!fs.existsSync(main)) throw new SetupError(`${main} not found: run npm run build (npm run bench does)`);
  const port = await freePort();
  const env = { ...process.env };
  for (const k of ['REDIS_URL', 'RATE_LIMIT_MAX_TOKENS', 'RATE_LIMIT_REFILL_PER_SEC', 'METRICS_TOKEN', 'OWLMETRY_DATA_DIR']) delete env[k];
  Object.assign(env, {
    DATABASE_URL: dbUrl,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    JWT_SECRET: 'bench',
    LOG_LEVEL: 'warn',
  });
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeFlags, main], { cwd: REPO, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  state.server = child;
  state.serverLog = logFile;
  state.serverExited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  state.serverExited.then(({ code, signal }) => {
    if (!state.serverExpectedExit) log(`!! server exited unexpectedly (code ${code}, signal ${signal}); log: ${logFile}`);
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new SetupError(`server exited during startup (code ${child.exitCode}):\n${tail(logFile, 20)}`);
    }
    try {
      const res = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return { base, pid: child.pid, port };
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  throw new SetupError(`server not ready within 90 s:\n${tail(logFile, 20)}`);
}

function tail(file, lines) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function assertServerAlive() {
  if (state.server && (state.server.exitCode !== null || state.server.signalCode !== null)) {
    throw new SetupError(`the server died (code ${state.server.exitCode}, signal ${state.server.signalCode}):\n${tail(state.serverLog, 20)}`);
  }
}

/** Counts pino lines by level in the server log, with a few samples of warn+ lines. */
function summarizeServerLog(file) {
  const out = { file, lines: 0, warn: 0, error: 0, fatal: 0, other: 0, samples: [] };
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const seen = new Set();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    out.lines++;
    let level = null;
    let msg = line;
    try {
      const j = JSON.parse(line);
      level = j.level;
      msg = j.err?.message ?? j.msg ?? line;
    } catch {
      out.other++;
    }
    if (level === 40) out.warn++;
    else if (level === 50) out.error++;
    else if (level === 60) out.fatal++;
    if (level >= 40 || level === null) {
      const key = String(msg).slice(0, 160);
      if (!seen.has(key) && out.samples.length < 8) {
        seen.add(key);
        out.samples.push(`${level ?? '?'}: ${key}`);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Public API client (provisioning only; load goes through autocannon)
// ---------------------------------------------------------------------------------------------------------------

function makeApi(base) {
  return async function api(method, p, { token, body, expect } = {}) {
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(20_000) });
    } catch (err) {
      throw new SetupError(`${method} ${p} failed: ${err.message}`);
    }
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    if (expect && !expect.includes(res.status)) throw new SetupError(`${method} ${p} → ${res.status} ${text.slice(0, 400)}`);
    return { status: res.status, json, text };
  };
}

async function provision(api, opts, sink) {
  const email = `bench-${process.pid}-${Date.now()}@example.com`;
  let token = opts.token;
  let teamId;
  if (!token) {
    log(`login as ${email} (send-code → SMTP sink → verify-code)`);
    await api('POST', '/v1/auth/send-code', { body: { email }, expect: [200] });
    const code = await sink.codeFor(email);
    const v = await api('POST', '/v1/auth/verify-code', { body: { email, code }, expect: [200, 201] });
    token = v.json.token;
    teamId = v.json.teams?.[0]?.id;
  } else {
    const who = await api('GET', '/v1/auth/whoami', { token, expect: [200] });
    teamId = who.json.teams?.[0]?.id;
  }
  if (!token || !teamId) throw new SetupError('login gave no token or team');

  const slug = `bench-${process.pid}-${Date.now().toString(36)}`;
  const project = await api('POST', '/v1/projects', { token, body: { team_id: teamId, name: 'Benchmark', slug }, expect: [201] });
  const projectId = project.json.id;

  const createApp = async (name) => {
    const r = await api('POST', '/v1/apps', { token, body: { name, platform: 'backend', project_id: projectId }, expect: [201] });
    if (!r.json.client_key) throw new SetupError(`POST /v1/apps gave no client_key: ${r.text.slice(0, 200)}`);
    return { id: r.json.id, clientKey: r.json.client_key };
  };
  const createClientKey = async (appId, name) => {
    const r = await api('POST', '/v1/auth/keys', { token, body: { name, key_type: 'client', app_id: appId }, expect: [201] });
    return r.json.key;
  };

  log(`creating ${opts.apps} backend apps (+${opts.keysPerApp - 1} extra client key each)`);
  const coldApps = await mapLimit(
    Array.from({ length: opts.apps }, (_, i) => i),
    4,
    async (i) => {
      const app = await createApp(`bench-cold-${String(i).padStart(3, '0')}`);
      const keys = [app.clientKey];
      for (let k = 1; k < opts.keysPerApp; k++) keys.push(await createClientKey(app.id, `bench-cold-${i}-k${k}`));
      return { id: app.id, keys };
    },
  );
  // Interleave so that consecutive requests go to different apps (key i of app a at a*K+i → round-robin over apps first).
  const coldKeys = [];
  for (let k = 0; k < opts.keysPerApp; k++) for (const a of coldApps) coldKeys.push(a.keys[k]);

  log(`creating the hot app with ${opts.hotKeys} client keys, two query apps, ${opts.agentKeys} agent keys`);
  const hot = await createApp('bench-hot');
  const hotKeys = [hot.clientKey];
  hotKeys.push(...(await mapLimit(Array.from({ length: opts.hotKeys - 1 }, (_, i) => i), 4, (i) => createClientKey(hot.id, `bench-hot-k${i + 1}`))));
  const q200k = await createApp('bench-query-200k');
  const q2m = await createApp('bench-query-2m');
  const agentKeys = await mapLimit(Array.from({ length: opts.agentKeys }, (_, i) => i), 4, async (i) => {
    const r = await api('POST', '/v1/auth/keys', {
      token,
      body: { name: `bench-agent-${i}`, key_type: 'agent', team_id: teamId, permissions: ['events:read'] },
      expect: [201],
    });
    return r.json.key;
  });
  return { token, teamId, projectId, coldApps, coldKeys, hot: { id: hot.id, keys: hotKeys }, q200k, q2m, agentKeys };
}

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

/** One autocannon run of POST /v1/ingest with fresh batches, keys round-robin; checks `accepted`. */
function ingestOnce(ctx, { batch, connections, keys, samples }) {
  const build = makeBatchBuilder(batch);
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
      req_per_s: answered / dur,
      events_per_s: st.accepted / dur,
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

const INGEST_SUMS = ['requests', 'non_2xx', 'status_429', 'errors', 'timeouts', 'events_sent_in_200s', 'events_accepted', 'events_rejected'];

/** The ceiling: bare pg clients, one 100-row multi-row INSERT into `events` per statement, the same rows as ingest. */
async function makeCeiling(ctx, { connections, appIds }) {
  const ROWS = 100;
  const COLS = ['app_id', 'client_event_id', 'session_id', 'user_id', 'api_key_id', 'level', 'source_module', 'message', 'screen_name',
    'custom_attributes', 'environment', 'os_version', 'app_version', 'build_number', 'device_model', 'locale', 'is_dev', 'experiments',
    '"timestamp"', 'received_at'];
  const tuples = [];
  for (let r = 0; r < ROWS; r++) {
    tuples.push(`(gen_random_uuid(), ${COLS.map((_, c) => `$${r * COLS.length + c + 1}`).join(', ')})`);
  }
  const sql = `INSERT INTO events (id, ${COLS.join(', ')}) VALUES ${tuples.join(', ')}`;
  // Static values as ingest stores them (custom_attributes normalised to strings).
  const statics = [];
  for (let r = 0; r < ROWS; r++) {
    const s = eventStatics(r);
    const attrs = {};
    for (const [k, v] of Object.entries(s.custom_attributes)) attrs[k] = String(v);
    statics.push([s.level, s.source_module, s.message, s.screen_name, JSON.stringify(attrs), s.environment, s.os_version, s.app_version,
      s.build_number, s.device_model, s.locale, s.is_dev, JSON.stringify(s.experiments)]);
  }
  const keyId = randomUUID();
  const clients = [];
  for (let i = 0; i < connections; i++) clients.push(await pgConnect(ctx.dbUrl, `ceiling-${i}`));
  let appRr = 0;
  const params = () => {
    const now = new Date().toISOString();
    const appId = appIds[appRr++ % appIds.length];
    const values = new Array(ROWS * COLS.length);
    let sid;
    let uid;
    for (let r = 0; r < ROWS; r++) {
      if (r % GROUP === 0) {
        sid = randomUUID();
        uid = pickUser();
      }
      const s = statics[r];
      const o = r * COLS.length;
      values[o] = appId;
      values[o + 1] = randomUUID();
      values[o + 2] = sid;
      values[o + 3] = uid;
      values[o + 4] = keyId;
      for (let c = 0; c < s.length; c++) values[o + 5 + c] = s[c];
      values[o + 18] = now;
      values[o + 19] = now;
    }
    return values;
  };
  const once = async (seconds) => {
    const probeEnd = ctx.probe ? await ctx.probe.begin() : null;
    const meter = cpuMeter(ctx.serverPid);
    const start = process.hrtime.bigint();
    const deadline = Date.now() + seconds * 1000;
    const lat = [];
    let rows = 0;
    let errors = 0;
    let firstError = null;
    await Promise.all(
      clients.map(async (c) => {
        while (Date.now() < deadline) {
          const s = process.hrtime.bigint();
          try {
            await c.query({ name: 'bench_ceiling_insert', text: sql, values: params() });
            rows += ROWS;
            lat.push(Number(process.hrtime.bigint() - s) / 1e6);
          } catch (err) {
            errors++;
            firstError = firstError || err.message;
            if (errors > 20) throw new SetupError(`ceiling INSERTs keep failing: ${firstError}`);
          }
        }
      }),
    );
    const dur = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = meter();
    const db = probeEnd ? await probeEnd() : {};
    lat.sort((a, b) => a - b);
    return {
      ...(db.db_wal_bytes !== undefined ? { db_wal_bytes_per_event: rows ? db.db_wal_bytes / rows : null } : {}),
      rows_per_s: rows / dur,
      statements_per_s: lat.length / dur,
      p50_ms: round(percentile(lat, 50), 1),
      p99_ms: round(percentile(lat, 99), 1),
      rows,
      errors,
      duration_s: round(dur, 2),
      ...cpu,
      ...db,
    };
  };
  const close = async () => {
    for (const c of clients) await pgClose(c);
  };
  return { once, close };
}

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
      statuses,
    };
  };
}

const QUERY_SUMS = ['requests', 'non_2xx', 'status_429', 'errors', 'timeouts'];

// ---------------------------------------------------------------------------------------------------------------
// Prefill (direct SQL) for the hot app and the query apps
// ---------------------------------------------------------------------------------------------------------------

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
  CASE WHEN g % 50 = 3 THEN 'error' WHEN g % 10 = 5 THEN 'warn' WHEN g % 7 = 2 THEN 'debug' ELSE 'info' END,
  (ARRAY['CartService','CheckoutService','AuthService','SyncWorker','PaymentsClient'])[1 + g % 5],
  (ARRAY['checkout_started','checkout_completed','screen_view','api_request','sync_finished','login_succeeded','payment_failed','cache_miss'])[1 + (g * 7) % 8],
  (ARRAY['Cart','Home','Settings','Profile','Search'])[1 + (g / 3) % 5],
  jsonb_build_object('cart_items', (g % 9)::text, 'plan', (ARRAY['free','pro','team'])[1 + g % 3],
                     'latency_ms', (40 + g % 97)::text, 'retried', CASE WHEN g % 13 = 0 THEN 'true' ELSE 'false' END),
  'backend', '6.8.0', (ARRAY['3.4.0','3.4.1','3.5.0'])[1 + g % 3], (300 + g % 20)::text, 'c6i.large', 'en_US',
  g % 50 = 7,
  jsonb_build_object('paywall', CASE WHEN g % 2 = 1 THEN 'b' ELSE 'a' END, 'onboarding', 'v2'),
  t.ts, t.ts + interval '150 milliseconds'
FROM generate_series($2::int, $3::int) AS g
CROSS JOIN LATERAL (SELECT $5::timestamptz - interval '20 days' * (1 - g::float8 / $4::int) AS ts) AS t`;

/**
 * `n` events for one app, timestamps spread evenly over the 20 days before `now` (ascending, as they would arrive),
 * 10 % from bench_user_0001, 5 % without user, 2 % errors; plus the dedup claims of the last 48 h and the app users
 * that ingest would have left behind. Chunks of 100 000 rows per statement.
 */
async function prefill(ctx, appId, n, label) {
  const c = await pgConnect(ctx.dbUrl, `prefill-${label}`);
  try {
    await c.query(`SET statement_timeout = '15min'`);
    const now = new Date().toISOString();
    const started = Date.now();
    const CHUNK = 100_000;
    for (let from = 1; from <= n; from += CHUNK) {
      const to = Math.min(n, from + CHUNK - 1);
      await c.query(PREFILL_SQL, [appId, from, to, n, now]);
      if (to === n || (to / CHUNK) % 5 === 0) log(`prefill ${label}: ${to}/${n} events (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    await c.query(
      `INSERT INTO event_dedup (app_id, client_event_id, received_at)
       SELECT app_id, client_event_id, received_at FROM events
        WHERE app_id = $1 AND client_event_id IS NOT NULL AND received_at > $2::timestamptz - interval '48 hours'
       ON CONFLICT DO NOTHING`,
      [appId, now],
    );
    await c.query(
      `INSERT INTO app_users (app_id, user_id, is_anonymous, first_seen_at, last_seen_at)
       SELECT $1, user_id, user_id LIKE 'owl\\_anon\\_%', min("timestamp"), max("timestamp") FROM events
        WHERE app_id = $1 AND user_id IS NOT NULL GROUP BY user_id
       ON CONFLICT DO NOTHING`,
      [appId],
    );
    return (Date.now() - started) / 1000;
  } finally {
    await pgClose(c);
  }
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
  L.push(`machine: ${R.meta.cpus} × ${R.meta.cpu_model}, ${fmt(R.meta.total_mem_gib, 1)} GiB RAM, ${R.meta.os}; node ${R.meta.node}; ${R.meta.postgres ?? 'PostgreSQL ?'}`);
  L.push(`commit: ${R.meta.commit ?? '?'}   server: ${R.meta.server}`);
  L.push(`each number = median of ${R.config.runs} run(s) × ${R.config.duration} s after a ${R.config.warmup} s warm-up; latency from autocannon (client side)`);
  L.push(`rate limits: ${R.rate_limit_note}`);
  L.push(hr);

  if (R.ingest) {
    const w = [24, 9, 10, 8, 8, 8, 6, 9, 7, 8, 30];
    L.push('(1) INGEST  POST /v1/ingest, backend apps, fresh client_event_ids');
    L.push(row(['scenario', 'req/s', 'events/s', 'p50 ms', 'p99 ms', 'non-2xx', '429', 'acc=sent', 'srv cpu', 'machine', 'target'], w));
    for (const s of R.ingest.scenarios) {
      const m = s.median;
      L.push(row([
        `batch ${String(s.batch).padStart(3)}  c${s.connections}`, fmt(m.req_per_s), fmt(m.events_per_s), fmt(m.p50_ms, 1), fmt(m.p99_ms, 1),
        fmt(m.non_2xx), fmt(m.status_429), m.accepted_equals_sent ? 'yes' : 'NO', m.server_cpu_cores === null ? '—' : `${fmt(m.server_cpu_cores, 2)}`,
        m.machine_busy_pct === null ? '—' : `${fmt(m.machine_busy_pct)}%`, s.target ? `${s.target.text}  ${verdict(s.target.pass)}` : '',
      ], w));
    }
    L.push('');
  }
  const dbLines = [
    ...(R.ingest?.scenarios ?? []).map((s) => [`ingest batch ${String(s.batch).padStart(3)} c${s.connections}`, s.median]),
    ...(R.ceiling ? [['ceiling (bare pg) c16', R.ceiling.median]] : []),
    ...(R.hot ? [['hot app batch 100 c16', R.hot.median]] : []),
  ].filter(([, m]) => m.db_waits);
  if (dbLines.length) {
    L.push('    DB activity during the runs (avg backends of the bench database per 200 ms sample; WAL is cluster-wide):');
    for (const [label, m] of dbLines) {
      const waits = Object.entries(m.db_waits).filter(([, n]) => n >= 0.05).slice(0, 5).map(([k, n]) => `${k} ${fmt(n, 1)}`).join(', ');
      L.push(`    ${label.padEnd(24)} busy ${fmt(m.db_busy_backends_avg, 1).padStart(5)}  WAL ${fmt(m.db_wal_bytes_per_event, 0).padStart(5)} B/event   ${waits}`);
    }
    L.push('');
  }
  if (R.ceiling) {
    const m = R.ceiling.median;
    L.push(`(2) CEILING  bare pg, one 100-row INSERT per statement into events, c${R.ceiling.connections}`);
    L.push(`    ${fmt(m.rows_per_s)} rows/s (${fmt(m.statements_per_s)} statements/s, p50 ${fmt(m.p50_ms, 1)} ms, p99 ${fmt(m.p99_ms, 1)} ms, errors ${m.errors}, machine ${fmt(m.machine_busy_pct)}%)`);
    if (R.ceiling.ratio !== undefined) {
      L.push(`    ingest batch 100 c16 / ceiling = ${fmt(R.ceiling.ratio * 100, 1)} %   target ≥ 60 % and p99 < 150 ms   ${verdict(R.ceiling.pass)}`);
    }
    L.push('');
  } else if (R.notes.ceiling) {
    L.push(`(2) CEILING  skipped: ${R.notes.ceiling}`);
    L.push('');
  }
  if (R.hot) {
    const m = R.hot.median;
    L.push(`(3) HOT APP  batch 100, c16, one app holding ${fmt(R.hot.prefilled_events)} events, ${R.hot.keys} client keys of that app`);
    L.push(`    ${fmt(m.events_per_s)} events/s (${fmt(m.req_per_s)} req/s, p50 ${fmt(m.p50_ms, 1)} ms, p99 ${fmt(m.p99_ms, 1)} ms, non-2xx ${fmt(m.non_2xx)}, accepted=sent ${m.accepted_equals_sent ? 'yes' : 'NO'})`);
    if (R.hot.ratio !== undefined) L.push(`    hot / cold (batch 100 c16) = ${fmt(R.hot.ratio * 100, 1)} %   target ≥ 80 %   ${verdict(R.hot.pass)}`);
    L.push('');
  } else if (R.notes.hot) {
    L.push(`(3) HOT APP  skipped: ${R.notes.hot}`);
    L.push('');
  }
  if (R.queries) {
    const w = [30, 9, 8, 8, 8, 8, 9, 20];
    L.push('(4) QUERIES  GET /v1/events?app_id=…&limit=50&data_mode=all, c8, agent keys round-robin');
    L.push(row(['variant', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'srv cpu', 'machine', 'target'], w));
    for (const set of R.queries.sets) {
      for (const v of set.variants) {
        const m = v.median;
        L.push(row([
          `${set.label} ${v.name}`, fmt(m.req_per_s), fmt(m.p50_ms, 1), fmt(m.p99_ms, 1), fmt(m.non_2xx),
          m.server_cpu_cores === null ? '—' : fmt(m.server_cpu_cores, 2), m.machine_busy_pct === null ? '—' : `${fmt(m.machine_busy_pct)}%`,
          `p99 ≤ ${set.target_p99_ms} ms  ${verdict(v.pass)}`,
        ], w));
      }
    }
    L.push('');
  }
  for (const k of ['queries_2m', 'queries']) if (R.notes[k]) L.push(`(4) note: ${R.notes[k]}`);
  if (R.rss) {
    L.push(`(5) SERVER RSS  idle ${fmt(R.rss.idle_mb, 1)} MB, peak during (1) ${fmt(R.rss.peak_ingest_mb, 1)} MB, peak over the whole run ${fmt(R.rss.peak_all_mb, 1)} MB   target < 300 MB   ${verdict(R.rss.pass)}`);
  } else {
    L.push(`(5) SERVER RSS  not sampled (${R.notes.rss ?? 'no server pid'})`);
  }
  if (R.server_log) {
    L.push(`server log (LOG_LEVEL=warn): ${R.server_log.warn} warn, ${R.server_log.error} error, ${R.server_log.fatal} fatal line(s)${R.server_log.samples.length ? ':' : ''}`);
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

function gitCommit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${sha} (+ uncommitted changes)` : sha;
  } catch {
    return null;
  }
}

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
    serverDesc = `spawned dist/src/main.js (pid ${srv.pid}) on ${srv.base}, database ${db.dbName}, log ${path.relative(REPO, logFile)}` +
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

  const cpus = os.cpus();
  const R = {
    meta: {
      date,
      cpus: cpus.length,
      cpu_model: cpus[0]?.model?.trim() ?? '?',
      total_mem_gib: os.totalmem() / 1024 ** 3,
      os: `${os.type()} ${os.release()}`,
      node: process.version,
      postgres: pgVersion,
      commit: gitCommit(),
      server: serverDesc,
      out: path.relative(process.cwd(), outFile) || outFile,
    },
    config: { ...opts, only: [...opts.only], token: opts.token ? '***' : null, databaseUrl: opts.databaseUrl ? redact(opts.databaseUrl) : null },
    rate_limit_note: '',
    ingest: null,
    ceiling: null,
    hot: null,
    queries: null,
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
    if (r.status !== 200 || !/"accepted":2\b/.test(text)) throw new SetupError(`sanity ingest of 2 events → ${r.status} ${text.slice(0, 300)}`);
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
  };

  if (opts.only.has('ingest')) {
    R.ingest = { scenarios: [] };
    for (const plan of ingestPlan) {
      const label = `ingest batch ${plan.batch} c${plan.connections}`;
      const once = ingestOnce(ctx, { ...plan, keys: P.coldKeys, samples: samples.ingest });
      const m = await measure(label, opts, async (secs, warm) => {
        if (!warm) sampler.resetPeak();
        const r = await once(secs);
        if (!warm) r.rss_peak_mb = sampler.peak / MB;
        peakIngestRss = Math.max(peakIngestRss, sampler.peak);
        return r;
      }, INGEST_SUMS, () => checkpoint(ctx));
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
          out.variants.push({ name: v.name, url: v.url, first_page_events: count, ...m, pass: m.median.p99_ms <= set.target && m.median.non_2xx === 0 });
        }
        R.queries.sets.push(out);
      }
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
    ...(R.queries?.sets ?? []).flatMap((set) => set.variants.map((v) => [`query ${set.label} ${v.name}`, v])),
  ];
  for (const [label, s] of allRuns) {
    const m = s.median;
    if (m.non_2xx) R.anomalies.push(`${label}: ${m.non_2xx} non-2xx (${JSON.stringify(mergeStatuses(s.runs))})${m.status_429 ? ' — 429s: per-key rate limit reached, add keys' : ''}`);
    if (m.errors || m.timeouts) R.anomalies.push(`${label}: ${m.errors} connection errors, ${m.timeouts} timeouts`);
    if (m.accepted_equals_sent === false) R.anomalies.push(`${label}: accepted ${m.events_accepted} ≠ sent ${m.events_sent_in_200s} (rejected ${m.events_rejected})`);
  }
  if (R.ceiling?.median.errors) R.anomalies.push(`ceiling: ${R.ceiling.median.errors} failed INSERTs`);
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
    if (interrupted) return; // the signal handler is cleaning up; errors from torn-down connections are expected
    process.stderr.write(`\nbench setup error: ${err instanceof SetupError ? err.message : err.stack || err}\n`);
    if (state.serverLog) process.stderr.write(`server log tail (${state.serverLog}):\n${tail(state.serverLog, 15)}\n`);
    await cleanup();
    process.exit(1);
  });
