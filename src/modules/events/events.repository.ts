import { Injectable } from '@nestjs/common';
import { DatabaseError, types } from 'pg';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { CursorPosition } from '../../common/http/pagination';
import { olderThanCursor, perAppNewestFirst } from '../../common/sql/keyset-page';
import { ReadReplicas } from '../../database/read-replicas';
import { PgPool } from '../../database/pg-pool';
import { MonthPartition, assertSafePartition, partitionNamed, partitionsAround } from './event-partitions';
import { FUNNEL_PREFIX, isFunnelMessage, metricFieldsOf } from './analytics-rows';
import { ANONYMOUS_PREFIX, DEDUP_WINDOW_MS } from './events.constants';
import { NormalizedEvent } from './ingest-validation';
import { EventResponse } from './events.types';

/** One stored event, camelCase (mapped to the wire by events.mapper.ts): the accepted event plus server fields. */
export interface EventRow extends NormalizedEvent {
  id: string;
  appId: string;
  apiKeyId: string | null;
  receivedAt: Date;
}

/** Filters of GET /v1/events after validation (ANDed). */
export interface EventListQuery {
  /** Live apps of these teams, narrowed to one app (wins) or one project. */
  scope: { teamIds: string[]; appId?: string; projectId?: string };
  level?: string;
  userId?: string;
  sessionId?: string;
  environment?: string;
  screenName?: string;
  since?: Date;
  until?: Date;
  /** undefined = both (data_mode=all). */
  isDev?: boolean;
  cursor?: CursorPosition;
  /** Rows to fetch (page size + 1, see pageOf). */
  fetch: number;
}

export interface PartitionUpkeep {
  created: string[];
  /** Months whose partition could not be created because the default partition holds rows of that range. */
  blockedByDefault: MonthPartition[];
}

const SELECT_COLUMNS = `e.id, e.app_id AS "appId", e.client_event_id AS "clientEventId", e.session_id AS "sessionId",
  e.user_id AS "userId", e.api_key_id AS "apiKeyId", e.level, e.source_module AS "sourceModule", e.message,
  e.screen_name AS "screenName", e.custom_attributes AS "customAttributes", e.environment, e.os_version AS "osVersion",
  e.app_version AS "appVersion", e.build_number AS "buildNumber", e.device_model AS "deviceModel", e.locale,
  e.is_dev AS "isDev", e.experiments, e."timestamp", e.received_at AS "receivedAt"`;

/**
 * An event of GET /v1/events as the wire shows it (§2.0 Event, events.mapper.ts's EventResponse): columns under
 * their wire names and timestamps as ISO 8601 text, so the page needs no mapping step and no Date per value.
 */
export type EventListRow = EventResponse;

const LIST_COLUMNS = `e.id, e.app_id, e.client_event_id, e.session_id, e.user_id, e.api_key_id, e.level, e.source_module, e.message,
  e.screen_name, e.custom_attributes, e.environment, e.os_version, e.app_version, e.build_number, e.device_model, e.locale,
  e.is_dev, e.experiments, e."timestamp", e.received_at`;

const TIMESTAMPTZ_OID = 1184;
/** PostgreSQL's ISO output of a timestamptz(3) in UTC: `2024-03-08 14:22:05.417+00` (fraction without trailing zeros). */
const PG_UTC_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.(\d{1,3}))?\+00$/;

