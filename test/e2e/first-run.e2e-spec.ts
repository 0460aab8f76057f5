import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runServerUntilExit, ServerProcess, startServer } from '../utils/server-process';
import { adminDatabaseUrl, testDatabaseUrl } from '../utils/test-env';

/**
 * The first minutes of a self-hoster, against the built server as a real process: the embedded database across a
 * hard kill, startup failures that say what to do, `.env`, and mail problems that name their cause.
 */

/** Live processes whose command line mentions `needle` (Linux /proc). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(needle)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

/**
 * The newest code the server logged for `email` (SMTP_URL unset): "Login code for you@example.com: 123456". The line
 * may reach our pipe a moment after the HTTP answer, so wait for it.
 */
async function loggedCode(server: ServerProcess, email: string, count = 1): Promise<string> {
  const pattern = new RegExp(`Login code for ${email.replace(/[.+]/g, '\\$&')}: (\\d{6})`, 'g');
  const codes = () => [...server.output().matchAll(pattern)];
  if (!(await waitFor(() => codes().length >= count, 3_000))) throw new Error(`no login code for ${email} in:\n${server.output()}`);
  return codes()[count - 1][1];
}

const fatalLines = (output: string) => output.split('\n').filter((l) => l.includes('"level":60'));

describe('first run: embedded PostgreSQL (no DATABASE_URL)', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  const embeddedEnv = () => ({
    DATABASE_URL: undefined,
    OWLMETRY_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    SMTP_URL: undefined,
    JWT_SECRET: undefined,
  });

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'owl-first-run-'));
    chmodSync(dataDir, 0o755); // as root, the cluster runs as `postgres`, which must enter the folder
  });
  afterAll(async () => {
    await server?.stop('SIGTERM');
    for (const pid of processesMentioning(join(dataDir, 'pg'))) process.kill(pid, 'SIGQUIT');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('survives kill -9 of the server: the next start stops the orphaned PostgreSQL and the data is intact', async () => {
    server = await startServer(embeddedEnv(), { timeoutMs: 90_000 });
    const email = 'first-run@example.com';
    expect((await post(`${server.url}/v1/auth/send-code`, { email })).status).toBe(200);
    // The login code stands on its own log line when SMTP_URL is unset.
    const first = await post(`${server.url}/v1/auth/verify-code`, { email, code: await loggedCode(server, email) });
    expect(first.status).toBe(201);
    expect(server.output()).toMatch(/OwlMetry API listening on http:\/\/localhost:\d+ \(health: http:\/\/localhost:\d+\/health/);
    expect(server.output()).not.toContain('successfully started');

    await server.stop('SIGKILL');
    const pgDir = join(dataDir, 'pg');
    const orphans = processesMentioning(pgDir);
    expect(orphans).toHaveLength(1); // the postmaster outlived its parent and still holds the folder
    expect(existsSync(join(pgDir, 'postmaster.pid'))).toBe(true);

    server = await startServer(embeddedEnv(), { timeoutMs: 90_000 });
    expect(server.output()).toContain('stopping the embedded PostgreSQL left running by a server process that did not shut down');
    expect(processesMentioning(pgDir).filter((p) => orphans.includes(p))).toEqual([]);
    expect((await post(`${server.url}/v1/auth/send-code`, { email })).status).toBe(200);
    const again = await post(`${server.url}/v1/auth/verify-code`, { email, code: await loggedCode(server, email) });
    expect(again.status).toBe(200); // the user created before the kill is still there
    expect(again.body.is_new_user).toBe(false);
    expect(again.body.user.id).toBe(first.body.user.id);

    // A clean stop: exit 0, the cluster is gone, and no warnings about terminated connections.
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(await waitFor(() => processesMentioning(pgDir).length === 0, 5_000)).toBe(true);
    const shutdownLog = server.output().slice(server.output().indexOf('"shutting down"'));
    expect(shutdownLog).toContain('embedded PostgreSQL stopped');
    expect(shutdownLog).not.toMatch(/terminating connection|"level":(40|50|60)/);
    server = undefined;
  });

  it('removes a stale postmaster.pid whose process is gone (power loss) and starts normally', async () => {
    const lock = join(dataDir, 'pg', 'postmaster.pid');
    // A pid that belongs to no PostgreSQL: this test process's own pid is alive but is not a postmaster.
    writeFileSync(lock, `${process.pid}\n${join(dataDir, 'pg')}\n`);
    server = await startServer(embeddedEnv(), { timeoutMs: 90_000 });
    expect(server.output()).toContain('removed a stale postmaster.pid');
    expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
    expect(await server.stop('SIGTERM')).toBe(0);
    server = undefined;
  });

  const asRoot = process.getuid?.() === 0 ? it : it.skip;
  asRoot('as root, a data folder the `postgres` user cannot enter fails at once with one line saying what to do', async () => {
    const locked = mkdtempSync(join(tmpdir(), 'owl-locked-')); // mkdtemp: mode 0700, like /root
    try {
      const res = await runServerUntilExit({ ...embeddedEnv(), OWLMETRY_DATA_DIR: join(locked, 'data') });
      expect(res.code).toBe(1);
      expect(res.ms).toBeLessThan(10_000);
      const lines = fatalLines(res.output);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]).msg).toContain(`cannot enter ${locked} (mode 0700)`);
      expect(JSON.parse(lines[0]).msg).toContain('DATABASE_URL');
      expect(res.output).not.toMatch(/EACCES|UnhandledPromiseRejection|\n\s+at /);
    } finally {
      rmSync(locked, { recursive: true, force: true });
    }
  });
});

