import { SchemaSet, email, object, timestamp, text, uuid } from '../../common/openapi/schemas';

/** The users' answer shapes (OpenAPI). Registered by src/app.openapi.ts. */
export const USERS_SCHEMAS: SchemaSet = {
  User: object({ id: uuid, email, name: text, created_at: timestamp, updated_at: timestamp }),
};
