import { TestApp } from './create-test-app';
import { Session } from './auth';

/** Fixtures for projects and apps, created through the public API (fail loudly when the API refuses). */

export interface ProjectBody {
  id: string;
  team_id: string;
  name: string;
  slug: string;
  created_at: string;
}

export interface AppBody {
  id: string;
  team_id: string;
  project_id: string;
  name: string;
  platform: string;
  bundle_id: string | null;
  client_key: string;
  created_at: string;
}

let counter = 0;
const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export async function createProject(
  t: TestApp,
  who: { headers: { authorization: string }; teamId?: string },
  body: { team_id?: string; name?: string; slug?: string } = {},
): Promise<ProjectBody> {
  const res = await t.app.inject({
    method: 'POST', url: '/v1/projects', headers: who.headers,
    payload: { team_id: who.teamId, name: 'Project', slug: unique('p'), ...body },
  });
  if (res.statusCode !== 201) throw new Error(`create project failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function createApp(
  t: TestApp,
  who: { headers: { authorization: string } },
  projectId: string,
  body: { name?: string; platform?: string; bundle_id?: string } = {},
): Promise<AppBody> {
  const res = await t.app.inject({
    method: 'POST', url: '/v1/apps', headers: who.headers,
    payload: { name: 'App', platform: 'apple', bundle_id: 'com.example.app', project_id: projectId, ...body },
  });
  if (res.statusCode !== 201) throw new Error(`create app failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Puts a user into a team with a role, straight in the database (the invitation flow is tested elsewhere). */
export async function addMember(t: TestApp, teamId: string, member: Session, role: 'owner' | 'admin' | 'member'): Promise<void> {
  await t.ds.query(`INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES ($1, $2, $3, now())`, [teamId, member.userId, role]);
}

/** Audit entries of a team for one resource, oldest first, as stored. */
export async function auditRows(t: TestApp, resourceId: string): Promise<Record<string, unknown>[]> {
  return t.ds.query(
    `SELECT team_id, actor_type, actor_id, action, resource_type, resource_id, changes, metadata
       FROM audit_logs WHERE resource_id = $1 ORDER BY "timestamp", id`,
    [resourceId],
  );
}
