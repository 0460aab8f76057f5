/** Contract texts of the apps module (SPEC §2.6). */
export const AppErrors = {
  createRequired: 'name, platform, and project_id are required',
  invalidPlatform: 'Invalid platform. Must be one of: apple, android, web, backend',
  bundleIdRequired: 'bundle_id is required for non-backend platforms',
  notFound: 'App not found',
  updateRequired: 'At least one field to update is required',
  teamIdUuid: 'team_id must be a valid UUID',
  onlyUsersDelete: 'Only users can delete apps',
  isAnonymous: 'is_anonymous must be true or false',
  invalidCursor: 'Invalid cursor',
} as const;
