import { EventLevel } from './ingest-validation';

export const MAX_BATCH_SIZE = 100;
export const MAX_BUNDLE_ID_CHARS = 255;
/** B2: a client_event_id received within this window before a request makes the event a duplicate. */
export const DEDUP_WINDOW_MS = 48 * 60 * 60_000;
/** App users whose id starts with this are anonymous (§2.7), and only such ids can be claimed (§2.9). */
export const ANONYMOUS_PREFIX = 'owl_anon_';

export const EVENT_LEVELS: readonly EventLevel[] = ['info', 'debug', 'warn', 'error'];
export const EVENT_ENVIRONMENTS = ['ios', 'ipados', 'macos', 'android', 'web', 'backend'] as const;

/** §1.6 */
export enum DataMode {
  Production = 'production',
  Development = 'development',
  All = 'all',
}
export const DATA_MODES: readonly string[] = Object.values(DataMode);

/** The documentation of every `data_mode` query parameter. */
export const DATA_MODE_DOC = {
  enum: [...DATA_MODES],
  default: DataMode.Production,
  description: '`production` (the default) hides development data (sent with `is_dev: true`); `development` shows only that, `all` both.',
} as const;

/** is_dev filter of a data mode; undefined = no filter. */
export const isDevFilterOf = (mode: DataMode): boolean | undefined =>
  mode === DataMode.Production ? false : mode === DataMode.Development ? true : undefined;
