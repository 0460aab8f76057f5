import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CursorPosition } from '../../common/http/pagination';
import { GroupBy, MAX_COLUMN_GROUPS, MAX_ERROR_ENTRIES } from './metric-rules';

/**
 * Reads of `metric_events` (written by ingest, §2.12.6). All SQL of the metric queries lives here. The app
 * scope ("the project's non-deleted apps") is resolved in the same statement by joining `apps`, as the
 * events list does: one round trip, and rows of an app deleted a moment ago are never counted.
 */

/** One metric row, camelCase (mapped to the wire by metrics.mapper.ts). */
export interface MetricEventRow {
  id: string;
  appId: string;
  sessionId: string | null;
  userId: string | null;
  apiKeyId: string | null;
  metricSlug: string;
  phase: string;
  trackingId: string | null;
  durationMs: number | null;
  error: string | null;
  attributes: Record<string, unknown>;
  environment: string | null;
  osVersion: string | null;
  appVersion: string | null;
  deviceModel: string | null;
  buildNumber: string | null;
  isDev: boolean;
  clientEventId: string | null;
  timestamp: Date;
  receivedAt: Date;
}

/** Rows of one metric in one project (live apps, optionally one app). */
export interface MetricScope {
  projectId: string;
  slug: string;
  appId?: string;
}

export interface MetricEventListQuery extends MetricScope {
  phase?: string;
  trackingId?: string;
  userId?: string;
  environment?: string;
  since?: Date;
  until?: Date;
  /** undefined = both (data_mode=all). */
  isDev?: boolean;
  cursor?: CursorPosition;
  /** Rows to fetch (page size + 1, see pageOf). */
  fetch: number;
}

export interface MetricAggregateQuery extends MetricScope {
  since: Date;
  until?: Date;
  appVersion?: string;
  deviceModel?: string;
  osVersion?: string;
  userId?: string;
  environment?: string;
  isDev?: boolean;
  groupBy?: GroupBy;
  /** PostgreSQL's spelling of a validated IANA zone (time groups only). */
  tz: string;
}

export interface MetricGroupRow {
  /** Column text (or null) for column groups; bucket start for time groups. */
  value: string | Date | null;
  totalCount: number;
  completeCount: number;
  failCount: number;
  /** Exact mean (numeric in SQL), not yet rounded. */
  durationAvg: number | null;
}

export interface MetricAggregateRow {
  totalCount: number;
  startCount: number;
  completeCount: number;
  failCount: number;
  cancelCount: number;
  recordCount: number;
  durationAvg: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  uniqueUsers: number;
  errors: { error: string; count: number }[];
  /** Empty unless groupBy was given. */
  groups: MetricGroupRow[];
}

const SELECT_COLUMNS = `m.id, m.app_id AS "appId", m.session_id AS "sessionId", m.user_id AS "userId",
  m.api_key_id AS "apiKeyId", m.metric_slug AS "metricSlug", m.phase, m.tracking_id AS "trackingId",
  m.duration_ms AS "durationMs", m.error, m.attributes, m.environment, m.os_version AS "osVersion",
  m.app_version AS "appVersion", m.device_model AS "deviceModel", m.build_number AS "buildNumber",
  m.is_dev AS "isDev", m.client_event_id AS "clientEventId", m."timestamp", m.received_at AS "receivedAt"`;

/** Grouping column per non-time group_by key (fixed identifiers, never built from input). */
const GROUP_COLUMN: Partial<Record<GroupBy, string>> = {
  [GroupBy.AppId]: 'm.app_id::text',
  [GroupBy.AppVersion]: 'm.app_version',
  [GroupBy.DeviceModel]: 'm.device_model',
  [GroupBy.OsVersion]: 'm.os_version',
  [GroupBy.Environment]: 'm.environment',
};

/**
 * Bucket start of a row as an instant, in zone `tz` (B19):
 * - hour: `floor((t + offset(t)) / 1 h) · 1 h − offset(t)` with offset(t) = local wall clock − UTC wall clock
 *   at t. A repeated hour at a fall-back is two buckets (its two offsets differ); :30/:45 zones get buckets
 *   off the UTC hour.
 * - day / week: the first instant of the local calendar day / ISO week (Monday), so a DST day is 23 or 25
 *   hours long. `date_trunc(unit, t, zone)` (PostgreSQL ≥ 12) resolves the local midnight back to an instant
 *   with the offset in force then (a midnight skipped by a DST jump resolves to the first existing instant).
 */
