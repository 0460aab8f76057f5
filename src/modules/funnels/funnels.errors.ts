import { ConstraintAnswers } from '../../common/errors/db-errors';
/** Contract texts of the funnels module (SPEC §2.13, B14, B18). */
export const FunnelErrors = {
  createRequired: 'name and slug are required',
  updateRequired: 'At least one field to update is required',
  slugFormat: 'funnel slug must contain only lowercase letters, numbers, and hyphens (e.g. "onboarding")',
  slugTaken: 'A funnel with this slug already exists in this project',
  notFound: 'Funnel not found',
  onlyUsersDelete: 'Only users can delete funnels',
  since: 'since must be a valid ISO 8601 timestamp',
  until: 'until must be a valid ISO 8601 timestamp',
  appId: 'app_id must be a valid UUID',
  environment: 'environment must be one of ios, ipados, macos, android, web, backend',
  experiment: 'experiment must have the form name:variant',
  mode: 'mode must be one of closed, open',
  groupBy: 'group_by must be one of environment, app_version, experiment:<name>',
  dataMode: 'data_mode must be one of production, development, all',
  conversionWindow: 'conversion_window must be an integer between 1 and 2592000',
  conversionWindowOpen: 'conversion_window is only supported in closed mode',
} as const;

/** Unique constraints whose violation answers 409 with the contract's text (ErrorTranslationInterceptor). */
export const FUNNELS_CONSTRAINTS: ConstraintAnswers = { funnel_definitions_project_slug_key: FunnelErrors.slugTaken };
