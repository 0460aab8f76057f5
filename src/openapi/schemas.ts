import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { ApiKeyType, Permission } from '../common/auth/permission';
import { TEAM_ROLES } from '../common/auth/team-role';
import { APP_PLATFORMS } from '../modules/apps/entities/app.entity';
import { AuditAction, AuditResource } from '../modules/audit/audit.types';
import { EVENT_ENVIRONMENTS, EVENT_LEVELS, MAX_BATCH_SIZE } from '../modules/events/events.constants';
import { PLATFORM_ENVIRONMENTS } from '../modules/events/ingest-validation';

/**
 * JSON schemas of the shared objects and the other answer shapes, registered once as `components.schemas`
 * and referenced by name from the controllers (`@ApiOk('App')`). Every field of an answer is always present
 * (absent values are `null`), so every property is listed as required; nullable ones say so.
 */
export type Schema = SchemaObject | ReferenceObject;

const schemaRef = (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });

const uuid: SchemaObject = { type: 'string', format: 'uuid' };
const timestamp: SchemaObject = { type: 'string', format: 'date-time', example: '2024-03-08T14:22:05.417Z' };
const text: SchemaObject = { type: 'string' };
const nullable = (s: SchemaObject): SchemaObject => ({ ...s, nullable: true });
const arrayOf = (items: Schema): SchemaObject => ({ type: 'array', items });
const stringEnum = (values: readonly string[]): SchemaObject => ({ type: 'string', enum: [...values] });
const stringMap: SchemaObject = { type: 'object', additionalProperties: { type: 'string' } };

/** An object whose properties are all always present. */
export const object = (properties: Record<string, Schema>, description?: string): SchemaObject => ({
  type: 'object',
  ...(description ? { description } : {}),
  required: Object.keys(properties),
  properties,
});

const role = stringEnum(TEAM_ROLES);
const permissions = arrayOf(stringEnum(Object.values(Permission)));

const teamFields = { id: uuid, name: text, slug: text, created_at: timestamp, updated_at: timestamp };
const projectFields = { id: uuid, team_id: uuid, name: text, slug: text, created_at: timestamp };
const invitedBy = object({ user_id: uuid, name: text, email: { type: 'string', format: 'email' } });

