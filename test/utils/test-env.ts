/** Where the e2e run's database lives: global-setup creates it and records its URL here. */
export const TEST_DB_URL_VAR = 'OWLMETRY_TEST_DATABASE_URL';

/** The server the run's database is created on (the machine's PostgreSQL unless DATABASE_URL says otherwise). */
export const adminDatabaseUrl = (): string => process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const testDatabaseUrl = (): string => {
  const url = process.env[TEST_DB_URL_VAR];
  if (!url) throw new Error(`${TEST_DB_URL_VAR} is not set: run e2e tests through jest-e2e config`);
  return url;
};
