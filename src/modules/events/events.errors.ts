import { MAX_FIELD_CHARS } from './ingest-validation';

/** Fixed error texts of §2.7–§2.9, shared by the code and the tests. */
export const IngestErrors = {
  eventsRequired: 'events array is required',
  batchTooLarge: 'Maximum batch size is 100',
  keyNotScoped: 'API key must be scoped to an app',
  appGone: 'App associated with this API key no longer exists',
  bundleIdRequired: 'bundle_id is required',
  bundleIdTooLong: 'bundle_id must be at most 255 characters',
  bundleIdMismatch: 'bundle_id does not match the app associated with this API key',
  /** 503 with Retry-After when the write queue is full (the SDK retries; dedup keeps retries exact). */
  serverBusy: 'Server busy',
} as const;

export const EventQueryErrors = {
  notFound: 'Event not found',
  invalidCursor: 'Invalid cursor',
  level: 'level must be one of info, debug, warn, error',
  environment: 'environment must be one of ios, ipados, macos, android, web, backend',
  since: 'since must be a valid ISO 8601 timestamp',
  until: 'until must be a valid ISO 8601 timestamp',
  dataMode: 'data_mode must be one of production, development, all',
} as const;

export const ClaimErrors = {
  anonymousIdRequired: 'anonymous_id is required',
  userIdRequired: 'user_id is required',
  anonymousPrefix: 'anonymous_id must start with "owl_anon_"',
  userIdAnonymous: 'user_id must not start with anonymous prefix',
  tooLong: (field: 'anonymous_id' | 'user_id'): string => `${field} must be at most ${MAX_FIELD_CHARS} characters`,
  clientKeyNotScoped: 'Client key must be scoped to an app',
  noEvents: 'No events found for this anonymous_id',
} as const;
