import { randomUUID } from 'node:crypto';
import { AppFixture, insertApp } from '../factories/apps.factory';
import { anEvent, ingest, storedEvents } from '../factories/events.factory';
import { Session } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';
import { freshIngestWorld, ownerEventsViaApi } from '../utils/ingest-world';

const DAY_MS = 24 * 60 * 60_000;
const iso = (offsetMs: number): string => new Date(Date.now() + offsetMs).toISOString();

/** Deduplication by client_event_id (B2): within a batch, across requests, per app, over the 48-hour window. */
describe('POST /v1/ingest', () => {
  const t = useTestApp();
  let owner: Session;
  let apple: AppFixture;

  /** Fresh database, a signed-in owner and an apple app with its client key. */
  async function freshWorld(): Promise<void> {
    ({ owner, apple } = await freshIngestWorld(t));
  }

  /** Every stored event of the owner's apps through the API, newest first. */
  const eventsViaApi = (query?: Record<string, string>): Promise<Record<string, unknown>[]> => ownerEventsViaApi(t, owner, query);

  describe('deduplication (B2)', () => {
    beforeEach(freshWorld);

    it('drops a client_event_id seen before (any case); neither accepted nor rejected', async () => {
      const id = randomUUID();
      expect((await ingest(t, apple, [anEvent({ client_event_id: id, message: 'one' })])).json()).toEqual({ accepted: 1, rejected: 0 });
      const again = await ingest(t, apple, [
        anEvent({ client_event_id: id.toUpperCase(), message: 'two' }),
        anEvent({ message: 'three' }),
        anEvent({ level: 'bad' }),
      ]);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual({
        accepted: 1,
        rejected: 1,
        errors: [{ index: 2, message: 'events[2]: level must be one of info, debug, warn, error' }],
      });
      expect((await eventsViaApi()).map((e) => e.message).sort()).toEqual(['one', 'three']);
    });

    it('keeps only the first valid occurrence inside one batch', async () => {
      const id = randomUUID();
      const res = await ingest(t, apple, [
        anEvent({ client_event_id: id, message: 'invalid first', level: 'nope' }),
        anEvent({ client_event_id: id, message: 'first valid' }),
        anEvent({ client_event_id: id, message: 'second valid' }),
        anEvent({ message: 'no id' }),
        anEvent({ message: 'no id' }),
      ]);
      expect(res.json()).toEqual({
        accepted: 3,
        rejected: 1,
        errors: [{ index: 0, message: 'events[0]: level must be one of info, debug, warn, error' }],
      });
      expect((await eventsViaApi()).map((e) => e.message).sort()).toEqual(['first valid', 'no id', 'no id']);
    });

    it('events without client_event_id are never deduplicated', async () => {
      for (let i = 0; i < 3; i++) expect((await ingest(t, apple, [anEvent()])).json()).toEqual({ accepted: 1, rejected: 0 });
      expect(await eventsViaApi()).toHaveLength(3);
    });

    it('is per app: the same id in another app is stored', async () => {
      const other = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
      const id = randomUUID();
      expect((await ingest(t, apple, [anEvent({ client_event_id: id })])).json()).toEqual({ accepted: 1, rejected: 0 });
      expect((await ingest(t, other, [anEvent({ client_event_id: id })])).json()).toEqual({ accepted: 1, rejected: 0 });
      expect((await eventsViaApi()).map((e) => [e.app_id, e.client_event_id]).sort()).toEqual(
        [
          [apple.id, id],
          [other.id, id],
        ].sort(),
      );
    });

    it('20 concurrent requests with one client_event_id store exactly one event, all answering 200', async () => {
      const id = randomUUID();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ingest(t, apple, [anEvent({ client_event_id: id, message: `copy ${i}` })])),
      );
      expect(answers.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
      const bodies = answers.map((r) => r.json());
      expect(bodies.filter((b) => b.accepted === 1)).toHaveLength(1);
      expect(bodies.filter((b) => b.accepted === 0)).toHaveLength(19);
      for (const b of bodies) expect(b.rejected).toBe(0);
      expect(await eventsViaApi()).toHaveLength(1);
    });

    it('concurrent overlapping batches store each id once', async () => {
      const ids = Array.from({ length: 30 }, () => randomUUID());
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => {
          const mine = i % 2 === 0 ? ids : [...ids].reverse();
          return ingest(
            t,
            apple,
            mine.map((id) => anEvent({ client_event_id: id, user_id: `user-${id.slice(0, 4)}` })),
          );
        }),
      );
      expect(answers.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
      expect(answers.reduce((n, r) => n + (r.json().accepted as number), 0)).toBe(30);
      const stored = await storedEvents(t, apple.id);
      expect(new Set(stored.map((e) => e.client_event_id)).size).toBe(30);
      expect(stored).toHaveLength(30);
    });

    it('an id last received more than 48 hours ago is accepted again', async () => {
      const id = randomUUID();
      await ingest(t, apple, [anEvent({ client_event_id: id, message: 'old' })]);
      await t.ds.query(`UPDATE event_dedup SET received_at = now() - interval '47 hours' WHERE client_event_id = $1`, [id]);
      expect((await ingest(t, apple, [anEvent({ client_event_id: id })])).json()).toEqual({ accepted: 0, rejected: 0 });
      await t.ds.query(`UPDATE event_dedup SET received_at = now() - interval '49 hours' WHERE client_event_id = $1`, [id]);
      expect((await ingest(t, apple, [anEvent({ client_event_id: id, message: 'new' })])).json()).toEqual({ accepted: 1, rejected: 0 });
      expect((await eventsViaApi()).map((e) => e.message).sort()).toEqual(['new', 'old']);
      // The window restarts from the new receipt.
      expect((await ingest(t, apple, [anEvent({ client_event_id: id })])).json()).toEqual({ accepted: 0, rejected: 0 });
    });

    it('measures the window on receive time: an old timestamp retried is still a duplicate', async () => {
      const id = randomUUID();
      const old = iso(-20 * DAY_MS);
      await ingest(t, apple, [anEvent({ client_event_id: id, timestamp: old })]);
      expect((await ingest(t, apple, [anEvent({ client_event_id: id, timestamp: old })])).json()).toEqual({ accepted: 0, rejected: 0 });
      expect(await eventsViaApi()).toHaveLength(1);
    });
  });
});
