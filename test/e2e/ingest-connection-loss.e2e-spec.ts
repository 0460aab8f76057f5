import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { anEvent, ingest } from '../factories/events.factory';
import { useTestApp } from '../utils/create-test-app';
import { freshIngestWorld } from '../utils/ingest-world';

/**
 * PostgreSQL ends the server's connections while ingest runs (a restart, a failover, a DBA's pg_terminate_backend):
 * the process keeps serving, a request is acknowledged only when its events are stored, a failed one is answered
 * with the envelope, and an SDK that retries the failed ones (same client_event_ids) ends with every event stored
 * exactly once (B2).
 */
describe('POST /v1/ingest while PostgreSQL ends the server connections', () => {
  // The workers send as fast as they can.
  const t = useTestApp({ rateLimitMaxTokens: 1_000_000, rateLimitRefillPerSec: 1_000_000 });

  it('acknowledged events are stored, failed requests answer 500 with the envelope, retries store every event exactly once', async () => {
    const { apple } = await freshIngestWorld(t);
    const killer = new Client({ connectionString: t.config.databaseUrl! });
    await killer.connect();
    type Sent = { events: { client_event_id: string; message: string }[]; status: number; body: unknown };
    const sent: Sent[] = [];
    let running = true;
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        const events = Array.from({ length: 5 }, (_, j) => anEvent({ client_event_id: randomUUID(), message: `w${w}-r${i}-e${j}` }));
        const res = await ingest(t, apple, events);
        sent.push({ events: events as Sent['events'], status: res.statusCode, body: res.json() });
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    let kills = 0;
    try {
      for (let round = 0; round < 15; round++) {
        await new Promise((r) => setTimeout(r, 100));
        const rows = await killer.query(
          `SELECT pg_terminate_backend(pid) FROM (SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) others`,
        );
        kills += rows.rowCount ?? 0;
      }
    } finally {
      running = false;
      await Promise.all(workers);
      await killer.end();
    }
    const ok = sent.filter((s) => s.status === 200);
    const failed = sent.filter((s) => s.status !== 200);
    expect(kills).toBeGreaterThan(15);
    expect(ok.length).toBeGreaterThan(0);
    for (const s of ok) expect(s.body).toEqual({ accepted: 5, rejected: 0 });
    for (const s of failed) expect([s.status, s.body]).toEqual([500, { error: 'Internal server error' }]);

    const stored = async (): Promise<Map<string, number>> => {
      const rows: { message: string; n: number }[] = await t.ds.query(
        `SELECT message, count(*)::int AS n FROM events WHERE app_id = $1 GROUP BY message`,
        [apple.id],
      );
      return new Map(rows.map((r) => [r.message, r.n]));
    };
    const before = await stored();
    // Every acknowledged event is there once; a failed request's statement either committed whole or not at all.
    for (const s of ok) for (const e of s.events) expect(before.get(e.message)).toBe(1);
    for (const s of failed) {
      const counts = s.events.map((e) => before.get(e.message) ?? 0);
      expect([[0, 0, 0, 0, 0].join(), [1, 1, 1, 1, 1].join()]).toContain(counts.join());
    }

    // The SDK retries what failed, with the same client_event_ids: now every event is stored exactly once.
    // (A request whose commit happened but whose answer was lost to the kill finds its events already there.)
    for (const s of failed) {
      const res = await ingest(t, apple, s.events);
      const storedBefore = before.has(s.events[0].message);
      expect([res.statusCode, res.json()]).toEqual([200, { accepted: storedBefore ? 0 : 5, rejected: 0 }]);
    }
    const after = await stored();
    expect(after.size).toBe(sent.length * 5);
    expect([...after.values()].every((n) => n === 1)).toBe(true);
  });
});
