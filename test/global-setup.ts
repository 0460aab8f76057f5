import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { baseDataSourceOptions } from '../src/database/typeorm-options';
import { TEST_DB_URL_VAR, adminDatabaseUrl } from './utils/test-env';

/** Creates a fresh database for this run on the configured server and builds it with the real migrations. */
export default async function globalSetup(): Promise<void> {
  const admin = new URL(adminDatabaseUrl());
  const name = `owlmetry_test_${process.pid}_${Date.now()}`;
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
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