const COMPONENTS = {
  ErrorResponse: object({ error: { type: 'string', example: 'Not found' } }, 'Every non-2xx answer: one `error` text, nothing else.'),
  MultipleTeamsError: object(
    { error: { type: 'string', enum: ['Multiple teams found. Specify team_id.'] }, teams: arrayOf(schemaRef('TeamMembership')) },
    'agent-login without team_id for a user in several teams (the one extension of the error envelope).',
  ),
  User: object({ id: uuid, email: { type: 'string', format: 'email' }, name: text, created_at: timestamp, updated_at: timestamp }),
  TeamMembership: object({ id: uuid, name: text, slug: text, role }, 'A team as seen by one member.'),
  TeamSummary: object({ id: uuid, name: text, slug: text }),
  Team: object(teamFields),
  TeamDetails: object({ ...teamFields, members: arrayOf(schemaRef('Member')), pending_invitations: arrayOf(schemaRef('Invitation')) }),
  Member: object({ user_id: uuid, email: { type: 'string', format: 'email' }, name: text, role, joined_at: timestamp }),
  MemberAgentKey: object({ id: uuid, name: text, key_prefix: text, permissions, created_at: timestamp }),
  Invitation: object({
    id: uuid,
    team_id: uuid,
    email: { type: 'string', format: 'email' },
    role,
    invited_by: invitedBy,
    expires_at: timestamp,
    accepted_at: nullable(timestamp),
    created_at: timestamp,
  }),
  PublicInvitation: object({
    team_name: text,
    team_slug: text,
    role,
    email: { type: 'string', format: 'email' },
    invited_by_name: text,
    expires_at: timestamp,
  }),
  AcceptedInvitation: object({ team_id: uuid, team_name: text, role }, '`role` is the caller\'s role in the team afterwards.'),
  Project: object(projectFields),
  ProjectDetails: object({ ...projectFields, apps: arrayOf(schemaRef('App')) }, 'A project with its live apps (created_at ascending).'),
  App: object({
    id: uuid,
    team_id: uuid,
    project_id: uuid,
    name: text,
    platform: stringEnum(APP_PLATFORMS),
    bundle_id: nullable({ type: 'string', description: 'Always null for backend apps.' }),
    client_key: { type: 'string', description: 'The app\'s own client key (`owl_client_…`), in full: unlike other API keys it is not a secret, it ships inside the app and is what the SDKs send to `POST /v1/ingest`.', example: 'owl_client_3b9c6f1e2a7d4c5b8e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b' },
    created_at: timestamp,
  }),
  AppUser: object({
    id: uuid,
    app_id: uuid,
    user_id: text,
    is_anonymous: { type: 'boolean' },
    claimed_from: nullable(arrayOf(text)),
    first_seen_at: timestamp,
    last_seen_at: timestamp,
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
      created_by_email: { type: 'string', format: 'email' },
      permissions,
      created_at: timestamp,
      updated_at: timestamp,
      last_used_at: nullable(timestamp),
      expires_at: nullable(timestamp),
    },
    'Never contains the secret or its hash.',
  ),
  CreatedApiKey: object(
    { key: { type: 'string', description: 'The full secret, shown only in this answer.', example: 'owl_agent_<48 hex>' }, api_key: schemaRef('ApiKey') },
  ),
  Event: object({
    id: uuid,
    app_id: uuid,
    client_event_id: nullable(uuid),
    session_id: uuid,
    user_id: nullable(text),
    api_key_id: nullable(uuid),
    level: stringEnum(EVENT_LEVELS),
    source_module: nullable(text),
    message: text,
    screen_name: nullable(text),
    custom_attributes: nullable(stringMap),
    environment: nullable(stringEnum(EVENT_ENVIRONMENTS)),
    os_version: nullable(text),
    app_version: nullable(text),
    build_number: nullable(text),
    device_model: nullable(text),
    locale: nullable(text),
    is_dev: { type: 'boolean' },
    experiments: nullable(stringMap),
    timestamp,
    received_at: timestamp,
  }),
  AuditLog: object({
    id: uuid,
    team_id: uuid,
    actor_type: stringEnum(['user', 'api_key', 'system']),
    actor_id: text,
    action: stringEnum(Object.values(AuditAction)),
    resource_type: stringEnum(Object.values(AuditResource)),
    resource_id: text,
    changes: nullable({
      type: 'object',
      description: '`{field: {"before": …, "after": …}}` for updates.',
      additionalProperties: { type: 'object', properties: { before: {}, after: {} } },
    }),
    metadata: nullable({ type: 'object', additionalProperties: true }),
    timestamp,
  }),
  Session: object({ token: text, user: schemaRef('User'), teams: arrayOf(schemaRef('TeamMembership')), is_new_user: { type: 'boolean' } }),
  AgentLogin: object({ api_key: { type: 'string', example: 'owl_agent_<48 hex>' }, team: schemaRef('TeamSummary') }),
  WhoamiUser: object({ type: stringEnum(['user']), email: { type: 'string', format: 'email' }, teams: arrayOf(schemaRef('TeamMembership')) }),
  WhoamiApiKey: object({
    type: stringEnum(['api_key']),
    key_type: stringEnum([ApiKeyType.Client, ApiKeyType.Agent]),
    team: { allOf: [schemaRef('TeamSummary')], nullable: true },
    permissions,
  }),
  IngestEvent: {
    type: 'object',
    required: ['session_id', 'level', 'message'],
    properties: {
      client_event_id: {
        ...uuid,
        description:
          'Set by the SDKs to make retries safe: an event whose `client_event_id` this app already sent in the last 48 hours is ' +
          'dropped silently (counted neither as accepted nor as rejected).',
      },
      session_id: { ...uuid, description: 'One id per app launch (or backend process); groups the events of a session.' },
      user_id: {
        type: 'string',
        maxLength: 512,
        description: 'Your user id, or an anonymous id starting with `owl_anon_` (link it later with `POST /v1/identity/claim`).',
      },
      level: { ...stringEnum(EVENT_LEVELS), example: 'info' },
      message: { type: 'string', minLength: 1, maxLength: 10_000, description: 'What happened; `track:<name>` marks a funnel step.' },
      source_module: { type: 'string', maxLength: 512 },
      screen_name: { type: 'string', maxLength: 512 },
      custom_attributes: {
        type: 'object',
        maxProperties: 50,
        description: 'Values: string, number, boolean or null; stored as strings cut to 200 characters.',
        additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }], nullable: true },
      },
      environment: {
        ...stringEnum(EVENT_ENVIRONMENTS),
        description: `Must suit the app's platform: ${Object.entries(PLATFORM_ENVIRONMENTS).map(([p, envs]) => `${p} → ${envs.join(', ')}`).join('; ')}.`,
      },
      os_version: { type: 'string', maxLength: 512 },
      app_version: { type: 'string', maxLength: 512 },
      build_number: { type: 'string', maxLength: 512 },
      device_model: { type: 'string', maxLength: 512 },
      locale: { type: 'string', maxLength: 512 },
      is_dev: {
        type: 'boolean',
        default: false,
        description: 'A development build. Such events are hidden by the read endpoints unless `data_mode=development` or `all`.',
      },
      experiments: { type: 'object', maxProperties: 50, additionalProperties: { type: 'string', maxLength: 512 } },
      timestamp: { ...timestamp, description: 'When it happened. Default: receive time. At most 5 minutes ahead, at most 30 days old.' },
    },
  } satisfies SchemaObject,
  IngestRequest: {
    type: 'object',
    required: ['events'],
    description: 'Send it with the app\'s `client_key` as Bearer token.',
    properties: {
      bundle_id: {
        type: 'string',
        maxLength: 255,
        description: 'The app\'s `bundle_id`, exactly as registered. Required unless the key\'s app is a backend app.',
      },
      events: { type: 'array', minItems: 1, maxItems: MAX_BATCH_SIZE, items: schemaRef('IngestEvent') },
    },
    // No `timestamp` (the receive time is used) and no `client_event_id` (a repeated one is dropped as a duplicate),
    // so the example can be sent again and again; `bundle_id` must be the one of your app.
    example: {
      bundle_id: 'com.acme.mobile',
      events: [
        {
          session_id: 'c7d1e9a2-4b6f-4f38-9e20-1a5c7b3d8e64',
          user_id: 'owl_anon_7QkP2v',
          level: 'info',
          message: 'track:checkout_started',
          screen_name: 'Cart',
          source_module: 'CartScreen',
          custom_attributes: { cart_items: 3, currency: 'EUR' },
          environment: 'ios',
          os_version: '18.1',
          app_version: '3.4.1',
          build_number: '311',
          device_model: 'iPhone16,1',
          locale: 'de_DE',
          experiments: { paywall: 'b' },
        },
        {
          session_id: 'c7d1e9a2-4b6f-4f38-9e20-1a5c7b3d8e64',
          user_id: 'owl_anon_7QkP2v',
          level: 'error',
          message: 'Payment sheet failed to load: timeout after 10 s',
          screen_name: 'Checkout',
          environment: 'ios',
          app_version: '3.4.1',
        },
      ],
    },
  } satisfies SchemaObject,
  IngestResult: {
    type: 'object',
    required: ['accepted', 'rejected'],
    description: '`errors` is present only when `rejected > 0`.',
    properties: {
      accepted: { type: 'integer' },
      rejected: { type: 'integer' },
      errors: arrayOf(object({ index: { type: 'integer' }, message: { type: 'string', example: 'events[1]: session_id must be a valid UUID' } })),
    },
  } satisfies SchemaObject,
  IdentityClaimResult: object({ claimed: { type: 'boolean', enum: [true] }, events_reassigned_count: { type: 'integer' } }),
  Deleted: object({ deleted: { type: 'boolean', enum: [true] } }),
  Status: object({ status: stringEnum(['ok']) }),
} satisfies Record<string, SchemaObject>;

export type SchemaName = keyof typeof COMPONENTS;

export const componentSchemas: Record<SchemaName, SchemaObject> = COMPONENTS;

export const ref = (name: SchemaName): ReferenceObject => schemaRef(name);

/** `{"<key>": [<name>]}` — the un-paginated list answers. */
export const listOf = (key: string, name: SchemaName): SchemaObject => object({ [key]: arrayOf(ref(name)) });

/** `{"<key>": <name>}` */
export const wrapped = (key: string, name: SchemaName): SchemaObject => object({ [key]: ref(name) });

/** The cursor pages of §1.5. */
export const pageOf = (key: string, name: SchemaName): SchemaObject =>
  object({
    [key]: arrayOf(ref(name)),
    cursor: nullable({ type: 'string', description: 'Opaque; pass it back as `cursor` for the next page.' }),
    has_more: { type: 'boolean' },
  });
