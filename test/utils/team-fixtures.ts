import { Session, loginAs } from './auth';
import { TestApp } from './create-test-app';

/** Team, member and invitation fixtures for the teams, invitations and audit-log suites. */

export type Role = 'owner' | 'admin' | 'member';

/** POST /v1/teams; returns the new team's id. */
export async function createTeam(t: TestApp, owner: Session, slug: string, name = `Team ${slug}`): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/teams', headers: owner.headers, payload: { name, slug } });
  if (res.statusCode !== 201) throw new Error(`create team failed: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

/** The token of the newest invitation link mailed to `email`. */
export function mailedInviteToken(t: TestApp, email: string): string {
  const match = /\/invite\/accept\?token=([0-9a-f-]{36})\b/.exec(t.sink.lastTo(email).text);
  if (!match) throw new Error(`no invitation link in the mail to ${email}`);
  return match[1];
}

/** POST /v1/teams/:teamId/invitations; returns the invitation and the mailed token. */
export async function invite(
  t: TestApp,
  inviter: Session,
  teamId: string,
  email: string,
  role?: Role,
): Promise<{ id: string; token: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/teams/${teamId}/invitations`,
    headers: inviter.headers,
    payload: role ? { email, role } : { email },
  });
  if (res.statusCode !== 201) throw new Error(`invite failed: ${res.statusCode} ${res.body}`);
  return { id: res.json().id, token: mailedInviteToken(t, email) };
}

/** Brings `invitee` into the team with `role` through the public flow: invitation mail, then accept. */
export async function joinTeam(t: TestApp, inviter: Session, teamId: string, invitee: Session, role: Role): Promise<void> {
  const { token } = await invite(t, inviter, teamId, invitee.email, role);
  const res = await t.app.inject({ method: 'POST', url: '/v1/invites/accept', headers: invitee.headers, payload: { token } });
  if (res.statusCode !== 200) throw new Error(`accept failed: ${res.statusCode} ${res.body}`);
}

/** GET /v1/auth/whoami with a key: 200 while it works, 401 once revoked. */
export async function keyStatus(t: TestApp, key: string): Promise<{ status: number; body: unknown }> {
  const res = await t.app.inject({ method: 'GET', url: '/v1/auth/whoami', headers: { authorization: `Bearer ${key}` } });
  return { status: res.statusCode, body: res.json() };
}

export interface AuditRow {
  actor_type: string;
  actor_id: string;
  action: string;
  resource_type: string;
  resource_id: string;
  changes: unknown;
  metadata: unknown;
}

/** Every audit entry of a team straight from the table, oldest first (for teams nobody can read any more). */
export async function auditRows(t: TestApp, teamId: string): Promise<AuditRow[]> {
  return t.ds.query(
    `SELECT actor_type, actor_id, action, resource_type, resource_id, changes, metadata
       FROM audit_logs WHERE team_id = $1 ORDER BY "timestamp" ASC, id ASC`,
    [teamId],
  );
}

/** A team "acme" with an owner, an admin and a member (all signed in through the API), plus a user of another team. */
export interface Crew {
  owner: Session;
  admin: Session;
  member: Session;
  outsider: Session;
  teamId: string;
}

export async function buildCrew(t: TestApp): Promise<Crew> {
  const owner = await loginAs(t, 'owner@example.com');
  const admin = await loginAs(t, 'admin@example.com');
  const member = await loginAs(t, 'member@example.com');
  const outsider = await loginAs(t, 'outsider@example.com');
  const teamId = await createTeam(t, owner, 'acme', 'Acme');
  await joinTeam(t, owner, teamId, admin, 'admin');
  await joinTeam(t, owner, teamId, member, 'member');
  return { owner, admin, member, outsider, teamId };
}
