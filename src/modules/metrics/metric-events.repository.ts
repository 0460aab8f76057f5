import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CursorPosition } from '../../common/http/pagination';
import { olderThanCursor, perAppNewestFirst } from '../../common/sql/keyset-page';
import { ReadReplicas } from '../../database/read-replicas';
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

/** Enough for the histogram and the distinct-user hash table of a few million rows to stay in memory. */
const AGGREGATE_WORK_MEM = '64MB';

/**
 * Time groups assign rows to buckets through 15-minute UTC slots (`date_bin`, integer arithmetic) and a small
 * slot → bucket table computed once per query, instead of evaluating the zone-aware bucket per row. Every zone
 * offset in use is a multiple of 15 minutes, so every bucket boundary is a slot boundary; a slot for which that
 * does not hold (an offset change inside it, or two buckets in it) is left out of the table and its rows take
 * the per-row expression. Longer ranges than this many slots (≈ 2.8 years) use the per-row expression throughout.
 */
const SLOT = `interval '15 minutes'`;
const SLOT_MS = 15 * 60_000;
const MAX_SLOTS = 100_000;

/**
 * PostgreSQL's `percentile_cont(p) WITHIN GROUP (ORDER BY x)` over the multiset given as a histogram (distinct
 * values ascending, with their counts), for each p: the row positions `floor/ceil(p * (N - 1))` and the same float8
 * interpolation `lo + p' * (hi - lo)` as orderedsetaggs.c, so the result is bit-identical. Null when N = 0.
 */
export function percentileCont(values: number[], counts: number[], ps: number[]): (number | null)[] {
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return ps.map(() => null);
  const valueAt = (row: number): number => {
    let seen = 0;
    for (let i = 0; i < values.length; i++) {
      seen += counts[i];
      if (row < seen) return values[i];
    }
    return values[values.length - 1];
  };
  return ps.map((p) => {
    const pos = p * (total - 1);
    const first = Math.floor(pos);
    const second = Math.ceil(pos);
    const lo = valueAt(first);
    if (first === second) return lo;
    const hi = valueAt(second);
    return lo + (pos - first) * (hi - lo);
  });
}

