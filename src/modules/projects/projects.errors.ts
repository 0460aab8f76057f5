import { ConstraintAnswers } from '../../common/errors/db-errors';
/** Contract texts of the projects module (SPEC §2.5). */
export const ProjectErrors = {
  createRequired: 'team_id, name, and slug are required',
  slugFormat: 'slug must contain only lowercase letters, numbers, and hyphens',
  slugTaken: 'A project with this slug already exists in your team',
  notFound: 'Project not found',
  updateRequired: 'At least one field to update is required',
  teamIdUuid: 'team_id must be a valid UUID',
  onlyUsersDelete: 'Only users can delete projects',
} as const;

/** Unique constraints whose violation answers 409 with the contract's text (ErrorTranslationInterceptor). */
export const PROJECTS_CONSTRAINTS: ConstraintAnswers = { projects_team_slug_key: ProjectErrors.slugTaken };
