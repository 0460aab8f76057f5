import type { TagObject } from '@nestjs/swagger';
import type { OpenApiOptions } from './common/openapi/openapi';
import { COMMON_SCHEMAS, mergeSchemas } from './common/openapi/schemas';
import { APPS_SCHEMAS } from './modules/apps/apps.schemas';
import { AUDIT_SCHEMAS } from './modules/audit/audit.schemas';
import { AUTH_SCHEMAS } from './modules/auth/auth.schemas';
import { AuthErrors } from './modules/auth/auth.errors';
import { EVENTS_SCHEMAS } from './modules/events/events.schemas';
import { INVITATIONS_SCHEMAS } from './modules/invitations/invitations.schemas';
import { PROJECTS_SCHEMAS } from './modules/projects/projects.schemas';
import { NOT_A_MEMBER } from './modules/teams/team-access.service';
import { TEAMS_SCHEMAS } from './modules/teams/teams.schemas';
import { USERS_SCHEMAS } from './modules/users/users.schemas';

/**
 * What the OpenAPI document (src/common/openapi) needs from the feature modules, gathered at the top of the
 * graph so that common code imports none of them: the named schemas each module owns, the texts of the access
 * steps the auth and teams modules own, and the order of the documentation page's groups.
 */

/**
 * The groups of the documentation page, in the order a new user meets them: sign in, set up a project and an
 * app, send events with the app's client key, read them back. Operations are listed in this order (and, within a
 * group, in the order their controllers declare them); a tag not listed here comes last.
 */
const OPENAPI_TAGS: readonly TagObject[] = [
  {
    name: 'Auth',
    description:
      'Sign in with an emailed code: `send-code`, then `verify-code` (a session JWT, also set as the `token` cookie; a new ' +
      'user gets a personal team), or `agent-login` for an agent key (CLI). Then `whoami` tells who is calling.',
  },
  { name: 'Teams', description: 'Teams and their members. Every user has a personal team from the first sign-in.' },
  { name: 'Projects', description: 'A project groups the apps of one product inside a team.' },
  { name: 'Apps', description: 'An app (apple, android, web or backend) has a `client_key` that its SDK sends events with.' },
  { name: 'API keys', description: 'Agent keys (CLI, automation) and client keys (SDKs).' },
  { name: 'Ingest', description: "What the SDKs call, with an app's `client_key`: event batches and identity claims." },
  {
    name: 'Events',
    description:
      'Read stored events. `data_mode` defaults to `production`: events sent with `is_dev: true` are hidden unless ' +
      '`data_mode=development` or `data_mode=all` is given.',
  },
  { name: 'Metrics', description: 'Metric definitions, their raw rows and aggregations.' },
  { name: 'Funnels', description: 'Funnel definitions and unique users per step.' },
  { name: 'Invitations', description: 'Invite people to a team by email; they accept with the emailed token.' },
  { name: 'Audit logs', description: 'Who changed what in a team.' },
  { name: 'Operations', description: 'Health, readiness and Prometheus metrics (no `/v1` prefix).' },
];

export const OPENAPI_OPTIONS: OpenApiOptions = {
  tags: OPENAPI_TAGS,
  schemas: mergeSchemas(
    COMMON_SCHEMAS,
    USERS_SCHEMAS,
    TEAMS_SCHEMAS,
    INVITATIONS_SCHEMAS,
    PROJECTS_SCHEMAS,
    APPS_SCHEMAS,
    AUTH_SCHEMAS,
    EVENTS_SCHEMAS,
    AUDIT_SCHEMAS,
  ),
  accessTexts: {
    unauthenticated: [
      AuthErrors.missingAuthorization,
      AuthErrors.invalidAuthorizationFormat,
      AuthErrors.invalidApiKey,
      AuthErrors.apiKeyExpired,
      AuthErrors.invalidToken,
    ],
    notAMember: NOT_A_MEMBER,
  },
};
