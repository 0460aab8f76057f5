import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { INGEST_WRITER_DEFAULTS, INGEST_WRITER_OPTIONS, IngestWriter } from '../../src/modules/events/ingest-writer';
import { AppFixture, insertApp } from '../factories/apps.factory';
import { anEvent, ingest, storedEvents } from '../factories/events.factory';
import { Session } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';
import { freshIngestWorld } from '../utils/ingest-world';

/** Group commit (IngestWriter): requests that queue behind a busy statement share one. */
describe('POST /v1/ingest', () => {
  const t = useTestApp({}, [{ provide: INGEST_WRITER_OPTIONS, useValue: { ...INGEST_WRITER_DEFAULTS, maxInFlight: 1 } }]);
  let owner: Session;
  let apple: AppFixture;

  // One statement at a time, so requests sent while it is busy queue and go out together.

  /** Fresh database, a signed-in owner and an apple app with its client key. */
  async function freshWorld(): Promise<void> {
    ({ owner, apple } = await freshIngestWorld(t));
  }

  describe('group commit: concurrent requests share one statement', () => {
    beforeEach(freshWorld);

    const until = async (cond: () => boolean | Promise<boolean>): Promise<void> => {
      for (let i = 0; i < 500; i++) {
        if (await cond()) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('condition not reached in 5 s');
    };

    /**
     * Sends `requests` while the ingest writer's only statement slot (maxInFlight 1) is busy (a request of
     * another app whose app-user row a test transaction holds locked), so they queue and go out together as
     * ONE statement once the lock is released. Answers them in the order given.
     */
    async function mergedRequests(requests: () => Promise<LightMyRequestResponse>[]): Promise<LightMyRequestResponse[]> {
      const writer = t.app.get(IngestWriter);
      const blockerApp = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
      expect((await ingest(t, blockerApp, [anEvent({ user_id: 'u-blocker' })])).json()).toEqual({ accepted: 1, rejected: 0 });
      const locker = t.ds.createQueryRunner();
      await locker.connect();
      try {
        await locker.startTransaction();
        await locker.query(`SELECT 1 FROM app_users WHERE user_id = 'u-blocker' FOR UPDATE`);
        const blocker = ingest(t, blockerApp, [anEvent({ user_id: 'u-blocker' })]);
        await until(async () => {
          const rows: { n: number }[] = await t.ds.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          return rows[0].n === 1;
        });
        const pending = requests();
        await until(() => writer.queued === pending.length);
        await locker.commitTransaction();
        expect((await blocker).json()).toEqual({ accepted: 1, rejected: 0 });
        return await Promise.all(pending);
      } finally {
        if (locker.isTransactionActive) await locker.rollbackTransaction();
        await locker.release();
      }
    }

    it('each merged request answers its own count; B2 holds across them and apps stay apart', async () => {
      const other = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
      const shared = randomUUID();
      const own = randomUUID();
      const [r1, r2, r3, r4] = await mergedRequests(() => [
        ingest(t, apple, [
          anEvent({ client_event_id: shared, message: 'shared', user_id: 'u-a' }),
          anEvent({ message: 'no id', user_id: 'u-b' }),
        ]),
        ingest(t, apple, [
          anEvent({ client_event_id: shared, message: 'shared', user_id: 'u-a' }),
          anEvent({ client_event_id: own, message: 'own', user_id: 'u-a' }),
        ]),
        ingest(t, apple, [anEvent({ client_event_id: shared, message: 'shared' }), anEvent({ level: 'nope' })]),
        ingest(t, other, [anEvent({ client_event_id: shared, message: 'other app', user_id: 'u-a' })]),
      ]);
      expect([r1, r2, r3, r4].map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
      // Whichever of the first three came first took the shared id; the others count it as a duplicate.
      const accepted = [r1, r2, r3].map((r) => r.json().accepted as number);
      expect([
        [2, 1, 0],
        [1, 2, 0],
        [1, 1, 1],
      ]).toContainEqual(accepted);
      expect(r3.json()).toEqual({
        accepted: accepted[2],
        rejected: 1,
        errors: [{ index: 1, message: 'events[1]: level must be one of info, debug, warn, error' }],
      });
      expect(r4.json()).toEqual({ accepted: 1, rejected: 0 });
      const stored = await storedEvents(t, apple.id);
      expect(stored.map((e) => e.message).sort()).toEqual(['no id', 'own', 'shared']);
      expect((await storedEvents(t, other.id)).map((e) => [e.client_event_id, e.message, e.api_key_id])).toEqual([
        [shared, 'other app', other.clientKeyId],
      ]);
      for (const e of stored) expect([e.app_id, e.api_key_id]).toEqual([apple.id, apple.clientKeyId]);
      const users = async (appId: string) => {
        const res = await t.app.inject({ method: 'GET', url: `/v1/apps/${appId}/users`, headers: owner.headers });
        expect(res.statusCode).toBe(200);
        return (res.json().users as { user_id: string }[]).map((u) => u.user_id).sort();
      };
      expect(await users(apple.id)).toEqual(['u-a', 'u-b']);
      expect(await users(other.id)).toEqual(['u-a']);
    });

    it('a request merged with a failing one still succeeds; only the failing one answers 500 and stores nothing', async () => {
      await t.ds.query(`CREATE FUNCTION owl_test_refuse_user() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.user_id = 'u-refused' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$`);
      await t.ds.query(`CREATE TRIGGER owl_test_refuse BEFORE INSERT ON app_users FOR EACH ROW EXECUTE FUNCTION owl_test_refuse_user()`);
      const goodId = randomUUID();
      const badId = randomUUID();
      const bad = [anEvent({ client_event_id: badId, user_id: 'u1', message: 'bad' }), anEvent({ user_id: 'u-refused', message: 'bad' })];
      try {
        const [good, failed, good2] = await mergedRequests(() => [
          ingest(t, apple, [anEvent({ client_event_id: goodId, user_id: 'u-good', message: 'good' })]),
          ingest(t, apple, bad),
          ingest(t, apple, [anEvent({ message: 'good too' })]),
        ]);
        expect(good.statusCode).toBe(200);
        expect(good.json()).toEqual({ accepted: 1, rejected: 0 });
        expect(good2.statusCode).toBe(200);
        expect(good2.json()).toEqual({ accepted: 1, rejected: 0 });
        expect(failed.statusCode).toBe(500);
        expect(failed.json()).toEqual({ error: 'Internal server error' });
        expect((await storedEvents(t, apple.id)).map((e) => e.message).sort()).toEqual(['good', 'good too']);
        expect(await t.ds.query(`SELECT client_event_id FROM event_dedup WHERE app_id = $1`, [apple.id])).toEqual([
          { client_event_id: goodId },
        ]);
        expect(await t.ds.query(`SELECT user_id FROM app_users WHERE app_id = $1`, [apple.id])).toEqual([{ user_id: 'u-good' }]);
      } finally {
        await t.ds.query(`DROP TRIGGER owl_test_refuse ON app_users`);
        await t.ds.query(`DROP FUNCTION owl_test_refuse_user()`);
      }
      const retry = await ingest(t, apple, bad);
      expect(retry.json()).toEqual({ accepted: 2, rejected: 0 });
    });
  });
});
