import { ConstraintAnswers } from '../../common/errors/db-errors';
/** Contract texts of the metrics feature (SPEC §2.12), shared by the code and the tests. */
export const MetricErrors = {
  notFound: 'Metric not found',
  createRequired: 'name and slug are required',
  slugFormat: 'metric slug must contain only lowercase letters, numbers, and hyphens (e.g. "onboarding")',
  slugTaken: 'A metric with this slug already exists in this project',
  updateRequired: 'At least one field to update is required',
  status: 'status must be one of active, paused',
  onlyUsersDelete: 'Only users can delete metrics',
  phase: 'phase must be one of start, complete, fail, cancel, record',
  trackingIdUuid: 'tracking_id must be a valid UUID',
  appIdUuid: 'app_id must be a valid UUID',
  environment: 'environment must be one of ios, ipados, macos, android, web, backend',
  since: 'since must be a valid ISO 8601 timestamp',
  until: 'until must be a valid ISO 8601 timestamp',
  dataMode: 'data_mode must be one of production, development, all',
  invalidCursor: 'Invalid cursor',
  groupBy: (value: string): string => `Invalid group_by value: ${value}`,
  tz: 'tz must be a valid IANA time zone',
} as const;

/** Unique constraints whose violation answers 409 with the contract's text (ErrorTranslationInterceptor). */
export const METRICS_CONSTRAINTS: ConstraintAnswers = { metric_definitions_project_slug_key: MetricErrors.slugTaken };
