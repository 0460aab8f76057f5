/**
 * Pure rules of the metrics feature (SPEC §2.12): slug format, the PATCH body, and the arithmetic the
 * aggregation query answers with. No I/O; unit-tested in metric-rules.spec.ts.
 */
import { isMissing, stringProblem } from '../../common/pipes/validation';
import { MetricErrors } from './metrics.errors';

export enum MetricStatus {
  Active = 'active',
  Paused = 'paused',
}
export const METRIC_STATUSES: readonly string[] = Object.values(MetricStatus);

export enum MetricPhase {
  Start = 'start',
  Complete = 'complete',
  Fail = 'fail',
  Cancel = 'cancel',
  Record = 'record',
}
export const METRIC_PHASES: readonly string[] = Object.values(MetricPhase);

export const MAX_NAME_CHARS = 255;
export const MAX_DESCRIPTION_CHARS = 10_000;
export const MAX_DOCUMENTATION_CHARS = 100_000;

const METRIC_SLUG_RE = /^[a-z0-9-]+$/;

/** `^[a-z0-9-]+$` (length is checked before, as a length error). */
export const isMetricSlug = (slug: string): boolean => METRIC_SLUG_RE.test(slug);

/** A JSON object (not an array, not null): what `schema_definition` / `aggregation_rules` may hold. */
export const isJsonObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const objectProblem = (v: unknown, field: string): string | null => (isJsonObject(v) ? null : `${field} must be an object`);

/** What a PATCH changes; a key is present exactly when the field was supplied. */
export interface MetricDefinitionPatch {
  name?: string;
  description?: string | null;
  documentation?: string | null;
  schemaDefinition?: Record<string, unknown> | null;
  aggregationRules?: Record<string, unknown> | null;
  status?: MetricStatus;
}

export type PatchResult = { ok: true; patch: MetricDefinitionPatch } | { ok: false; error: string };

const NULLABLE_TEXT: readonly [string, 'description' | 'documentation', number][] = [
  ['description', 'description', MAX_DESCRIPTION_CHARS],
  ['documentation', 'documentation', MAX_DOCUMENTATION_CHARS],
];
const NULLABLE_OBJECT: readonly [string, 'schemaDefinition' | 'aggregationRules'][] = [
  ['schema_definition', 'schemaDefinition'],
  ['aggregation_rules', 'aggregationRules'],
];

/**
 * The PATCH body of §2.12.2, read from the raw JSON object (before §1.2's "null/"" = missing" rule, which the
 * four nullable fields are an exception to). Checks in the contract's order: at least one field supplied,
 * then type/length per field in field order, then the status enum.
 * - `name`, `status`: absent, `null` or `""` = not supplied.
 * - `description`, `documentation`: supplied whenever the key is present; `null` clears, a string (`""`
 *   included) is stored as sent.
 * - `schema_definition`, `aggregation_rules`: supplied whenever present; `null` clears, an object is stored;
 *   anything else (`""` included — it is a string, not an object) → `<field> must be an object`.
 */
export function parseDefinitionPatch(body: Record<string, unknown>): PatchResult {
  const has = (k: string) => Object.prototype.hasOwnProperty.call(body, k) && body[k] !== undefined;
  const suppliedName = !isMissing(body.name);
  const suppliedStatus = !isMissing(body.status);
  const nullable = [...NULLABLE_TEXT.map(([k]) => k), ...NULLABLE_OBJECT.map(([k]) => k)];
  if (!suppliedName && !suppliedStatus && !nullable.some(has)) return { ok: false, error: MetricErrors.updateRequired };

  const patch: MetricDefinitionPatch = {};
  if (suppliedName) {
    const p = stringProblem(body.name, 'name', MAX_NAME_CHARS);
    if (p) return { ok: false, error: p };
    patch.name = body.name as string;
  }
  for (const [field, key, max] of NULLABLE_TEXT) {
    if (!has(field)) continue;
    const v = body[field];
    if (v !== null) {
      const p = stringProblem(v, field, max);
      if (p) return { ok: false, error: p };
    }
    patch[key] = v as string | null;
  }
  for (const [field, key] of NULLABLE_OBJECT) {
    if (!has(field)) continue;
    const v = body[field];
    if (v !== null) {
      const p = objectProblem(v, field);
      if (p) return { ok: false, error: p };
    }
    patch[key] = v as Record<string, unknown> | null;
  }
  if (suppliedStatus) {
    if (typeof body.status !== 'string') return { ok: false, error: 'status must be a string' };
    if (!METRIC_STATUSES.includes(body.status)) return { ok: false, error: MetricErrors.status };
    patch.status = body.status as MetricStatus;
  }
  return { ok: true, patch };
}

/** Equality of two JSON values regardless of object key order (jsonb reorders keys on storage). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameJson(v, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/** `Math.round(x * 100) / 100` — the contract's rounding of every fractional number (halves toward +∞). */
export const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Nullable variant of round2 for aggregates that are null over no rows. */
export const round2OrNull = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : round2(x));

/** `null` when c + f = 0, else `Math.round(c / (c + f) * 10000) / 100` (a percentage). */
export function successRate(complete: number, fail: number): number | null {
  if (complete + fail === 0) return null;
  return Math.round((complete / (complete + fail)) * 10000) / 100;
}

/** Keys of `group_by`. */
export enum GroupBy {
  AppId = 'app_id',
  AppVersion = 'app_version',
  DeviceModel = 'device_model',
  OsVersion = 'os_version',
  Environment = 'environment',
  Hour = 'time:hour',
  Day = 'time:day',
  Week = 'time:week',
}
export const GROUP_BY_VALUES: readonly string[] = Object.values(GroupBy);
export const isGroupBy = (v: unknown): v is GroupBy => typeof v === 'string' && GROUP_BY_VALUES.includes(v);
export const isTimeGroup = (g: GroupBy): boolean => g === GroupBy.Hour || g === GroupBy.Day || g === GroupBy.Week;

/** Column groups are capped at this many entries (the first ones in their order); time buckets never are (B19). */
export const MAX_COLUMN_GROUPS = 100;
/** error_breakdown length cap. */
export const MAX_ERROR_ENTRIES = 20;
/** Default `since` of the aggregation query: now − 24 h. */
export const DEFAULT_QUERY_WINDOW_MS = 24 * 60 * 60_000;
