import { ApiKeyType } from '../../common/auth/permission';
import {
  SchemaSet,
  arrayOf,
  email,
  nullable,
  object,
  permissions,
  ref,
  stringEnum,
  text,
  timestamp,
  uuid,
} from '../../common/openapi/schemas';
import { AuthErrors } from './auth.errors';

/** Sign-in, whoami and API-key answers (OpenAPI). Registered by src/app.openapi.ts. */
export const AUTH_SCHEMAS: SchemaSet = {
  MultipleTeamsError: object(
    { error: { type: 'string', enum: [AuthErrors.multipleTeams] }, teams: arrayOf(ref('TeamMembership')) },
    'agent-login without team_id for a user in several teams (the one extension of the error envelope).',
  ),
  Session: object({ token: text, user: ref('User'), teams: arrayOf(ref('TeamMembership')), is_new_user: { type: 'boolean' } }),
  AgentLogin: object({ api_key: { type: 'string', example: 'owl_agent_<48 hex>' }, team: ref('TeamSummary') }),
  WhoamiUser: object({ type: stringEnum(['user']), email, teams: arrayOf(ref('TeamMembership')) }),
  WhoamiApiKey: object({
    type: stringEnum(['api_key']),
    key_type: stringEnum([ApiKeyType.Client, ApiKeyType.Agent]),
    team: { allOf: [ref('TeamSummary')], nullable: true },
    permissions,
  }),
  ApiKey: object(
    {
      id: uuid,
      key_prefix: { type: 'string', example: 'owl_agent_9f2e1d' },
      key_type: stringEnum([ApiKeyType.Client, ApiKeyType.Agent]),
      app_id: nullable(uuid),
      app_name: nullable(text),
      team_id: uuid,
      name: text,
      created_by: uuid,
      created_by_email: email,
      permissions,
      created_at: timestamp,
      updated_at: timestamp,
      last_used_at: nullable(timestamp),
      expires_at: nullable(timestamp),
    },
    'Never contains the secret or its hash.',
  ),
  CreatedApiKey: object({
    key: { type: 'string', description: 'The full secret, shown only in this answer.', example: 'owl_agent_<48 hex>' },
    api_key: ref('ApiKey'),
  }),
};
