import Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { baseDataSourceOptions } from '../src/database/typeorm-options';
import { TEST_DB_URL_VAR, adminDatabaseUrl } from './utils/test-env';

const REDIS_URL_FOR_TESTS = () => process.env.REDIS_URL_FOR_TESTS ?? 'redis://127.0.0.1:6379';

const masked = (url: string) => {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
};

const causeOf = (err: unknown) => {
  const e = err as { code?: string; message?: string };
  return e?.code ? `${e.code}: ${e.message}` : (e?.message ?? String(err));
};

/** An error Jest prints as its message alone: the stack of this file would only hide the sentence that matters. */
const setupError = (message: string) => Object.assign(new Error(message), { stack: message });

/** Fails the run at once, with what to start or set, when Redis is not there (instead of hanging tests later). */
async function requireRedis(): Promise<void> {
  const url = REDIS_URL_FOR_TESTS();
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let socketError: unknown;
  redis.on('error', (err) => (socketError ??= err));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw setupError(
      `The tests need Redis at REDIS_URL_FOR_TESTS=${masked(url)} (${causeOf(socketError ?? err)}). Start it (redis-server) ` +
        'or point REDIS_URL_FOR_TESTS at one.',
    );
  } finally {
    redis.disconnect();
  }
}

/** Creates a fresh database for this run on the configured server and builds it with the real migrations. */
export default async function globalSetup(): Promise<void> {
  const admin = new URL(adminDatabaseUrl());
  const name = `owlmetry_test_${process.pid}_${Date.now()}`;
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw setupError(
      `The tests need PostgreSQL at DATABASE_URL=${masked(admin.toString())} (${causeOf(err)}). Start it, or set ` +
        'DATABASE_URL to a server where this user may CREATE DATABASE (each run creates and drops its own database).',
    );
  }
  try {
    await requireRedis();
  } catch (err) {
    await client.end();
    throw err;
  }
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  process.env[TEST_DB_URL_VAR] = url.toString();
  const ds = new DataSource(baseDataSourceOptions(url.toString()));
  await ds.initialize();
  try {
    await ds.runMigrations();
  } finally {
    await ds.destroy();
  }
}
