import { SchemaSet, email, object, permissions, role, text, timestamp, uuid } from '../../common/openapi/schemas';

/** The fields of a team answer, which TeamDetails (invitations) extends. */
export const TEAM_FIELDS = { id: uuid, name: text, slug: text, created_at: timestamp, updated_at: timestamp };

/** Teams, memberships and members (OpenAPI); `teamFields` is shared with invitations' TeamDetails. Registered by src/app.openapi.ts. */
export const TEAMS_SCHEMAS: SchemaSet = {
  TeamMembership: object({ id: uuid, name: text, slug: text, role }, 'A team as seen by one member.'),
  TeamSummary: object({ id: uuid, name: text, slug: text }),
  Team: object(TEAM_FIELDS),
  Member: object({ user_id: uuid, email, name: text, role, joined_at: timestamp }),
  MemberAgentKey: object({ id: uuid, name: text, key_prefix: text, permissions, created_at: timestamp }),
};
