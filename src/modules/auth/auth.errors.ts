/** Contract texts of the auth module (SPEC §1.4, §2.1, §2.2). */
export const AuthErrors = {
  missingAuthorization: 'Missing authorization',
  invalidAuthorizationFormat: 'Invalid authorization format',
  invalidApiKey: 'Invalid API key',
  apiKeyExpired: 'API key expired',
  invalidToken: 'Invalid or expired token',
  validEmailRequired: 'Valid email is required',
  tooManyCodes: 'Too many verification codes requested. Try again later.',
  sendFailed: 'Failed to send email',
  emailAndCodeRequired: 'email and code required',
  invalidCode: 'Invalid or expired code',
  /** GET /metrics with METRICS_TOKEN set and a missing or wrong bearer token. */
  invalidMetricsToken: 'Invalid metrics token',
  noTeamMembership: 'User has no team membership',
  multipleTeams: 'Multiple teams found. Specify team_id.',
  userNotFound: 'User not found',
  apiKeyNotFound: 'API key not found',
  appNotFound: 'App not found',
} as const;

export const TOKEN_COOKIE = 'token';
export const SESSION_TTL_SECONDS = 7 * 24 * 60 * 60;
export const CLI_AGENT_KEY_NAME = 'CLI Agent Key';
