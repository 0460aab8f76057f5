import { randomUUID } from 'node:crypto';
import { TestApp } from '../utils/create-test-app';

/**
 * Metric rows (SPEC §2.12.6) written straight into metric_events, the table ingest fills for
 * `metric:<slug>:<phase>` messages — so tests can place rows at any instant (ingest only accepts the last
 * 30 days) and in bulk. Unset fields are null (`attributes` {}), `is_dev` false, `received_at` now.
 */
export interface MetricRow {
  appId: string;
  slug: string;
  phase: 'start' | 'complete' | 'fail' | 'cancel' | 'record';
  /** ISO timestamp or Date. */
  at: string | Date;
  id?: string;
  durationMs?: number | null;
  error?: string | null;
  userId?: string | null;
  sessionId?: string | null;
  apiKeyId?: string | null;
  trackingId?: string | null;
  attributes?: Record<string, unknown>;
  environment?: string | null;
  osVersion?: string | null;
  appVersion?: string | null;
  deviceModel?: string | null;
  buildNumber?: string | null;
  isDev?: boolean;
  clientEventId?: string | null;
  receivedAt?: string | Date;
}

const iso = (v: string | Date): string => (typeof v === 'string' ? v : v.toISOString());

/** Inserts the rows with one statement (arrays per column, so any count fits); returns their ids in order. */
export async function insertMetricRows(t: TestApp, rows: MetricRow[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id ?? randomUUID());
  const col = <T>(f: (r: MetricRow) => T): T[] => rows.map(f);
  await t.ds.query(
    `INSERT INTO metric_events
       (id, app_id, session_id, user_id, api_key_id, metric_slug, phase, tracking_id, duration_ms, error, attributes,
        environment, os_version, app_version, device_model, build_number, is_dev, client_event_id, "timestamp", received_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::uuid[],
                          $9::int[], $10::text[], $11::jsonb[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
                          $17::bool[], $18::uuid[], $19::timestamptz[], $20::timestamptz[])`,
    [
      ids,
      col((r) => r.appId),
      col((r) => r.sessionId ?? null),
      col((r) => r.userId ?? null),
      col((r) => r.apiKeyId ?? null),
      col((r) => r.slug),
      col((r) => r.phase),
      col((r) => r.trackingId ?? null),
      col((r) => r.durationMs ?? null),
      col((r) => r.error ?? null),
      col((r) => JSON.stringify(r.attributes ?? {})),
      col((r) => r.environment ?? null),
      col((r) => r.osVersion ?? null),
      col((r) => r.appVersion ?? null),
      col((r) => r.deviceModel ?? null),
      col((r) => r.buildNumber ?? null),
      col((r) => r.isDev ?? false),
      col((r) => r.clientEventId ?? null),
      col((r) => iso(r.at)),
      col((r) => iso(r.receivedAt ?? new Date())),
    ],
  );
  return ids;
}