export function timeBucketSql(groupBy: GroupBy.Hour | GroupBy.Day | GroupBy.Week, t: string, tz: string): string {
  if (groupBy === GroupBy.Hour) {
    return `((date_trunc('hour', ${t} AT TIME ZONE ${tz}) - ((${t} AT TIME ZONE ${tz}) - (${t} AT TIME ZONE 'UTC'))) AT TIME ZONE 'UTC')`;
  }
  return `date_trunc('${groupBy === GroupBy.Day ? 'day' : 'week'}', ${t}, ${tz})`;
}

const toInt = (v: unknown): number => Number(v ?? 0);
const toNumOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

@Injectable()
export class MetricEventsRepository {
  constructor(private readonly ds: DataSource) {}

  /** PostgreSQL's time zone names (for `tz` validation; read once by the service). */
  async timeZoneNames(): Promise<string[]> {
    const rows: { name: string }[] = await this.ds.query(`SELECT name FROM pg_timezone_names`);
    return rows.map((r) => r.name);
  }

  /** One page of metric rows, (timestamp, id) descending, strictly after the cursor (B16). */
  async list(q: MetricEventListQuery): Promise<MetricEventRow[]> {
    const params: unknown[] = [q.projectId, q.slug];
    const param = (v: unknown): string => `$${params.push(v)}`;
    const scope = ['a.project_id = $1::uuid', 'a.deleted_at IS NULL'];
    const cond = ['m.app_id = a.id', 'm.metric_slug = $2'];
    if (q.phase !== undefined) cond.push(`m.phase = ${param(q.phase)}`);
    if (q.trackingId !== undefined) cond.push(`m.tracking_id = ${param(q.trackingId)}::uuid`);
    if (q.userId !== undefined) cond.push(`m.user_id = ${param(q.userId)}`);
    if (q.environment !== undefined) cond.push(`m.environment = ${param(q.environment)}`);
    if (q.since !== undefined) cond.push(`m."timestamp" >= ${param(q.since.toISOString())}::timestamptz`);
    if (q.until !== undefined) cond.push(`m."timestamp" <= ${param(q.until.toISOString())}::timestamptz`);
    if (q.isDev !== undefined) cond.push(`m.is_dev = ${param(q.isDev)}`);
    if (q.cursor !== undefined) {
      const ts = param(q.cursor.timestamp.toISOString());
      // B16: strictly after the last row returned; a bare-timestamp cursor means "older than this instant".
      cond.push(
        q.cursor.id === null
          ? `m."timestamp" < ${ts}::timestamptz`
          : `(m."timestamp", m.id) < (${ts}::timestamptz, ${param(q.cursor.id)}::uuid)`,
      );
    }
    const limit = param(q.fetch);
    // Each live app of the project is read through its own (app_id, metric_slug, timestamp, id) index range,
    // at most `limit` rows each, and the per-app heads are merged.
    return this.ds.query(
      `SELECT p.*
         FROM apps a
         CROSS JOIN LATERAL (
           SELECT ${SELECT_COLUMNS} FROM metric_events m
            WHERE ${cond.join(' AND ')}
            ORDER BY m."timestamp" DESC, m.id DESC
            LIMIT ${limit}
         ) p
        WHERE ${scope.join(' AND ')}
        ORDER BY p."timestamp" DESC, p.id DESC
        LIMIT ${limit}`,
      params,
    );
  }

