// Read-replica tests (npm run test:replica): the real app against a throwaway PostgreSQL primary + hot standby that
// the global setup builds from the machine's PostgreSQL binaries (initdb, pg_basebackup -R, pg_ctl) and the teardown
// removes. Needs no DATABASE_URL.
module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/replica/**/*.replica-spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  globalSetup: '<rootDir>/test/replica/global-setup.ts',
  globalTeardown: '<rootDir>/test/replica/global-teardown.ts',
  testTimeout: 60000,
};
