import type { SchemaObject } from '@nestjs/swagger';
import { SchemaSet, arrayOf, nullable, object, ref, stringEnum, stringMap, text, timestamp, uuid } from '../../common/openapi/schemas';
import { EVENT_ENVIRONMENTS, EVENT_LEVELS, MAX_BATCH_SIZE } from './events.constants';
import { PLATFORM_ENVIRONMENTS } from './ingest-validation';

/** Stored events and the ingest / identity-claim bodies and answers (OpenAPI). Registered by src/app.openapi.ts. */
export const EVENTS_SCHEMAS: SchemaSet = {
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
        description: `Must suit the app's platform: ${Object.entries(PLATFORM_ENVIRONMENTS)
          .map(([p, envs]) => `${p} → ${envs.join(', ')}`)
          .join('; ')}.`,
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
    description: "Send it with the app's `client_key` as Bearer token.",
    properties: {
      bundle_id: {
        type: 'string',
        maxLength: 255,
        description: "The app's `bundle_id`, exactly as registered. Required unless the key's app is a backend app.",
      },
      events: { type: 'array', minItems: 1, maxItems: MAX_BATCH_SIZE, items: ref('IngestEvent') },
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
      errors: arrayOf(
        object({ index: { type: 'integer' }, message: { type: 'string', example: 'events[1]: session_id must be a valid UUID' } }),
      ),
    },
  } satisfies SchemaObject,
  IdentityClaimResult: object({ claimed: { type: 'boolean', enum: [true] }, events_reassigned_count: { type: 'integer' } }),
};
