import { TEST_DB_URL_VAR } from '../utils/test-env';
import { PAIR_VAR, createPair } from './pg-pair';

/**
 * One primary + hot standby pair for the run (fsync off: a throwaway pair, unless REPLICA_TEST_FSYNC=on, as for the
 * lag measurement); the teardown removes it. The app's
 * DATABASE_URL is the primary (createTestApp's default), where it runs its migrations at boot.
 */
export default async function globalSetup(): Promise<void> {
  const pair = await createPair({ fsync: process.env.REPLICA_TEST_FSYNC === 'on' });
  process.env[PAIR_VAR] = JSON.stringify(pair);
  process.env[TEST_DB_URL_VAR] = pair.primaryUrl;
}
