import { CursorPosition } from '../http/pagination';

/**
 * SQL fragments of the newest-first keyset pages (events, metric events): pure string builders, the values
 * always travel as parameters (`param` pushes one and returns its placeholder).
 */

/**
 * Strictly after the last row returned on (`timestamp`, id) descending (B5): a row comparison against the
 * cursor's pair, or, for a bare-timestamp cursor, "older than this instant".
 */
export function olderThanCursor(alias: string, cursor: CursorPosition, param: (v: unknown) => string): string {
  const ts = `${param(cursor.timestamp.toISOString())}::timestamptz`;
  return cursor.id === null ? `${alias}."timestamp" < ${ts}` : `(${alias}."timestamp", ${alias}.id) < (${ts}, ${param(cursor.id)}::uuid)`;
}

/**
 * One page newest first over the live apps of a scope: each app (`apps a`) is read through its own
 * (app_id, …, timestamp, id) index range, at most `limit` rows each, and the per-app heads are merged — a caller
 * with many apps never makes PostgreSQL sort every row of every app. `cond` filters the rows (it includes the
 * join `<alias>.app_id = a.id`), `scope` the apps.
 */
export function perAppNewestFirst(q: {
  table: string;
  alias: string;
  columns: string;
  cond: string[];
  scope: string[];
  limit: string;
}): string {
  return `SELECT p.*
         FROM apps a
         CROSS JOIN LATERAL (
           SELECT ${q.columns} FROM ${q.table} ${q.alias}
            WHERE ${q.cond.join(' AND ')}
            ORDER BY ${q.alias}."timestamp" DESC, ${q.alias}.id DESC
            LIMIT ${q.limit}
         ) p
        WHERE ${q.scope.join(' AND ')}
        ORDER BY p."timestamp" DESC, p.id DESC
        LIMIT ${q.limit}`;
}
