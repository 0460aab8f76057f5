/**
 * Funnel steps (SPEC §2.13.2): the pure rules a `steps` value must pass, and the one stored shape.
 * A stored step is exactly `{name, event_filter}`, and `event_filter` holds only the supplied, non-empty
 * ones of `message` and `screen_name` (in that key order) — extra keys a client sends are not kept.
 */
export interface FunnelEventFilter {
  message?: string;
  screen_name?: string;
}

export interface FunnelStep {
  name: string;
  event_filter: FunnelEventFilter;
}

export const MAX_FUNNEL_STEPS = 20;
const MAX_STEP_NAME = 255;
/** Filter fields in the order rules 7 and 9 check them, with their length caps (the ingest caps of §2.7). */
const FILTER_FIELDS = [
  ['message', 10_000],
  ['screen_name', 512],
] as const;

const FUNNEL_SLUG_RE = /^[a-z0-9-]+$/;

/** Funnel slugs: lower-case ASCII letters, digits and hyphens (length 1–255 is the DTO's rule). */
export const isFunnelSlug = (slug: string): boolean => FUNNEL_SLUG_RE.test(slug);

/** A slug that could name a stored funnel (read paths take slugs literally; anything else finds nothing). */
export const couldBeStoredSlug = (slug: string): boolean => slug.length <= 255 && isFunnelSlug(slug);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

const longerThan = (s: string, max: number): boolean => s.length > max && codePoints(s) > max;

export type StepsResult = { steps: FunnelStep[]; problem?: undefined } | { steps?: undefined; problem: string };

/**
 * Checks `steps` in the contract's order — the array rules, then every rule for `steps[0]`, then
 * `steps[1]`, … — and returns the first problem's text, or the steps in their stored shape.
 */
export function parseSteps(value: unknown): StepsResult {
  if (!Array.isArray(value) || value.length === 0) return { problem: 'steps must be a non-empty array' };
  if (value.length > MAX_FUNNEL_STEPS) return { problem: `Maximum ${MAX_FUNNEL_STEPS} steps allowed` };
  const steps: FunnelStep[] = [];
  for (let i = 0; i < value.length; i++) {
    const at = `steps[${i}]:`;
    const entry: unknown = value[i];
    if (!isObject(entry)) return { problem: `${at} must be an object` };
    const name = entry.name;
    if (typeof name !== 'string' || name === '') return { problem: `${at} name is required` };
    if (longerThan(name, MAX_STEP_NAME)) return { problem: `${at} name must be at most ${MAX_STEP_NAME} characters` };
    const filter = entry.event_filter;
    if (!isObject(filter)) return { problem: `${at} event_filter is required` };
    for (const [field] of FILTER_FIELDS) {
      const v = filter[field];
      if (v !== undefined && v !== null && typeof v !== 'string') return { problem: `${at} event_filter.${field} must be a string` };
    }
    const supplied = FILTER_FIELDS.filter(([field]) => typeof filter[field] === 'string' && filter[field] !== '');
    if (supplied.length === 0) return { problem: `${at} event_filter must have at least message or screen_name` };
    const eventFilter: FunnelEventFilter = {};
    for (const [field, max] of supplied) {
      const v = filter[field] as string;
      if (longerThan(v, max)) return { problem: `${at} event_filter.${field} must be at most ${max} characters` };
      eventFilter[field] = v;
    }
    steps.push({ name, event_filter: eventFilter });
  }
  return { steps };
}