@Injectable()
export class MetricEventsRepository {
  constructor(
    private readonly ds: DataSource,
    /** The metric-event list and the aggregate read a caught-up replica when there is one (ReadReplicas). */
    private readonly reads: ReadReplicas,
  ) {}

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
    if (q.cursor !== undefined) cond.push(olderThanCursor('m', q.cursor, param)); // B16
    const limit = param(q.fetch);
    // Each live app of the project through its own (app_id, metric_slug, timestamp, id) index range, heads merged.
    return this.reads.query(perAppNewestFirst({ table: 'metric_events', alias: 'm', columns: SELECT_COLUMNS, cond, scope, limit }), params);
  }

  /**
   * Pass 1 of a time-grouped aggregation (same rows and columns as the plain histogram, `g` = bucket start): rows
   * are joined to the slot → bucket table on `date_bin(15 min, timestamp)`, a hash join that parallel workers run
   * on their share of the rows, so the histogram stays a parallel partial aggregate as without groups. A slot is
   * in the table when the zone's offset is the same at its first and last microsecond and both lie in the same
   * bucket (buckets never decrease while the offset is constant, so the whole slot is in that bucket). Rows after
   * the table's range (no `until`: from a day after now) and rows in left-out slots are bucketed per row, read
   * through index ranges of the timestamp.
   */
  private slottedHistogramSql(where: string, bucket: (t: string) => string, tz: string, until: string | undefined): string {
    const lo = `date_bin(${SLOT}, $3::timestamptz, timestamptz 'epoch')`;
    const end =
      until !== undefined
        ? `(date_bin(${SLOT}, ${until}, timestamptz 'epoch') + ${SLOT})`
        : `(date_bin(${SLOT}, now(), timestamptz 'epoch') + interval '1 day')`;
    const last = `(k + ${SLOT} - interval '1 microsecond')`;
    const offset = (t: string) => `((${t} AT TIME ZONE ${tz}) - (${t} AT TIME ZONE 'UTC'))`;
    const slots = `FROM generate_series(${lo}, ${end} - ${SLOT}, ${SLOT}) AS k`;
    const clean = `${offset('k')} = ${offset(last)} AND ${bucket('k')} = ${bucket(last)}`;
    return `
         SELECT s.g, m.phase, m.error, m.duration_ms AS d, count(*) AS n
           FROM metric_events m
           JOIN unnest(ARRAY(SELECT k ${slots} WHERE ${clean} ORDER BY k),
                       ARRAY(SELECT ${bucket('k')} ${slots} WHERE ${clean} ORDER BY k)) AS s(k, g)
             ON s.k = date_bin(${SLOT}, m."timestamp", timestamptz 'epoch')
          WHERE ${where}
          GROUP BY 1, 2, 3, 4
         UNION ALL
         SELECT ${bucket('m."timestamp"')}, m.phase, m.error, m.duration_ms, count(*)
           FROM metric_events m
          WHERE ${where} AND m."timestamp" >= ${end}
          GROUP BY 1, 2, 3, 4
         UNION ALL
         SELECT ${bucket('m."timestamp"')}, m.phase, m.error, m.duration_ms, count(*)
           FROM unnest(ARRAY(SELECT k ${slots} WHERE NOT (${clean}))) AS x(k)
           JOIN metric_events m ON m."timestamp" >= x.k AND m."timestamp" < x.k + ${SLOT}
          WHERE ${where}
          GROUP BY 1, 2, 3, 4`;
  }

  /**
   * The whole §2.12.4 aggregation in ONE statement, without materialising the selected rows:
   * - pass 1 reads the rows once through the covering index and hash-aggregates them into a histogram keyed by
   *   (group, phase, error, duration_ms) — a few thousand rows for a million metric rows; parallel workers each
   *   build a partial histogram. Counts per phase, the mean, the error breakdown and the groups are sums over it;
   * - pass 2 counts distinct users with a (parallel) hash aggregate instead of sorting every user id;
   * - the exact `percentile_cont` values are interpolated from the duration histogram (see percentileCont), with the
   *   same float8 arithmetic PostgreSQL uses, so results are identical to percentile_cont over the rows.
   * It runs in a (read-only, on a replica) transaction with `SET LOCAL work_mem` so that neither hash table spills to disk.
   * Rounding is left to the caller (JavaScript's Math.round on the exact values, as the contract defines it).
   */
  async aggregate(q: MetricAggregateQuery): Promise<MetricAggregateRow> {
    const params: unknown[] = [q.projectId, q.slug, q.since.toISOString()];
    const param = (v: unknown): string => `$${params.push(v)}`;
    // The live apps of the project are resolved once (an initplan) so that the rows are read by index ranges
    // of (app_id, metric_slug, timestamp) with no join per row.
    const appIds =
      q.appId !== undefined
        ? `ARRAY(SELECT a.id FROM apps a WHERE a.project_id = $1::uuid AND a.deleted_at IS NULL AND a.id = ${param(q.appId)}::uuid)`
        : `ARRAY(SELECT a.id FROM apps a WHERE a.project_id = $1::uuid AND a.deleted_at IS NULL)`;
    const cond = [`m.app_id = ANY(${appIds})`, 'm.metric_slug = $2', 'm."timestamp" >= $3::timestamptz'];
    const until = q.until !== undefined ? `${param(q.until.toISOString())}::timestamptz` : undefined;
    if (until !== undefined) cond.push(`m."timestamp" <= ${until}`);
    if (q.appVersion !== undefined) cond.push(`m.app_version = ${param(q.appVersion)}`);
    if (q.deviceModel !== undefined) cond.push(`m.device_model = ${param(q.deviceModel)}`);
    if (q.osVersion !== undefined) cond.push(`m.os_version = ${param(q.osVersion)}`);
    if (q.userId !== undefined) cond.push(`m.user_id = ${param(q.userId)}`);
    if (q.environment !== undefined) cond.push(`m.environment = ${param(q.environment)}`);
    if (q.isDev !== undefined) cond.push(`m.is_dev = ${param(q.isDev)}`);
    const where = cond.join(' AND ');

    let groupExpr = 'NULL::text';
    let groupsSql = `'[]'::json`;
    let histogramSql = '';
    if (q.groupBy !== undefined) {
      const column = GROUP_COLUMN[q.groupBy];
      if (column !== undefined) groupExpr = column;
      else {
        const tz = `${param(q.tz)}::text`;
        const bucket = (t: string) => timeBucketSql(q.groupBy as GroupBy.Hour | GroupBy.Day | GroupBy.Week, t, tz);
        groupExpr = bucket('m."timestamp"');
        const spanMs = (q.until?.getTime() ?? Date.now() + 86_400_000) - q.since.getTime();
        if (spanMs / SLOT_MS <= MAX_SLOTS) histogramSql = this.slottedHistogramSql(where, bucket, tz, until);
      }
      // Column groups: total desc, value ascending by code point, null last, first 100. Time buckets:
      // ascending start, uncapped (B19).
      const order = column ? `sum(n) DESC, g COLLATE "C" ASC NULLS LAST` : 'g ASC';
      const limit = column ? `LIMIT ${MAX_COLUMN_GROUPS}` : '';
      groupsSql = `(SELECT coalesce(json_agg(json_build_object(
                      'value', x.g, 'total', x.n, 'complete', x.c, 'fail', x.f, 'avg', x.avg) ORDER BY x.ord), '[]'::json)
                     FROM (SELECT g, sum(n) AS n,
                                  coalesce(sum(n) FILTER (WHERE phase = 'complete'), 0) AS c,
                                  coalesce(sum(n) FILTER (WHERE phase = 'fail'), 0) AS f,
                                  sum(d::numeric * n) / nullif(sum(n) FILTER (WHERE d IS NOT NULL), 0) AS avg,
                                  row_number() OVER (ORDER BY ${order}) AS ord
                             FROM h GROUP BY g ORDER BY ord ${limit}) x)`;
    }

    const sql = `WITH h AS MATERIALIZED (${
      histogramSql ||
      `
         SELECT ${groupExpr} AS g, m.phase, m.error, m.duration_ms AS d, count(*) AS n
           FROM metric_events m WHERE ${where}
          GROUP BY 1, 2, 3, 4`
    }
       )
       SELECT t.*,
              (SELECT coalesce(json_agg(json_build_object('error', e.error, 'count', e.n) ORDER BY e.ord), '[]'::json)
                 FROM (SELECT error, sum(n) AS n, row_number() OVER (ORDER BY sum(n) DESC, error COLLATE "C" ASC) AS ord
                         FROM h WHERE phase = 'fail' AND error IS NOT NULL
                        GROUP BY error ORDER BY ord LIMIT ${MAX_ERROR_ENTRIES}) e) AS errors,
              ${groupsSql} AS groups,
              (SELECT json_build_object('v', coalesce(array_agg(dh.d ORDER BY dh.d), '{}'), 'n', coalesce(array_agg(dh.n ORDER BY dh.d), '{}'))
                 FROM (SELECT d, sum(n)::bigint AS n FROM h WHERE d IS NOT NULL GROUP BY d) dh) AS durations,
              (SELECT count(*) FROM (SELECT m.user_id FROM metric_events m
                                      WHERE ${where} AND m.user_id IS NOT NULL GROUP BY m.user_id) u) AS users
         FROM (SELECT coalesce(sum(n), 0) AS total,
                      coalesce(sum(n) FILTER (WHERE phase = 'start'), 0) AS start,
                      coalesce(sum(n) FILTER (WHERE phase = 'complete'), 0) AS complete,
                      coalesce(sum(n) FILTER (WHERE phase = 'fail'), 0) AS fail,
                      coalesce(sum(n) FILTER (WHERE phase = 'cancel'), 0) AS cancel,
                      coalesce(sum(n) FILTER (WHERE phase = 'record'), 0) AS record,
                      (sum(d::numeric * n) / nullif(sum(n) FILTER (WHERE d IS NOT NULL), 0))::text AS avg
                 FROM h) t`;
    const rows: Record<string, unknown>[] = await this.reads.transaction(async (m) => {
      await m.query(`SET LOCAL work_mem = '${AGGREGATE_WORK_MEM}'`);
      // Grouped plans cost enough to trigger JIT, whose compilation (50–100 ms) outweighs what it saves here.
      await m.query(`SET LOCAL jit = off`);
      return m.query(sql, params);
    });
    const r = rows[0];
    const durations = r.durations as { v: number[]; n: number[] };
    const pct = percentileCont(durations.v, durations.n, [0.5, 0.95, 0.99]);
    const timeGroups = q.groupBy !== undefined && GROUP_COLUMN[q.groupBy] === undefined;
    return {
      totalCount: toInt(r.total),
      startCount: toInt(r.start),
      completeCount: toInt(r.complete),
      failCount: toInt(r.fail),
      cancelCount: toInt(r.cancel),
      recordCount: toInt(r.record),
      durationAvg: toNumOrNull(r.avg),
      p50: pct[0],
      p95: pct[1],
      p99: pct[2],
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
