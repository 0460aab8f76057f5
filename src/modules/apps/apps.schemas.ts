import { SchemaSet, arrayOf, nullable, object, stringEnum, text, timestamp, uuid } from '../../common/openapi/schemas';
import { APP_PLATFORMS } from './entities/app.entity';

/** Apps and app users (OpenAPI). Registered by src/app.openapi.ts. */
export const APPS_SCHEMAS: SchemaSet = {
  App: object({
    id: uuid,
    team_id: uuid,
    project_id: uuid,
    name: text,
    platform: stringEnum(APP_PLATFORMS),
    bundle_id: nullable({ type: 'string', description: 'Always null for backend apps.' }),
    client_key: {
      type: 'string',
      description:
        "The app's own client key (`owl_client_…`), in full: unlike other API keys it is not a secret, it ships inside the app and is what the SDKs send to `POST /v1/ingest`.",
      example: 'owl_client_3b9c6f1e2a7d4c5b8e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b',
    },
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
};
