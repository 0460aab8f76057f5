/**
 * Migration drift check (`npm run migration:check`, run in CI): on a throwaway database it runs every migration, then
 * asks TypeORM what `migration:generate` would write from the entities. Anything left means an entity and the
 * hand-written migrations disagree (a column type, a default, nullability, an index or constraint name): fix the entity
 * or add a migration. The database is dropped afterwards, whatever happened.
 *
 * Tables without an entity (events and its partitions, event_dedup, metric_events, funnel_events — written with raw
 * SQL) are invisible to TypeORM and so never reported; it only ever compares the tables that entities describe.
 *
 *   DATABASE_URL   server to create the throwaway database on (default postgres://postgres@127.0.0.1:5432/test);
 *                  its user needs CREATEDB.
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { baseDataSourceOptions } from '../src/database/typeorm-options';

const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** The up-queries TypeORM would put into a generated migration (empty when the entities match the schema). */
async function pendingQueries(url: string): Promise<string[]> {
  const ds = new DataSource({
    ...baseDataSourceOptions(url),
    entities: [`${__dirname}/../src/modules/**/*.entity.{ts,js}`],
    logging: false,
  });
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
    const log = await ds.driver.createSchemaBuilder().log();
    return log.upQueries.map((q) => q.query.trim());
  } finally {
    await ds.destroy();
  }
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const name = `owlmetry_drift_${process.pid}_${Date.now()}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const queries = await pendingQueries(url.toString());
    if (queries.length === 0) {
      console.log('migration:check: the entities match the migrations (a generated migration would be empty).');
      console.log('migration-check: 1 passed, 0 failed');
      return 0;
    }
    console.error(`migration:check: the entities and the migrations disagree; a generated migration would run:\n`);
    for (const q of queries) console.error(`  ${q.replace(/\s+/g, ' ')};`);
    console.error('\nFix the entity (type, nullability, default, index/constraint name) or add a migration.');
    console.error('migration-check: 0 passed, 1 failed');
    return 1;
  } finally {
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('migration:check failed to run:', err);
    process.exit(2);
  },
);