describe('first run: an external database that cannot be used', () => {
  it('a missing database fails at once with one line naming DATABASE_URL (password masked) and the cause', async () => {
    const url = new URL(adminDatabaseUrl());
    url.password = 'hunter2-secret';
    url.pathname = '/owlmetry_no_such_db';
    const res = await runServerUntilExit({ DATABASE_URL: url.toString(), LOG_LEVEL: 'info' });
    expect(res.code).toBe(1);
    expect(res.ms).toBeLessThan(10_000);
    const lines = fatalLines(res.output);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]);
    expect(line.msg).toMatch(
      /^Cannot use the database at DATABASE_URL=postgres:\/\/[^:]+:\*\*\*@.*\/owlmetry_no_such_db: database "owlmetry_no_such_db" does not exist/,
    );
    expect(line.cause).toBe('3D000');
    expect(res.output).not.toContain('hunter2-secret');
    expect(res.output).not.toMatch(/Retrying/);
  });

  it('nothing listening: ECONNREFUSED named at once, no retries', async () => {
    const port = await freePort();
    const res = await runServerUntilExit({ DATABASE_URL: `postgres://owl:pw@127.0.0.1:${port}/owl`, LOG_LEVEL: 'info' });
    expect(res.code).toBe(1);
    expect(res.ms).toBeLessThan(10_000);
    const lines = fatalLines(res.output);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ DATABASE_URL: `postgres://owl:***@127.0.0.1:${port}/owl`, cause: 'ECONNREFUSED' });
  });

  it('a port in use: one line, and no "successfully started" before it', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { spawn } = await import('node:child_process');
      const main = join(__dirname, '..', '..', 'dist', 'src', 'main.js');
      const proc = spawn(process.execPath, [main], {
        env: { ...process.env, DATABASE_URL: testDatabaseUrl(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      proc.stdout.on('data', (d) => (out += d));
      proc.stderr.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((r) => proc.on('exit', r));
      expect(code).toBe(1);
      expect(out).not.toContain('successfully started');
      expect(out).not.toContain('listening on');
      const problems = out.split('\n').filter((l) => /"level":(50|60)/.test(l));
      expect(problems).toHaveLength(1);
      expect(JSON.parse(problems[0]).msg).toBe(
        `Port ${port} on 127.0.0.1 is already in use: stop the other server or set PORT to a free port`,
      );
    } finally {
      blocker.close();
    }
  });
});

describe('first run: .env', () => {
  it('is read from the working directory; exported variables win', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'owl-dotenv-'));
    // DATABASE_URL and EMAIL_FROM come from the file; PORT in the file loses to the exported PORT.
    writeFileSync(join(dir, '.env'), `DATABASE_URL=${testDatabaseUrl()}\nPORT=1\nLOG_LEVEL=info\nJWT_SECRET=from-dotenv\n`);
    const server = await startServer({ DATABASE_URL: undefined, LOG_LEVEL: undefined, JWT_SECRET: undefined }, { cwd: dir });
    try {
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
      expect(server.output()).toContain('read .env');
      expect(server.output()).toContain(`${server.url.replace('127.0.0.1', 'localhost')}/health`);
      expect(existsSync(join(dir, '.owlmetry'))).toBe(false); // JWT_SECRET came from .env: no generated secret
    } finally {
      expect(await server.stop()).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('first run: SMTP problems name their cause', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Accepts connections and never says a word (a firewall or a wrong port on some hosts behaves like this).
    silent = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('a server that never greets: 502 after a bounded wait, one log line with the cause', async () => {
    const port = (silent.address() as { port: number }).port;
    const server = await startServer({
      DATABASE_URL: testDatabaseUrl(),
      SMTP_URL: `smtp://127.0.0.1:${port}?greetingTimeout=800`,
      LOG_LEVEL: 'info',
    });
    try {
      const started = Date.now();
      const res = await post(`${server.url}/v1/auth/send-code`, { email: 'silent-smtp@example.com' });
      expect(res.status).toBe(502);
      expect(Date.now() - started).toBeLessThan(5_000);
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.includes('login code delivery failed'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]).err.message).toMatch(new RegExp(`^SMTP 127\\.0\\.0\\.1:${port}: ETIMEDOUT \\(Greeting never received`));
    } finally {
      await server.stop();
    }
  });

  it('nothing listening: ECONNREFUSED in the log, not [redacted]', async () => {
    const port = await freePort();
    const server = await startServer({
      DATABASE_URL: testDatabaseUrl(),
      SMTP_URL: `smtp://user:secret-pw@127.0.0.1:${port}`,
      LOG_LEVEL: 'info',
    });
    try {
      const res = await post(`${server.url}/v1/auth/send-code`, { email: 'refused-smtp@example.com' });
      expect(res.status).toBe(502);
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.includes('login code delivery failed'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`SMTP 127.0.0.1:${port}: ECONNREFUSED`);
      expect(lines[0]).not.toContain('[redacted]');
      expect(server.output()).not.toContain('secret-pw');
    } finally {
      await server.stop();
    }
  });
});
