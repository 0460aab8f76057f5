import { Client } from 'pg';
import type { Logger } from 'pino';
import { StartupError } from '../config/startup-error';

/** DATABASE_URL with its password replaced by `***`, safe for logs. */
export function maskDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

/** SQLSTATE 57P03 cannot_connect_now: the server is starting up (or recovering); waiting helps. */
const STARTING = new Set(['57P03']);

/** What a failed connection means and what to do about it, in one sentence. */
export function explainConnectionError(err: unknown, url: string): string {
  const e = err as { code?: string; message?: string };
  let db = '';
  let host = '';
  try {
    const u = new URL(url);
    db = decodeURIComponent(u.pathname.slice(1));
    host = `${u.hostname}:${u.port || 5432}`;
  } catch {
    // reported as is
  }
  switch (e?.code) {
    case '3D000':
      return `database "${db}" does not exist on ${host}: create it (createdb ${db}) or fix DATABASE_URL`;
    case '28P01':
    case '28000':
      return `PostgreSQL at ${host} refused the credentials (${e.message}): fix the user/password in DATABASE_URL`;
    case 'ECONNREFUSED':
      return `nothing accepts connections at ${host} (ECONNREFUSED): start PostgreSQL or fix the host/port in DATABASE_URL`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host of DATABASE_URL not found (${e.code}): fix the host name`;
    case 'ETIMEDOUT':
      return `connecting to ${host} timed out (ETIMEDOUT): check the host, port and firewall`;
    default:
      return `${e?.code ? `${e.code}: ` : ''}${e?.message ?? String(err)}`;
  }
}

export interface DatabaseCheckOptions {
  /** How long to wait for a server that answers "the database system is starting up". */
  startingTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/**
 * Connects once before the application boots. A database that is starting up is waited for (bounded); anything else
 * (nothing listening, unknown host, missing database, wrong password) fails at once with one StartupError that names
 * DATABASE_URL (password masked) and the cause.
 */
export async function checkDatabase(url: string, log: Logger, opts: DatabaseCheckOptions = {}): Promise<void> {
  const masked = maskDatabaseUrl(url);
  const deadline = Date.now() + (opts.startingTimeoutMs ?? 60_000);
  let announced = false;
  for (;;) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      const code = (err as { code?: string })?.code;
      if (code && STARTING.has(code) && Date.now() < deadline) {
        if (!announced) log.info({ DATABASE_URL: masked }, 'PostgreSQL is starting up; waiting for it');
        announced = true;
        await new Promise((r) => setTimeout(r, 1_000));
        continue;
      }
      throw new StartupError(`Cannot use the database at DATABASE_URL=${masked}: ${explainConnectionError(err, url)}`, {
        DATABASE_URL: masked,
        cause: code ?? (err as Error)?.message,
      });
    }
  }
}