  /**
   * The whole §2.12.4 aggregation in ONE statement: the selected rows are read once (materialized), then
   * counted per phase, averaged, ranked with exact `percentile_cont` (one sort for the three percentiles),
   * broken down by error and, with group_by, grouped. Rounding is left to the caller (JavaScript's
   * Math.round on the exact values, as the contract defines it).
   */
  async aggregate(q: MetricAggregateQuery): Promise<MetricAggregateRow> {
    const params: unknown[] = [q.projectId, q.slug, q.since.toISOString()];
    const param = (v: unknown): string => `$${params.push(v)}`;
    const cond = [
      'a.project_id = $1::uuid', 'a.deleted_at IS NULL', 'm.app_id = a.id', 'm.metric_slug = $2',
      'm."timestamp" >= $3::timestamptz',
    ];
    if (q.appId !== undefined) cond.push(`a.id = ${param(q.appId)}::uuid`);
    if (q.until !== undefined) cond.push(`m."timestamp" <= ${param(q.until.toISOString())}::timestamptz`);
    if (q.appVersion !== undefined) cond.push(`m.app_version = ${param(q.appVersion)}`);
    if (q.deviceModel !== undefined) cond.push(`m.device_model = ${param(q.deviceModel)}`);
    if (q.osVersion !== undefined) cond.push(`m.os_version = ${param(q.osVersion)}`);
    if (q.userId !== undefined) cond.push(`m.user_id = ${param(q.userId)}`);
    if (q.environment !== undefined) cond.push(`m.environment = ${param(q.environment)}`);
    if (q.isDev !== undefined) cond.push(`m.is_dev = ${param(q.isDev)}`);

    let groupExpr = 'NULL::text';
    let groupsSql = `'[]'::json`;
    if (q.groupBy !== undefined) {
      const column = GROUP_COLUMN[q.groupBy];
      groupExpr = column ?? timeBucketSql(q.groupBy as GroupBy.Hour | GroupBy.Day | GroupBy.Week, 'm."timestamp"', `${param(q.tz)}::text`);
      // Column groups: total desc, value ascending by code point, null last, first 100. Time buckets:
      // ascending start, uncapped (B19).
      const order = column ? `count(*) DESC, g COLLATE "C" ASC NULLS LAST` : 'g ASC';
      const limit = column ? `LIMIT ${MAX_COLUMN_GROUPS}` : '';
      groupsSql = `(SELECT coalesce(json_agg(json_build_object(
                      'value', x.g, 'total', x.n, 'complete', x.c, 'fail', x.f, 'avg', x.avg) ORDER BY x.ord), '[]'::json)
                     FROM (SELECT g, count(*) AS n,
                                  count(*) FILTER (WHERE phase = 'complete') AS c,
                                  count(*) FILTER (WHERE phase = 'fail') AS f,
                                  avg(duration_ms) AS avg,
                                  row_number() OVER (ORDER BY ${order}) AS ord
                             FROM sel GROUP BY g ORDER BY ord ${limit}) x)`;
    }

    const rows: Record<string, unknown>[] = await this.ds.query(
      `WITH sel AS MATERIALIZED (
         SELECT m.phase, m.duration_ms, m.user_id, m.error, ${groupExpr} AS g
           FROM apps a JOIN metric_events m ON ${cond.join(' AND ')}
       )
       SELECT t.*,
              (SELECT coalesce(json_agg(json_build_object('error', e.error, 'count', e.n) ORDER BY e.ord), '[]'::json)
                 FROM (SELECT error, count(*) AS n, row_number() OVER (ORDER BY count(*) DESC, error COLLATE "C" ASC) AS ord
                         FROM sel WHERE phase = 'fail' AND error IS NOT NULL
                        GROUP BY error ORDER BY ord LIMIT ${MAX_ERROR_ENTRIES}) e) AS errors,
              ${groupsSql} AS groups
         FROM (SELECT count(*) AS total,
                      count(*) FILTER (WHERE phase = 'start') AS start,
                      count(*) FILTER (WHERE phase = 'complete') AS complete,
                      count(*) FILTER (WHERE phase = 'fail') AS fail,
                      count(*) FILTER (WHERE phase = 'cancel') AS cancel,
                      count(*) FILTER (WHERE phase = 'record') AS record,
                      avg(duration_ms)::text AS avg,
                      percentile_cont(ARRAY[0.5, 0.95, 0.99]::float8[]) WITHIN GROUP (ORDER BY duration_ms) AS pct,
                      count(DISTINCT user_id) AS users
                 FROM sel) t`,
      params,
    );
    const r = rows[0];
    const pct = (r.pct as (number | null)[] | null) ?? [null, null, null];
    const timeGroups = q.groupBy !== undefined && GROUP_COLUMN[q.groupBy] === undefined;
    return {
      totalCount: toInt(r.total),
      startCount: toInt(r.start),
      completeCount: toInt(r.complete),
      failCount: toInt(r.fail),
      cancelCount: toInt(r.cancel),
      recordCount: toInt(r.record),
      durationAvg: toNumOrNull(r.avg),
      p50: toNumOrNull(pct[0]),
      p95: toNumOrNull(pct[1]),
      p99: toNumOrNull(pct[2]),
      uniqueUsers: toInt(r.users),
      errors: (r.errors as { error: string; count: number }[]).map((e) => ({ error: e.error, count: toInt(e.count) })),
      groups: (r.groups as { value: string | null; total: number; complete: number; fail: number; avg: number | null }[]).map((g) => ({
        // json renders a timestamptz with its offset, so Date parsing is exact whatever the session zone.
        value: g.value === null ? null : timeGroups ? new Date(g.value) : g.value,
        totalCount: toInt(g.total),
        completeCount: toInt(g.complete),
        failCount: toInt(g.fail),
        durationAvg: toNumOrNull(g.avg),
      })),
    };
  }
}
