import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * A throwaway PostgreSQL primary + hot standby (streaming replication) made from the PostgreSQL binaries on the
 * machine: `initdb` (wal_level=replica), `pg_basebackup -R` for the standby, `pg_ctl` to start and stop them. Run as
 * the `postgres` user when we are root. Everything lives in one temp folder; `destroy` stops both and removes it.
 */
export interface PgPair {
  dir: string;
  bin: string;
  primaryPort: number;
  standbyPort: number;
  primaryUrl: string;
  standbyUrl: string;
}

/** Env var carrying the pair from the Jest global setup to the test files and the teardown. */
export const PAIR_VAR = 'OWLMETRY_REPLICA_TEST_PAIR';
const DB = 'owlmetry';

export const pairFromEnv = (): PgPair => {
  const raw = process.env[PAIR_VAR];
  if (!raw) throw new Error(`${PAIR_VAR} is not set: run these tests with npm run test:replica`);
  return JSON.parse(raw) as PgPair;
};

/** The PostgreSQL binaries: PG_BIN, else the newest /usr/lib/postgresql/<n>/bin. */
function findBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error('No PostgreSQL binaries: install postgresql (initdb, pg_ctl, pg_basebackup) or set PG_BIN');
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL binary (as `postgres` when root), failing with its output. */
function pg(bin: string, tool: string, args: string[]): string {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${tool} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

const portFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

/** Two free ports from `from` (default REPLICA_TEST_PORT, else 55432) upwards. */
async function freePorts(from?: number): Promise<[number, number]> {
  let port = from ?? Number(process.env.REPLICA_TEST_PORT ?? 55432);
  for (let i = 0; i < 50; i++, port += 2) if ((await portFree(port)) && (await portFree(port + 1))) return [port, port + 1];
  throw new Error('No two free ports for the test primary and standby');
}

const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/${DB}`;

export interface PairOptions {
  /** fsync on both servers (default on; off for a throwaway pair whose durability does not matter). */
  fsync?: boolean;
  /** The standby logs every statement with its application_name (default on: the tests read which reads it served). */
  logStatements?: boolean;
  /** More postgresql.conf lines for both servers (a later line wins over the defaults above it). */
  settings?: string[];
  /** The first port tried (default REPLICA_TEST_PORT, else 55432). */
  port?: number;
}

/**
 * Creates, starts and connects the pair; on any failure it removes what it made and rethrows. Also used by the
 * benchmark (`npm run bench -- --only replica`, bench/lib/replica.js).
 */
export async function createPair(opts: PairOptions = {}): Promise<PgPair> {
  const bin = findBin();
  const dir = mkdtempSync(join(tmpdir(), 'owl-replica-'));
  const [primaryPort, standbyPort] = await freePorts(opts.port);
  const pair: PgPair = { dir, bin, primaryPort, standbyPort, primaryUrl: url(primaryPort), standbyUrl: url(standbyPort) };
  try {
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    const primary = join(dir, 'primary');
    pg(bin, 'initdb', ['-D', primary, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    const settings = [
      `port = ${primaryPort}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${dir}'`,
      'wal_level = replica',
      'max_wal_senders = 5',
      'hot_standby = on',
      // The standby answers long reads without having them cancelled by vacuum cleanup on the primary.
      'hot_standby_feedback = on',
      `fsync = ${opts.fsync === false ? 'off' : 'on'}`,
      'max_connections = 100',
      "shared_buffers = '64MB'",
      ...(opts.settings ?? []),
    ];
    appendFileSync(join(primary, 'postgresql.conf'), `\n${settings.join('\n')}\n`);
    appendFileSync(join(primary, 'pg_hba.conf'), '\nhost replication all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n');
    start(pair, 'primary');
    const admin = new Client({ connectionString: url(primaryPort).replace(`/${DB}`, '/postgres') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${DB}`);
    } finally {
      await admin.end();
    }
    const standby = join(dir, 'standby');
    pg(bin, 'pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      standby,
      '-R',
      '-X',
      'stream',
      '--checkpoint=fast',
      '--no-sync',
    ]);
    // The copied postgresql.conf names the primary's port; a later line wins.
    // Every statement the standby runs is logged with its application_name (the tests read which reads it served).
    const logging = opts.logStatements === false ? '' : `log_statement = 'all'\nlog_line_prefix = '%m [%a] '\n`;
    appendFileSync(join(standby, 'postgresql.conf'), `\nport = ${standbyPort}\n${logging}`);
    start(pair, 'standby');
    return pair;
  } catch (err) {
    destroyPair(pair);
    throw err;
  }
}

const startArgs = (pair: PgPair, which: 'primary' | 'standby') => [
  '-D',
  join(pair.dir, which),
  '-l',
  join(pair.dir, `${which}.log`),
  '-w',
  '-t',
  '60',
  'start',
];

function start(pair: PgPair, which: 'primary' | 'standby'): void {
  pg(pair.bin, 'pg_ctl', startArgs(pair, which));
}

function stop(pair: PgPair, which: 'primary' | 'standby', mode: 'fast' | 'immediate'): void {
  const data = join(pair.dir, which);
  if (existsSync(join(data, 'postmaster.pid'))) pg(pair.bin, 'pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
}

/** pg_ctl without blocking the event loop (requests keep running meanwhile). */
function pgCtl(pair: PgPair, args: string[]): Promise<void> {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(pair.bin, 'pg_ctl'), ...args]] : [join(pair.bin, 'pg_ctl'), args];
  return new Promise((resolve, reject) =>
    execFile(cmd, argv, { timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`pg_ctl ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`)) : resolve(),
    ),
  );
}

/** `pg_ctl stop -m fast` of the standby: running queries are cancelled, connections closed. */
export const stopStandby = (pair: PgPair): Promise<void> =>
  pgCtl(pair, ['-D', join(pair.dir, 'standby'), '-m', 'fast', '-w', '-t', '60', 'stop']);

export const startStandby = (pair: PgPair): Promise<void> => pgCtl(pair, startArgs(pair, 'standby'));

/** Stops both servers (whatever state they are in) and removes the folder. Never throws. */
export function destroyPair(pair: PgPair): void {
  for (const which of ['standby', 'primary'] as const) {
    try {
      stop(pair, which, 'immediate');
    } catch {
      // already stopped, or never started
    }
  }
  rmSync(pair.dir, { recursive: true, force: true });
}
