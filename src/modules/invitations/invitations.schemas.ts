import { SchemaSet, arrayOf, email, nullable, object, ref, role, text, timestamp, uuid } from '../../common/openapi/schemas';
import { TEAM_FIELDS } from '../teams/teams.schemas';

const invitedBy = object({ user_id: uuid, name: text, email });

/** Invitations and the team details that list them (OpenAPI). Registered by src/app.openapi.ts. */
export const INVITATIONS_SCHEMAS: SchemaSet = {
  TeamDetails: object({ ...TEAM_FIELDS, members: arrayOf(ref('Member')), pending_invitations: arrayOf(ref('Invitation')) }),
  Invitation: object({
    id: uuid,
    team_id: uuid,
    email,
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
    email,
    invited_by_name: text,
    expires_at: timestamp,
  }),
  AcceptedInvitation: object({ team_id: uuid, team_name: text, role }, "`role` is the caller's role in the team afterwards."),
};
