import { randomUUID } from 'node:crypto';
import { EventsRepository } from '../../src/modules/events/events.repository';
import { RETENTION_LOCK_KEY } from '../../src/modules/retention/retention.repository';
import { RetentionService } from '../../src/modules/retention/retention.service';
import { insertApp } from '../factories/apps.factory';
import { anEvent, ingestOk } from '../factories/events.factory';
import { bearer, loginAs } from '../utils/auth';
import { createTestApp, useTestApp } from '../utils/create-test-app';

describe('retention job', () => {
  const t = useTestApp({ eventRetentionDays: 60 });
  beforeEach(async () => {
    await t.reset();
  });

  const count = async (sql: string, params: unknown[] = []) => (await t.ds.query(sql, params))[0].n as number;

  it('purges rows soft-deleted more than 7 days ago with their events, app users and dedup claims; keeps younger ones', async () => {
    const owner = await loginAs(t, 'keeper@example.com');
    const old = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
    const young = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
    for (const app of [old, young]) {
      await ingestOk(t, app, [anEvent({ user_id: 'u1', client_event_id: randomUUID() }), anEvent({ user_id: 'owl_anon_x' })]);
    }
    await t.ds.query(`UPDATE apps SET deleted_at = now() - interval '8 days' WHERE id = $1`, [old.id]);
    await t.ds.query(`UPDATE projects SET deleted_at = now() - interval '8 days' WHERE id = $1`, [old.projectId]);
    await t.ds.query(`UPDATE api_keys SET deleted_at = now() - interval '8 days' WHERE app_id = $1`, [old.id]);
    await t.ds.query(`UPDATE apps SET deleted_at = now() - interval '6 days' WHERE id = $1`, [young.id]);
    const [doomedTeam] = await t.ds.query(
      `INSERT INTO teams (name, slug, deleted_at) VALUES ('Gone', 'gone', now() - interval '9 days') RETURNING id`,
    );

    const report = await t.app.get(RetentionService).run(new Date());
    expect(report).toMatchObject({ skipped: false, apps: 1, projects: 1, teams: 1, keys: 0 });

    expect(await count(`SELECT count(*)::int AS n FROM apps WHERE id = $1`, [old.id])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE app_id = $1`, [old.id])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM app_users WHERE app_id = $1`, [old.id])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM event_dedup WHERE app_id = $1`, [old.id])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM api_keys WHERE app_id = $1`, [old.id])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM teams WHERE id = $1`, [doomedTeam.id])).toBe(0);
    // Six days is within the grace period: everything of the younger app is still there.
    expect(await count(`SELECT count(*)::int AS n FROM apps WHERE id = $1`, [young.id])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE app_id = $1`, [young.id])).toBe(2);
    expect(await count(`SELECT count(*)::int AS n FROM app_users WHERE app_id = $1`, [young.id])).toBe(2);
    // The live team and its owner are untouched and can still sign in.
    const me = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(owner.token) });
    expect(me.statusCode).toBe(200);

    const again = await t.app.get(RetentionService).run(new Date());
    expect(again).toMatchObject({ skipped: false, apps: 0, projects: 0, teams: 0 });
  });

  it('prunes dedup claims older than 48 hours and stale login codes', async () => {
    const owner = await loginAs(t, 'dedup@example.com');
    const app = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
    const [a, b] = [randomUUID(), randomUUID()];
    await ingestOk(t, app, [anEvent({ client_event_id: a }), anEvent({ client_event_id: b })]);
    await t.ds.query(`UPDATE event_dedup SET received_at = now() - interval '49 hours' WHERE client_event_id = $1`, [a]);
    await t.ds.query(`UPDATE email_verification_codes SET expires_at = now() - interval '2 days'`);
    const report = await t.app.get(RetentionService).run(new Date());
    expect(report.dedupPruned).toBe(1);
    expect(report.codes).toBeGreaterThanOrEqual(1);
    expect(await count(`SELECT count(*)::int AS n FROM event_dedup`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM email_verification_codes`)).toBe(0);
    // The stored events stay: only the claims expire.
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE app_id = $1`, [app.id])).toBe(2);
  });

  it('drops whole monthly partitions past EVENT_RETENTION_DAYS and keeps the rest', async () => {
    const now = new Date();
    const oldMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 4, 15));
    await t.app.get(EventsRepository).ensurePartitions(oldMonth);
    const name = `events_y${oldMonth.getUTCFullYear()}m${String(oldMonth.getUTCMonth() + 1).padStart(2, '0')}`;
    const appId = randomUUID();
    await t.ds.query(
      `INSERT INTO events (id, app_id, session_id, level, message, "timestamp", received_at) VALUES ($1, $2, $3, 'info', 'old', $4, $4)`,
      [randomUUID(), appId, randomUUID(), oldMonth],
    );
    await t.ds.query(
      `INSERT INTO events (id, app_id, session_id, level, message, "timestamp", received_at) VALUES ($1, $2, $3, 'info', 'new', now(), now())`,
      [randomUUID(), appId, randomUUID()],
    );
    const partitions = async () =>
      (
        await t.ds.query(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass`,
        )
      ).map((r: { name: string }) => r.name);
    expect(await partitions()).toContain(name);
    const report = await t.app.get(RetentionService).run(now);
    expect(report.partitionsDropped).toContain(name);
    expect(await partitions()).not.toContain(name);
    expect(await partitions()).toContain('events_default');
    expect((await t.ds.query(`SELECT message FROM events WHERE app_id = $1`, [appId])).map((r: { message: string }) => r.message)).toEqual([
      'new',
    ]);
    expect((await t.app.get(RetentionService).run(now)).partitionsDropped).toEqual([]);
  });

  it('skips a round while another instance holds the retention lock', async () => {
    const runner = t.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock($1)`, [RETENTION_LOCK_KEY]);
      expect((await t.app.get(RetentionService).run(new Date())).skipped).toBe(true);
      await runner.query(`SELECT pg_advisory_unlock($1)`, [RETENTION_LOCK_KEY]);
      expect((await t.app.get(RetentionService).run(new Date())).skipped).toBe(false);
    } finally {
      await runner.release();
    }
  });

  it('is off for events without EVENT_RETENTION_DAYS', async () => {
    const plain = await createTestApp();
    try {
      expect((await plain.app.get(RetentionService).run(new Date())).partitionsDropped).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});
