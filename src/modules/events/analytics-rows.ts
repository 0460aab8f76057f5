/**
 * Which stored events also become metric rows (SPEC §2.12.6) or funnel rows (§2.13.5), and with which derived
 * fields. Pure; the ingest statement (EventsRepository.insertEvents) writes the rows in the same statement as
 * the events (B15). The metrics and funnels modules only read those rows.
 */

export const METRIC_PHASES = ['start', 'complete', 'fail', 'cancel', 'record'] as const;
export type MetricPhase = (typeof METRIC_PHASES)[number];

const METRIC_PREFIX = 'metric:';
export const FUNNEL_PREFIX = 'track:';
const SLUG = /^[a-z0-9-]{1,255}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DURATION = /^([0-9]+)(\.[0-9]+)?$/;
const MAX_INT32 = 2_147_483_647;
const PHASES: ReadonlySet<string> = new Set(METRIC_PHASES);

/** The fields of a metric row that come from the message and the attributes (rule 4 of §2.12.6). */
export interface MetricFields {
  slug: string;
  phase: MetricPhase;
  trackingId: string | null;
  durationMs: number | null;
  error: string | null;
}

/**
 * `metric:<slug>:<phase>`, split at the last colon; null for any message that is not a metric message
 * (the event itself is stored as usual).
 */
export function parseMetricMessage(message: string): { slug: string; phase: MetricPhase } | null {
  if (!message.startsWith(METRIC_PREFIX)) return null;
  const rest = message.slice(METRIC_PREFIX.length);
  const cut = rest.lastIndexOf(':');
  if (cut < 0) return null;
  const slug = rest.slice(0, cut);
  const phase = rest.slice(cut + 1);
  if (!SLUG.test(slug) || !PHASES.has(phase)) return null;
  return { slug, phase: phase as MetricPhase };
}

/**
 * `duration_ms` attribute → integer milliseconds: digits with an optional fraction, truncated; anything else
 * (negative, units, empty) or a value above 2^31 − 1 → null. `"0"` stays 0 (B15).
 */
export function parseDurationMs(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = DURATION.exec(value);
  if (!m) return null;
  const n = Number(m[1]);
  return n <= MAX_INT32 ? n : null;
}

/** A metric row's derived fields, or null when the message is not a metric message. */
export function metricFieldsOf(message: string, attributes: Record<string, string> | null): MetricFields | null {
  const parsed = parseMetricMessage(message);
  if (!parsed) return null;
  const tracking = attributes?.tracking_id;
  const error = attributes?.error;
  return {
    ...parsed,
    trackingId: tracking !== undefined && UUID.test(tracking) ? tracking.toLowerCase() : null,
    durationMs: parseDurationMs(attributes?.duration_ms),
    error: error !== undefined && error !== '' ? error : null,
  };
}

/** `track:` followed by at least one character makes a funnel row; its step name is the rest. */
export const isFunnelMessage = (message: string): boolean => message.length > FUNNEL_PREFIX.length && message.startsWith(FUNNEL_PREFIX);
