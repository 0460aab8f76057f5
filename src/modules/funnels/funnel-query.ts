/**
 * Pure parts of the funnel query (SPEC §2.13.4, B18): parameter forms and the step analytics computed from
 * the per-step user counts the repository returns.
 */

export enum FunnelMode {
  Closed = 'closed',
  Open = 'open',
}
export const FUNNEL_MODES: readonly string[] = Object.values(FunnelMode);

/** B18: at most 30 days, in seconds. */
export const MAX_CONVERSION_WINDOW_S = 2_592_000;
/** §2.13.4: `since` defaults to the request time minus 30 days. */
export const DEFAULT_QUERY_SPAN_MS = 30 * 24 * 60 * 60_000;

export interface ExperimentFilter {
  name: string;
  variant: string;
}

/** `name:variant`, split at the first colon, both parts non-empty; null for anything else. */
export function parseExperiment(value: string): ExperimentFilter | null {
  const cut = value.indexOf(':');
  if (cut <= 0 || cut === value.length - 1) return null;
  return { name: value.slice(0, cut), variant: value.slice(cut + 1) };
}

export type FunnelGroupBy =
  { kind: 'environment'; key: string } | { kind: 'app_version'; key: string } | { kind: 'experiment'; key: string; name: string };

const EXPERIMENT_GROUP = 'experiment:';

/** `environment`, `app_version` or `experiment:<non-empty name>`; `key` echoes the value as given. */
export function parseGroupBy(value: string): FunnelGroupBy | null {
  if (value === 'environment' || value === 'app_version') return { kind: value, key: value };
  if (value.startsWith(EXPERIMENT_GROUP) && value.length > EXPERIMENT_GROUP.length) {
    return { kind: 'experiment', key: value, name: value.slice(EXPERIMENT_GROUP.length) };
  }
  return null;
}

/** Whole seconds 1–2 592 000 written as plain decimal digits ("+5", "1e3", "5.0", " 5" are refused). */
export function parseConversionWindow(value: string): number | null {
  if (!/^[0-9]{1,20}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 && n <= MAX_CONVERSION_WINDOW_S ? n : null;
}

export interface FunnelStepAnalytics {
  step_index: number;
  step_name: string;
  unique_users: number;
  percentage: number;
  drop_off_count: number;
  drop_off_percentage: number;
}

/**
 * Step analytics of §2.13.4 from `users[i]` (one count per step). Open mode may report percentages above
 * 100 and negative drop-offs; they are kept as computed (`Math.round` as in JavaScript: halves toward +∞).
 */
export function stepAnalytics(names: readonly string[], users: readonly number[]): FunnelStepAnalytics[] {
  const first = users[0] ?? 0;
  return names.map((name, i) => {
    const u = users[i] ?? 0;
    const previous = i === 0 ? 0 : (users[i - 1] ?? 0);
    const dropOff = i === 0 ? 0 : previous - u;
    return {
      step_index: i,
      step_name: name,
      unique_users: u,
      percentage: first > 0 ? Math.round((u / first) * 1000) / 10 : 0,
      drop_off_count: dropOff,
      drop_off_percentage: i === 0 || previous === 0 ? 0 : Math.round((dropOff / previous) * 1000) / 10,
    };
  });
}
