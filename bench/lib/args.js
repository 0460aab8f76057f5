'use strict';
const { parseArgs } = require('node:util');

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
  --only LIST         comma list of: ingest,ceiling,hot,queries,analytics (default: all of these), decay
                      decay (opt-in, ~15 min): batch 100 c16 on the cold apps as the table is, then again after
                      loading --history rows into them (VACUUM ANALYZE after the load); target within 10 %
                      or --only replica alone: ingest while 8 metric/funnel query loops run, on a throwaway primary
                      + hot standby pair, server without and with DATABASE_REPLICA_URLS (bench/README.md)
  --metric-rows N     metric rows of the big metric set (default 1000000, replica 300000; the small set has a tenth)
  --funnel-users N    users of the funnel set (default 120000, replica 36000)
  --funnel-rows N     rows of the funnel set (default 1000000, replica 300000)
  --history N         events loaded before the second decay block (default 10000000)
  --apps N            backend apps provisioned for cold ingest (default 300)
  --keys-per-app N    client keys per cold app, incl. the app's own (default 6: 1 800 keys × 10/s = 18 000 req/s
                      before the per-key rate limit can answer 429)
  --hot-keys N        client keys of the hot app (default 50)
  --agent-keys N      agent keys (events:read) used round-robin by the queries (default 600)
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
      'metric-rows': { type: 'string' },
      'funnel-users': { type: 'string' },
      'funnel-rows': { type: 'string' },
      history: { type: 'string' },
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
  const only = new Set(
    (values.only ?? 'ingest,ceiling,hot,queries,analytics')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const o of only) {
    if (!['ingest', 'ceiling', 'hot', 'queries', 'analytics', 'decay', 'replica'].includes(o))
      throw new SetupError(`--only: unknown part "${o}"`);
  }
  // The replica part builds its own primary + standby and needs less provisioning and data.
  const replica = only.has('replica');
  if (replica && only.size > 1) throw new SetupError('--only replica runs alone (it builds its own PostgreSQL pair)');
  if (replica && values['base-url']) throw new SetupError('--only replica spawns its own servers; it does not take --base-url');
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
    keysPerApp: Math.floor(num('keys-per-app', 6, 1)),
    hotKeys: Math.floor(num('hot-keys', 50, 1)),
    agentKeys: Math.floor(num('agent-keys', 600, 1)),
    hotEvents: Math.floor(num('hot-events', 200_000, 1000)),
    bigEvents: Math.floor(num('big-events', 2_000_000, 1000)),
    metricRows: Math.floor(num('metric-rows', replica ? 300_000 : 1_000_000, 1000)),
    funnelUsers: Math.floor(num('funnel-users', replica ? 36_000 : 120_000, 100)),
    funnelRows: Math.floor(num('funnel-rows', replica ? 300_000 : 1_000_000, 1000)),
    history: Math.floor(num('history', 10_000_000, 1000)),
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

module.exports = { HELP, parseOptions, SetupError };
