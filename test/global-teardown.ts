import { Client } from 'pg';
import { TEST_DB_URL_VAR, adminDatabaseUrl } from './utils/test-env';

/** Drops the run's database. */
export default async function globalTeardown(): Promise<void> {
  const url = process.env[TEST_DB_URL_VAR];
  if (!url) return;
  const name = new URL(url).pathname.slice(1);
  const client = new Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
