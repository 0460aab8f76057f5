import { SchemaSet, arrayOf, object, ref, text, timestamp, uuid } from '../../common/openapi/schemas';

const projectFields = { id: uuid, team_id: uuid, name: text, slug: text, created_at: timestamp };

/** Projects (OpenAPI). Registered by src/app.openapi.ts. */
export const PROJECTS_SCHEMAS: SchemaSet = {
  Project: object(projectFields),
  ProjectDetails: object({ ...projectFields, apps: arrayOf(ref('App')) }, 'A project with its live apps (created_at ascending).'),
};
