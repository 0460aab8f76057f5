import { TestApp } from './create-test-app';
import { AppResponse } from '../../src/modules/apps/apps.mapper';
import { ProjectResponse } from '../../src/modules/projects/projects.mapper';
import { Session } from './auth';

/** Fixtures for projects and apps, created through the public API (fail loudly when the API refuses). */

/** Wire shapes as the API answers them (the mappers' response types). */
export type ProjectBody = ProjectResponse;
export type AppBody = AppResponse;

let counter = 0;
const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export async function postProject(
  t: TestApp,
  who: { headers: { authorization: string }; teamId?: string },
  body: { team_id?: string; name?: string; slug?: string } = {},
): Promise<ProjectBody> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/projects',
    headers: who.headers,
    payload: { team_id: who.teamId, name: 'Project', slug: unique('p'), ...body },
  });
  if (res.statusCode !== 201) throw new Error(`create project failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function postApp(
  t: TestApp,
  who: { headers: { authorization: string } },
  projectId: string,
  body: { name?: string; platform?: string; bundle_id?: string } = {},
): Promise<AppBody> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/apps',
    headers: who.headers,
    payload: { name: 'App', platform: 'apple', bundle_id: 'com.example.app', project_id: projectId, ...body },
  });
  if (res.statusCode !== 201) throw new Error(`create app failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Puts a user into a team with a role, straight in the database (the invitation flow is tested elsewhere). */
export async function addMember(t: TestApp, teamId: string, member: Session, role: 'owner' | 'admin' | 'member'): Promise<void> {
  await t.ds.query(`INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES ($1, $2, $3, now())`, [
    teamId,
    member.userId,
    role,
  ]);
}

/**
 * Audit entries about one resource, oldest first, read through `GET /v1/teams/:teamId/audit-logs` as the
 * team's owner; `id` and `timestamp` are checked for shape and left out so tests can compare the rest.
 */
export async function auditRows(t: TestApp, owner: Session, resourceId: string): Promise<Record<string, unknown>[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/teams/${owner.teamId}/audit-logs?resource_id=${resourceId}&limit=200`,
    headers: owner.headers,
  });
  if (res.statusCode !== 200) throw new Error(`audit log read failed: ${res.statusCode} ${res.body}`);
  const entries: Record<string, unknown>[] = res.json().audit_logs;
  return entries.reverse().map(({ id, timestamp, ...rest }) => {
    if (typeof id !== 'string' || typeof timestamp !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(timestamp)) {
      throw new Error(`malformed audit entry: ${JSON.stringify({ id, timestamp })}`);
    }
    return rest;
  });
}
