import { randomUUID } from 'node:crypto';
import { TestApp } from '../utils/create-test-app';

/**
 * Funnel rows (SPEC §2.13.5) written straight into funnel_events, the table ingest fills for `track:`
 * messages. Rows go in with one INSERT in array order, so `seq` (arrival order, GENERATED ALWAYS) follows
 * the array; `step` is the text after `track:`.
 */
export interface FunnelRow {
  appId: string;
  userId: string | null;
  step: string;
  /** ISO timestamp or Date. */
  at: string | Date;
  screenName?: string | null;
  environment?: string | null;
  appVersion?: string | null;
  experiments?: Record<string, unknown> | null;
  isDev?: boolean;
}

export async function insertFunnelRows(t: TestApp, rows: FunnelRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values: unknown[] = [];
  const tuples = rows.map((r) => {
    const at = typeof r.at === 'string' ? r.at : r.at.toISOString();
    const row = [
      r.appId,
      randomUUID(),
      r.userId,
      r.step,
      `track:${r.step}`,
      r.screenName ?? null,
      r.environment ?? null,
      r.appVersion ?? null,
      r.experiments === undefined || r.experiments === null ? null : JSON.stringify(r.experiments),
      r.isDev ?? false,
      at,
    ];
    const base = values.length;
    values.push(...row);
    const p = (i: number) => `$${base + i + 1}`;
    return `(${p(0)}::uuid, ${p(1)}::uuid, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}::jsonb, ${p(9)}, ${p(10)}::timestamptz, now())`;
  });
  await t.ds.query(
    `INSERT INTO funnel_events
       (app_id, session_id, user_id, step_name, message, screen_name, environment, app_version, experiments, is_dev, "timestamp", received_at)
     VALUES ${tuples.join(', ')}`,
    values,
  );
}

/**
 * `users` users `u-0 … u-<users-1>` in one app, each with one row per step of `steps`, one second apart
 * starting at `start` — one INSERT … SELECT generate_series statement, then ANALYZE (for funnels far larger
 * than a bind-parameter list could carry).
 */
export async function insertBulkChains(t: TestApp, opts: { appId: string; users: number; steps: string[]; start: Date }): Promise<void> {
  await t.ds.query(
    `INSERT INTO funnel_events (app_id, session_id, user_id, step_name, message, is_dev, "timestamp", received_at)
     SELECT $1::uuid, gen_random_uuid(), 'u-' || u, s.name, 'track:' || s.name, false,
            $3::timestamptz + (s.idx - 1) * interval '1 second', now()
       FROM generate_series(0, $2::int - 1) AS u
      CROSS JOIN unnest($4::text[]) WITH ORDINALITY AS s(name, idx)
      ORDER BY u, s.idx`,
    [opts.appId, opts.users, opts.start.toISOString(), opts.steps],
  );
  await t.ds.query('ANALYZE funnel_events');
}
