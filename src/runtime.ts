import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { AppConfig } from './config/app-config';
import { checkDatabase } from './database/database-check';
import { startEmbeddedPostgres } from './database/embedded-postgres';

export interface Runtime {
  config: AppConfig;
  /** Stops what prepareRuntime started (the embedded database). */
  stop(): Promise<void>;
}

/** Development only: a random JWT secret generated once and kept in the data directory (§5). */
function persistedJwtSecret(dataDir: string): string {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/**
 * Fills in what the environment left to us: the embedded database when DATABASE_URL is unset, and the dev JWT
 * secret. An external database is checked once here, so a wrong DATABASE_URL fails in one line, not after retries.
 * Throws StartupError for problems the user can fix.
 */
export async function prepareRuntime(config: AppConfig, log: Logger): Promise<Runtime> {
  const jwtSecret = config.jwtSecret ?? persistedJwtSecret(config.dataDir);
  if (config.databaseUrl) {
    await checkDatabase(config.databaseUrl, log);
    return { config: { ...config, jwtSecret }, stop: () => Promise.resolve() };
  }
  const db = await startEmbeddedPostgres(config.dataDir, log);
  return { config: { ...config, jwtSecret, databaseUrl: db.url }, stop: () => db.stop() };
}