/** A timestamptz as the wire writes it (`Date.prototype.toISOString()`), by string surgery in the common case. */
export function isoOfPgTimestamptz(text: string): string {
  const m = PG_UTC_TIMESTAMP.exec(text);
  if (m === null) return (types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (value: string) => Date)(text).toISOString();
  const ms = m[1] === undefined ? '000' : m[1].padEnd(3, '0');
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${ms}Z`;
}

/** pg's parsers, except timestamptz → ISO text (GET /v1/events on the primary). */
const LIST_TYPES = {
  getTypeParser: (oid: number): ((value: string) => unknown) =>
    oid === TIMESTAMPTZ_OID ? isoOfPgTimestamptz : (types.getTypeParser(oid, 'text') as (value: string) => unknown),
};

/** A replica read gives Dates (its pools keep pg's parsers): the same ISO text. */
function withIsoTimestamps(rows: (Omit<EventListRow, 'timestamp' | 'received_at'> & { timestamp: unknown; received_at: unknown })[]) {
  for (const r of rows) {
    if (r.timestamp instanceof Date) r.timestamp = r.timestamp.toISOString();
    if (r.received_at instanceof Date) r.received_at = r.received_at.toISOString();
  }
  return rows as EventListRow[];
}

/**
 * One event of a grouped ingest write, tagged with the request it came from (`req`, its index in the group;
 * see IngestWriter). A group may mix requests of many apps and keys; each row carries its own.
 */
export interface EventWriteRow {
  req: number;
  appId: string;
  apiKeyId: string;
  receivedAt: Date;
  event: NormalizedEvent;
}

/** How many events of request `req` were stored (requests that stored none are absent). */
export interface StoredPerRequest {
  req: number;
  stored: number;
}

/**
 * The ingest write of one or more requests in ONE statement (one round trip, one commit, atomic without an
 * explicit transaction), for any number of rows: the rows travel as one array per column and unnest() turns
 * them back into rows, so the statement text never changes and nothing is concatenated from data.
 *
 * - `input`: the rows; `app_id`, `api_key_id` and `received_at` are per row, `req` names the request.
 * - `claimed` (B2): insert (app, client_event_id) with the row's receive time, or take over a claim last
 *   received more than the window ($22) before it; the pairs that come back are this statement's to store,
 *   the others are duplicates. A concurrent claim of the same pair waits on the unique index until the first
 *   statement commits, then sees its row and gets nothing. The caller never repeats a pair (a single
 *   INSERT … ON CONFLICT DO UPDATE cannot touch one row twice); the claims go in (app, id) order, so
 *   concurrent statements lock shared pairs in one order.
 * - `kept`: the rows whose claim succeeded, plus every row without a client_event_id — all of them stored.
 * - `seen`: the app users (§2.7 Storage) of the kept rows, per (app, user): new rows get first_seen_at and
 *   last_seen_at from the receive times of the requests naming them (earliest, latest), is_anonymous from the
 *   `owl_anon_` prefix; existing rows only move last_seen_at. Distinct, in (app, user) order, so concurrent
 *   statements never deadlock on them. This writes the apps module's app_users table from here on purpose:
 *   folding it into the ingest statement saves a transaction and round trips on the hottest path, and holds
 *   the app-user row locks for the shortest time.
 * - `metric_rows` / `funnel_rows` (B15): the side rows of §2.12.6 and §2.13.5 for the kept rows, in the same
 *   statement, so they exist exactly for the stored events and are visible once the statement committed. Which
 *   events qualify and their derived fields are decided in JS (analytics-rows.ts, arrays $24–$29, null for
 *   other events). Funnel rows are inserted in input order (`ord`: requests in arrival order, each batch in
 *   array order), which is the order their `seq` identity is drawn in (the B17 tie-breaker).
 * - Ids ($30 events, $31 side rows) are time-ordered UUIDv7s made in JS (PostgreSQL < 18 has no generator):
 *   each primary-key index then grows at its right edge instead of dirtying a random leaf page per row, which
 *   measured ~18 % less PostgreSQL CPU per event at batch 100, and the saving grows with the table.
 * Returns the stored count per request.
 */
const INSERT_EVENTS = `
  WITH input AS MATERIALIZED (
    SELECT * FROM unnest($1::int[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::uuid[], $6::uuid[], $7::text[],
      $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
      $16::text[], $17::text[], $18::text[], $19::bool[], $20::text[], $21::timestamptz[],
      $24::text[], $25::text[], $26::uuid[], $27::int[], $28::text[], $29::text[], $30::uuid[], $31::uuid[]) WITH ORDINALITY
      AS t(req, app_id, api_key_id, received_at, client_event_id, session_id, user_id, level, source_module, message,
        screen_name, custom_attributes, environment, os_version, app_version, build_number, device_model, locale,
        is_dev, experiments, ts, metric_slug, metric_phase, tracking_id, duration_ms, metric_error, funnel_step, id, side_id,
        ord)
  ), claimed AS (
    INSERT INTO event_dedup (app_id, client_event_id, received_at)
    SELECT i.app_id, i.client_event_id, i.received_at FROM input i
     WHERE i.client_event_id IS NOT NULL
     ORDER BY i.app_id, i.client_event_id
    ON CONFLICT (app_id, client_event_id) DO UPDATE SET received_at = EXCLUDED.received_at
      WHERE event_dedup.received_at < EXCLUDED.received_at - $22::interval
    RETURNING app_id, client_event_id
  ), kept AS MATERIALIZED (
    SELECT i.* FROM input i
     WHERE i.client_event_id IS NULL
        OR (i.app_id, i.client_event_id) IN (SELECT c.app_id, c.client_event_id FROM claimed c)
  ), stored AS (
    INSERT INTO events (id, app_id, client_event_id, session_id, user_id, api_key_id, level, source_module, message,
      screen_name, custom_attributes, environment, os_version, app_version, build_number, device_model, locale, is_dev,
      experiments, "timestamp", received_at)
    SELECT k.id, k.app_id, k.client_event_id, k.session_id, k.user_id, k.api_key_id, k.level,
      k.source_module, k.message, k.screen_name, k.custom_attributes::jsonb, k.environment, k.os_version,
      k.app_version, k.build_number, k.device_model, k.locale, k.is_dev, k.experiments::jsonb, k.ts, k.received_at
    FROM kept k
  ), seen AS (
    INSERT INTO app_users (app_id, user_id, is_anonymous, claimed_from, first_seen_at, last_seen_at)
    SELECT k.app_id, k.user_id, starts_with(k.user_id, $23), NULL, min(k.received_at), max(k.received_at)
      FROM kept k
     WHERE k.user_id IS NOT NULL
     GROUP BY k.app_id, k.user_id
     ORDER BY k.app_id, k.user_id
    ON CONFLICT (app_id, user_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
  ), metric_rows AS (
    INSERT INTO metric_events (id, app_id, session_id, user_id, api_key_id, metric_slug, phase, tracking_id, duration_ms,
      error, attributes, environment, os_version, app_version, device_model, build_number, is_dev, client_event_id,
      "timestamp", received_at)
    SELECT k.side_id, k.app_id, k.session_id, k.user_id, k.api_key_id, k.metric_slug, k.metric_phase, k.tracking_id,
      k.duration_ms, k.metric_error, COALESCE(k.custom_attributes::jsonb, '{}'::jsonb), k.environment, k.os_version,
      k.app_version, k.device_model, k.build_number, k.is_dev, k.client_event_id, k.ts, k.received_at
      FROM kept k
     WHERE k.metric_slug IS NOT NULL
  ), funnel_rows AS (
    INSERT INTO funnel_events (id, app_id, session_id, user_id, api_key_id, step_name, message, screen_name,
      custom_attributes, experiments, environment, os_version, app_version, device_model, build_number, is_dev,
      client_event_id, "timestamp", received_at)
    SELECT k.side_id, k.app_id, k.session_id, k.user_id, k.api_key_id, k.funnel_step, k.message, k.screen_name,
      k.custom_attributes::jsonb, k.experiments::jsonb, k.environment, k.os_version, k.app_version, k.device_model,
      k.build_number, k.is_dev, k.client_event_id, k.ts, k.received_at
      FROM kept k
     WHERE k.funnel_step IS NOT NULL
     ORDER BY k.ord
  )
  SELECT k.req, count(*)::int AS stored FROM kept k GROUP BY k.req`;

/**
 * INSERT_EVENTS runs as a named prepared statement: parsed and planned once per pooled connection instead of
 * on every call (planning this statement costs more than executing it for a few rows).
 */
const INSERT_EVENTS_STATEMENT = 'owl_insert_events_v3';

/** The dedup window as a PostgreSQL interval (parameter $22 of INSERT_EVENTS). */
const DEDUP_WINDOW_INTERVAL = `${DEDUP_WINDOW_MS} milliseconds`;

/**
 * Parameters $24–$29 and $31 of INSERT_EVENTS: metric slug, phase, tracking id, duration, error; funnel step name;
 * the id of the event's metric or funnel row (an event is at most one of the two).
 */
function analyticsColumns(rows: EventWriteRow[]): { columns: unknown[][]; sideIds: (string | null)[] } {
  const n = rows.length;
  const slug = new Array<string | null>(n).fill(null);
  const phase = new Array<string | null>(n).fill(null);
  const tracking = new Array<string | null>(n).fill(null);
  const duration = new Array<number | null>(n).fill(null);
  const error = new Array<string | null>(n).fill(null);
  const step = new Array<string | null>(n).fill(null);
  const sideIds = new Array<string | null>(n).fill(null);
  for (let i = 0; i < n; i++) {
    const { message, customAttributes } = rows[i].event;
    if (isFunnelMessage(message)) {
      step[i] = message.slice(FUNNEL_PREFIX.length);
      sideIds[i] = uuidv7();
      continue;
    }
    const metric = metricFieldsOf(message, customAttributes);
    if (metric === null) continue;
    sideIds[i] = uuidv7();
    slug[i] = metric.slug;
    phase[i] = metric.phase;
    tracking[i] = metric.trackingId;
    duration[i] = metric.durationMs;
    error[i] = metric.error;
  }
  return { columns: [slug, phase, tracking, duration, error, step], sideIds };
}

/**
 * GET /v1/events runs as named prepared statements, one per filter combination (the text depends only on which
 * filters are present, never on values): PostgreSQL parses and plans each once per pooled connection instead of
 * on every query — planning this statement over the monthly partitions and their indexes cost about as much as
 * executing it. At most LIST_STATEMENTS_MAX texts get a name; any beyond (none exist today) run unnamed.
 */
const listStatements = new Map<string, string>();
const LIST_STATEMENTS_MAX = 256;

function listStatementName(sql: string): string | undefined {
  let name = listStatements.get(sql);
  if (name === undefined && listStatements.size < LIST_STATEMENTS_MAX) {
    name = `owl_events_list_${listStatements.size}`;
    listStatements.set(sql, name);
  }
  return name;
}

/** Serialises partition upkeep between instances (transaction-scoped advisory lock). */
const PARTITION_LOCK_KEY = 0x6f776c_0001; // "owl" + 1
/** How long partition DDL may wait for its lock on `events` before giving up until the next run. */
const PARTITION_LOCK_TIMEOUT = '5s';
const PG_CHECK_VIOLATION = '23514';

function pgCode(err: unknown): string | undefined {
  const e = err as { code?: string; driverError?: { code?: string } };
  return e?.code ?? e?.driverError?.code;
}

/** All SQL on `events` and `event_dedup`; raw and parameterised (the hot paths of §2.7/§2.8). */
@Injectable()
export class EventsRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly pool: PgPool,
    /** GET /v1/events and /v1/events/:id read a caught-up replica when there is one (ReadReplicas). */
    private readonly reads: ReadReplicas,
  ) {}

  /**
   * Claims the rows' client_event_ids, stores the rows whose claim succeeded (plus every row without an id)
   * and records their app users, in one statement (see INSERT_EVENTS). `rows` must not repeat an
   * (appId, clientEventId) pair (IngestWriter's mergeGroup resolves repeats first). Returns the stored count
   * of every request that stored something.
   */
  async insertEvents(rows: EventWriteRow[]): Promise<StoredPerRequest[]> {
    const n = rows.length;
    const col = <T>(pick: (r: EventWriteRow) => T): T[] => {
      const out = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = pick(rows[i]);
      return out;
    };
    const json = (v: Record<string, string> | null): string | null => (v === null ? null : JSON.stringify(v));
    const analytics = analyticsColumns(rows);
    const values = [
      col((r) => r.req),
      col((r) => r.appId),
      col((r) => r.apiKeyId),
      col((r) => r.receivedAt.toISOString()),
      col((r) => r.event.clientEventId),
      col((r) => r.event.sessionId),
      col((r) => r.event.userId),
      col((r) => r.event.level),
      col((r) => r.event.sourceModule),
      col((r) => r.event.message),
      col((r) => r.event.screenName),
      col((r) => json(r.event.customAttributes)),
      col((r) => r.event.environment),
      col((r) => r.event.osVersion),
      col((r) => r.event.appVersion),
      col((r) => r.event.buildNumber),
      col((r) => r.event.deviceModel),
      col((r) => r.event.locale),
      col((r) => r.event.isDev),
      col((r) => json(r.event.experiments)),
      col((r) => r.event.timestamp.toISOString()),
      DEDUP_WINDOW_INTERVAL,
      ANONYMOUS_PREFIX,
      ...analytics.columns,
      col(() => uuidv7()),
      analytics.sideIds,
    ];
    // Straight on a pooled connection (not DataSource.query), because only pg's own API names a statement.
    const { client, release } = await this.pool.connect();
    try {
      const result = await client.query<StoredPerRequest>({ name: INSERT_EVENTS_STATEMENT, text: INSERT_EVENTS, values });
      release();
      return result.rows;
    } catch (err) {
      // An error the server reported leaves the connection ready for the next statement; anything else
      // (a broken socket, a protocol error) makes the pool drop it.
      release(err instanceof DatabaseError ? undefined : err);
      throw err;
    }
  }

  /**
   * Newest first on (timestamp, id). Each app of the scope is read through its own (app_id, timestamp, id)
   * index range, at most `fetch` rows each, and the per-app heads are merged: a caller with many apps never
   * makes Postgres sort every event of every app.
   */
  async list(f: EventListQuery): Promise<EventListRow[]> {
    const params: unknown[] = [f.scope.teamIds];
    const param = (v: unknown): string => `$${params.push(v)}`;
    // The scope is resolved in the same statement (one round trip): live apps of the accessible teams.
    // Reading the apps table here is deliberate — it is the hottest read path, and "events of deleted
    // apps are never returned" then holds at the instant of the query, without a cache.
    const scope: string[] = ['a.team_id = ANY($1::uuid[])', 'a.deleted_at IS NULL'];
    if (f.scope.appId !== undefined) scope.push(`a.id = ${param(f.scope.appId)}::uuid`);
    else if (f.scope.projectId !== undefined) scope.push(`a.project_id = ${param(f.scope.projectId)}::uuid`);
    const cond: string[] = ['e.app_id = a.id'];
    if (f.isDev !== undefined) cond.push(`e.is_dev = ${param(f.isDev)}`);
    if (f.level !== undefined) cond.push(`e.level = ${param(f.level)}`);
    if (f.userId !== undefined) cond.push(`e.user_id = ${param(f.userId)}`);
    if (f.sessionId !== undefined) cond.push(`e.session_id = ${param(f.sessionId)}::uuid`);
    if (f.environment !== undefined) cond.push(`e.environment = ${param(f.environment)}`);
    if (f.screenName !== undefined) cond.push(`e.screen_name = ${param(f.screenName)}`);
    if (f.since !== undefined) cond.push(`e."timestamp" >= ${param(f.since.toISOString())}::timestamptz`);
    if (f.until !== undefined) cond.push(`e."timestamp" <= ${param(f.until.toISOString())}::timestamptz`);
    if (f.cursor !== undefined) cond.push(olderThanCursor('e', f.cursor, param));
    const limit = param(f.fetch);
    const sql = perAppNewestFirst({ table: 'events', alias: 'e', columns: LIST_COLUMNS, cond, scope, limit });
    // With replicas, ReadReplicas routes the read; on the primary alone, a named statement (see listStatementName).
    const name = this.reads.configured ? undefined : listStatementName(sql);
    if (name === undefined) return withIsoTimestamps(await this.reads.query(sql, params));
    const { client, release } = await this.pool.connect();
    try {
      const result = await client.query<EventListRow>({ name, text: sql, values: params, types: LIST_TYPES });
      release();
      return result.rows;
    } catch (err) {
      release(err instanceof DatabaseError ? undefined : err);
      // The same error type as DataSource.query, so error translation sees no difference.
      throw err instanceof DatabaseError ? new QueryFailedError(sql, params, err) : err;
    }
  }

  async findById(id: string): Promise<EventRow | null> {
    const rows: EventRow[] = await this.reads.query(`SELECT ${SELECT_COLUMNS} FROM events e WHERE e.id = $1 LIMIT 1`, [id]);
    return rows[0] ?? null;
  }

  /** Serialises identity claims of one anonymous id in one app until the transaction ends. */
  async lockClaim(appId: string, anonymousId: string, m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`claim:${appId}:${anonymousId}`]);
  }

  /** Relabels every event of `from` in the app as `to` (metric and funnel rows too); returns how many events. */
  async reassignUser(appId: string, from: string, to: string, m: EntityManager): Promise<number> {
    const rows: { n: number }[] = await m.query(
      `WITH moved AS (UPDATE events SET user_id = $3 WHERE app_id = $1 AND user_id = $2 RETURNING 1),
            metric_rows AS (UPDATE metric_events SET user_id = $3 WHERE app_id = $1 AND user_id = $2),
            funnel_rows AS (UPDATE funnel_events SET user_id = $3 WHERE app_id = $1 AND user_id = $2)
       SELECT count(*)::int AS n FROM moved`,
      [appId, from, to],
    );
    return rows[0].n;
  }

  /** Permanent removal with purged apps (retention, §3). */
  async deleteForApps(appIds: string[], m: EntityManager): Promise<void> {
    if (appIds.length === 0) return;
    await m.query(`DELETE FROM events WHERE app_id = ANY($1::uuid[])`, [appIds]);
    await m.query(`DELETE FROM event_dedup WHERE app_id = ANY($1::uuid[])`, [appIds]);
    await m.query(`DELETE FROM metric_events WHERE app_id = ANY($1::uuid[])`, [appIds]);
    await m.query(`DELETE FROM funnel_events WHERE app_id = ANY($1::uuid[])`, [appIds]);
  }

  /**
   * Creates the monthly partitions around `now` that are missing (previous, current, next two months).
   * Existing ones cost one catalog query and no lock. Creation runs in one transaction holding an advisory
   * lock, so two instances booting together don't race; each partition gets a savepoint, so a month whose
   * rows already sit in the default partition (Postgres refuses to create the partition then) is reported
   * and skipped while the others are still created.
   */
  async ensurePartitions(now: Date): Promise<PartitionUpkeep> {
    const wanted = partitionsAround(now);
    wanted.forEach(assertSafePartition);
    const outcome: PartitionUpkeep = { created: [], blockedByDefault: [] };
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      if ((await this.missingPartitions(wanted, runner.manager)).length === 0) return outcome;
      await runner.startTransaction();
      await runner.query(`SELECT pg_advisory_xact_lock($1)`, [PARTITION_LOCK_KEY]);
      await runner.query(`SET LOCAL lock_timeout = '${PARTITION_LOCK_TIMEOUT}'`);
      // Again under the lock: another instance may have created them while we waited.
      for (const p of await this.missingPartitions(wanted, runner.manager)) {
        await runner.query('SAVEPOINT event_partition');
        try {
          await runner.query(`CREATE TABLE IF NOT EXISTS ${p.name} PARTITION OF events FOR VALUES FROM ('${p.from}') TO ('${p.to}')`);
          await runner.query('RELEASE SAVEPOINT event_partition');
          outcome.created.push(p.name);
        } catch (err) {
          if (pgCode(err) !== PG_CHECK_VIOLATION) throw err;
          await runner.query('ROLLBACK TO SAVEPOINT event_partition');
          outcome.blockedByDefault.push(p);
        }
      }
      await runner.commitTransaction();
      return outcome;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw err;
    } finally {
      await runner.release();
    }
  }

  /** Forgets dedup claims older than `before` (they no longer block anything, B2). */
  async pruneDedup(before: Date): Promise<number> {
    const [, count]: [unknown, number] = await this.ds.query(`DELETE FROM event_dedup WHERE received_at < $1`, [before]);
    return count;
  }

  /**
   * EVENT_RETENTION_DAYS: drops every monthly partition whose whole range ends at or before `cutoff`, and
   * deletes the default partition's rows older than it. Under the partition advisory lock; idempotent.
   */
  async dropPartitionsBefore(cutoff: Date): Promise<string[]> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    const dropped: string[] = [];
    try {
      await runner.startTransaction();
      await runner.query(`SELECT pg_advisory_xact_lock($1)`, [PARTITION_LOCK_KEY]);
      await runner.query(`SET LOCAL lock_timeout = '${PARTITION_LOCK_TIMEOUT}'`);
      const rows = (await runner.query(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'events'::regclass`,
      )) as { name: string }[];
      for (const { name } of rows) {
        const p = partitionNamed(name);
        if (!p || new Date(p.to) > cutoff) continue;
        assertSafePartition(p);
        await runner.query(`DROP TABLE ${p.name}`);
        dropped.push(p.name);
      }
      await runner.query(`DELETE FROM events_default WHERE "timestamp" < $1`, [cutoff]);
      // The side rows of those events go with them.
      await runner.query(`DELETE FROM metric_events WHERE "timestamp" < $1`, [cutoff]);
      await runner.query(`DELETE FROM funnel_events WHERE "timestamp" < $1`, [cutoff]);
      await runner.commitTransaction();
      return dropped;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw err;
    } finally {
      await runner.release();
    }
  }

  private async missingPartitions(wanted: MonthPartition[], m: EntityManager): Promise<MonthPartition[]> {
    const rows: { name: string }[] = await m.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'events'::regclass`,
    );
    const existing = new Set(rows.map((r) => r.name));
    return wanted.filter((p) => !existing.has(p.name));
  }
}
