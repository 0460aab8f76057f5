import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EnvSchema } from './env.schema';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The one typed view of the environment; nothing else in src/ reads process.env. */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly nodeEnv: string;
  readonly isProduction: boolean;
  readonly jwtSecret: string | null;
  readonly cookieDomain: string | null;
  readonly corsOrigins: string[];
  readonly smtpUrl: string | null;
  readonly emailFrom: string;
  readonly webAppUrl: string;
  readonly redisUrl: string | null;
  readonly rateLimitMaxTokens: number;
  readonly rateLimitRefillPerSec: number;
  readonly logLevel: LogLevel;
  readonly metricsToken: string | null;
  readonly eventRetentionDays: number | null;
  /** Hot standbys for the heavy reads; empty = every read on the primary. */
  readonly databaseReplicaUrls: string[];
  /** A replica whose replay is further behind than this is skipped until it catches up. */
  readonly replicaMaxLagMs: number;
  /** How long a replica read waits for the replica to replay the primary's WAL position before reading the primary. */
  readonly replicaWaitMs: number;
}

export class ConfigError extends Error {}

const blankToUndefined = (env: NodeJS.ProcessEnv): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
};

/** Validates the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = plainToInstance(EnvSchema, blankToUndefined(env), { enableImplicitConversion: false });
  const errors = validateSync(parsed, { whitelist: false, forbidUnknownValues: false });
  // One message per variable, each message once: `PORT=-1.5` is one problem, not three. Decorators register
  // bottom-up, so the last failed constraint is the rule written first in EnvSchema (the type check).
  const problems = [...new Set(errors.map((e) => Object.values(e.constraints ?? {}).pop()).filter((m): m is string => !!m))];
  const nodeEnv = parsed.NODE_ENV ?? 'development';
  if (nodeEnv === 'production' && !parsed.JWT_SECRET) problems.push('JWT_SECRET is required when NODE_ENV=production');
  if (problems.length) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return Object.freeze({
    port: parsed.PORT ?? 4000,
    host: parsed.HOST ?? '0.0.0.0',
    databaseUrl: parsed.DATABASE_URL ?? null,
    dataDir: parsed.OWLMETRY_DATA_DIR ?? './.owlmetry',
    nodeEnv,
    isProduction: nodeEnv === 'production',
    jwtSecret: parsed.JWT_SECRET ?? null,
    cookieDomain: parsed.COOKIE_DOMAIN ?? null,
    corsOrigins: (parsed.CORS_ORIGINS ?? 'http://localhost:3000')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    smtpUrl: parsed.SMTP_URL ?? null,
    emailFrom: parsed.EMAIL_FROM ?? 'noreply@owlmetry.com',
    webAppUrl: (parsed.WEB_APP_URL ?? 'http://localhost:3000').replace(/\/+$/, ''),
    redisUrl: parsed.REDIS_URL ?? null,
    rateLimitMaxTokens: parsed.RATE_LIMIT_MAX_TOKENS ?? 100,
    rateLimitRefillPerSec: parsed.RATE_LIMIT_REFILL_PER_SEC ?? 10,
    logLevel: (parsed.LOG_LEVEL ?? 'info') as LogLevel,
    metricsToken: parsed.METRICS_TOKEN ?? null,
    eventRetentionDays: parsed.EVENT_RETENTION_DAYS ?? null,
    databaseReplicaUrls: (parsed.DATABASE_REPLICA_URLS ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
    replicaMaxLagMs: parsed.REPLICA_MAX_LAG_MS ?? 5_000,
    replicaWaitMs: parsed.REPLICA_WAIT_MS ?? 200,
  });
}
