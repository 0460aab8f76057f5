import { parseTimestamp } from './timestamp';
import { isUuid } from './uuid';

/** Page size rules of SPEC §1.5 / §1.11. `limit` is clamped, never an error. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/**
 * `Number(value)`; absent/empty → 50; non-finite → 50; floor; 0 → 50; below 1 → 1; above 200 → 200.
 * So `"3abc"` → 50, `"1e9"` → 200, `"0.5"` → 50, `"-3"` → 1, `"Infinity"` → 50, `" "` → 50 (Number(" ") is 0).
 * Only strings and numbers are read; anything else (a repeated parameter's array, a boolean) → 50 —
 * repeated parameters are refused with a 400 before this runs.
 */
export function normalizeLimit(raw: unknown): number {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && raw !== '') n = Number(raw);
  else return DEFAULT_LIMIT;
  if (!Number.isFinite(n)) return DEFAULT_LIMIT;
  n = Math.floor(n);
  if (n === 0) return DEFAULT_LIMIT;
  if (n < 1) return 1;
  if (n > MAX_LIMIT) return MAX_LIMIT;
  return n;
}

/**
 * Where the next page starts: strictly older than (timestamp, id) in (timestamp desc, id desc) order (B5).
 * `id` is null for the legacy bare-timestamp cursor: strictly older than the instant, whatever the id.
 */
export interface CursorPosition {
  timestamp: Date;
  id: string | null;
}

const CURSOR_SEPARATOR = '|';

/** `<ISO timestamp, ms>|<uuid, lower-case>` — the reference's text; clients treat it as opaque. */
export function encodeCursor(ts: Date, id: string): string {
  return ts.toISOString() + CURSOR_SEPARATOR + id.toLowerCase();
}

/**
 * Accepts `<timestamp>|<uuid>` or a bare timestamp (§1.5 compatibility); the timestamp part follows the
 * §1.3 input grammar. Anything else → null, which the caller answers with `400 "Invalid cursor"`.
 */
export function decodeCursor(raw: string): CursorPosition | null {
  if (typeof raw !== 'string' || raw === '') return null;
  const sep = raw.indexOf(CURSOR_SEPARATOR);
  if (sep === -1) {
    const timestamp = parseTimestamp(raw);
    return timestamp === null ? null : { timestamp, id: null };
  }
  if (raw.indexOf(CURSOR_SEPARATOR, sep + 1) !== -1) return null;
  const timestamp = parseTimestamp(raw.slice(0, sep));
  if (timestamp === null) return null;
  const id = raw.slice(sep + 1);
  if (!isUuid(id)) return null;
  return { timestamp, id: id.toLowerCase() };
}

export interface Page<T> {
  items: T[];
  cursor: string | null;
  has_more: boolean;
}

/**
 * Cuts a `limit + 1` fetch down to one page. The extra row only proves that more exist: when it came
 * back, `has_more` is true and the cursor points at the last item *returned*, so the next page starts
 * right after it (never after the probe row, which would skip it). `limit` comes from normalizeLimit();
 * anything but a positive integer is a programming error.
 */
export function pageOf<T>(rows: T[], limit: number, key: (row: T) => { timestamp: Date; id: string }): Page<T> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`pageOf: limit must be a positive integer, got ${limit}`);
  }
  if (rows.length <= limit) return { items: rows, cursor: null, has_more: false };
  const items = rows.slice(0, limit);
  const last = key(items[items.length - 1]);
  return { items, cursor: encodeCursor(last.timestamp, last.id), has_more: true };
}
