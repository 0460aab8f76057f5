import { RetentionService } from '../../src/modules/retention/retention.service';
import { AppFixture, insertApp } from '../factories/apps.factory';
import { anEvent, ingestOk } from '../factories/events.factory';
import { Session, postKey, loginAs } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';
import { createTeam, invite } from '../utils/team-fixtures';

/**
 * The cascades module's use cases: what a team or project deletion, a slug-reuse purge and the retention purge
 * reach — every module below them, in one transaction with one timestamp.
 */
describe('cascades', () => {
  const t = useTestApp();
  let owner: Session;

  beforeEach(async () => {
    await t.reset();
    owner = await loginAs(t, 'owner@example.com');
  });

  const count = async (sql: string, params: unknown[] = []): Promise<number> => (await t.ds.query(sql, params))[0].n;
  const deletedAt = async (table: string, id: string): Promise<string | null> =>
    ((await t.ds.query(`SELECT deleted_at FROM ${table} WHERE id = $1`, [id]))[0]?.deleted_at as Date | null)?.toISOString() ?? null;

  /** A project of `teamId` with an app (holding events, metric and funnel rows) and a metric and a funnel definition. */
  async function populatedProject(teamId: string): Promise<{ app: AppFixture; metricId: string; funnelId: string }> {
    const app = await insertApp(t, { teamId, createdBy: owner.userId, platform: 'backend' });
    await ingestOk(t, app, [
      anEvent({ message: 'metric:upload:start', user_id: 'u1' }),
      anEvent({ message: 'track:welcome', user_id: 'u1' }),
    ]);
    const metric = await t.app.inject({
      method: 'POST',
      url: `/v1/projects/${app.projectId}/metrics`,
      headers: owner.headers,
      payload: { name: 'Upload', slug: 'upload' },
    });
    const funnel = await t.app.inject({
      method: 'POST',
      url: `/v1/projects/${app.projectId}/funnels`,
      headers: owner.headers,
      payload: { name: 'Onboarding', slug: 'onboarding', steps: [{ name: 'Welcome', event_filter: { message: 'track:welcome' } }] },
    });
    expect([metric.statusCode, funnel.statusCode]).toEqual([201, 201]);
    return { app, metricId: metric.json().id, funnelId: funnel.json().id };
  }

  it('DELETE /v1/teams/:id reaches team, members, keys, invitations, projects, apps and definitions with one timestamp', async () => {
    const teamId = await createTeam(t, owner, 'doomed');
    const { app, metricId, funnelId } = await populatedProject(teamId);
    const agent = await postKey(t, owner, { key_type: 'agent', team_id: teamId });
    await invite(t, owner, teamId, 'guest@example.com');

    const res = await t.app.inject({ method: 'DELETE', url: `/v1/teams/${teamId}`, headers: owner.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ deleted: true });

    const at = await deletedAt('teams', teamId);
    expect(at).not.toBeNull();
    for (const [table, id] of [
      ['projects', app.projectId],
      ['apps', app.id],
      ['metric_definitions', metricId],
      ['funnel_definitions', funnelId],
    ]) {
      expect({ table, at: await deletedAt(table, id) }).toEqual({ table, at });
    }
    expect(await count(`SELECT count(*)::int AS n FROM api_keys WHERE team_id = $1 AND deleted_at IS NULL`, [teamId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM team_members WHERE team_id = $1`, [teamId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM team_invitations WHERE team_id = $1`, [teamId])).toBe(0);
    // Keys stop at once: the client key of the app and the agent key.
    for (const key of [app.clientKey, agent.key]) {
      const who = await t.app.inject({ method: 'GET', url: '/v1/auth/whoami', headers: { authorization: `Bearer ${key}` } });
      expect(who.statusCode).toBe(401);
    }
    // Rows stay (soft delete), but the personal team's data is untouched.
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE app_id = $1`, [app.id])).toBe(2);
  });

  it('DELETE /v1/projects/:id soft-deletes its apps, keys and definitions with its timestamp; other projects keep theirs', async () => {
    const doomed = await populatedProject(owner.teamId);
    const kept = await t.app.inject({
      method: 'POST',
      url: '/v1/projects',
      headers: owner.headers,
      payload: { team_id: owner.teamId, name: 'Kept', slug: 'kept' },
    });
    const keptMetric = await t.app.inject({
      method: 'POST',
      url: `/v1/projects/${kept.json().id}/metrics`,
      headers: owner.headers,
      payload: { name: 'Upload', slug: 'upload' },
    });
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/projects/${doomed.app.projectId}`, headers: owner.headers });
    expect(res.statusCode).toBe(200);
    const at = await deletedAt('projects', doomed.app.projectId);
    expect(at).not.toBeNull();
    for (const [table, id] of [
      ['apps', doomed.app.id],
      ['metric_definitions', doomed.metricId],
      ['funnel_definitions', doomed.funnelId],
    ]) {
      expect({ table, at: await deletedAt(table, id) }).toEqual({ table, at });
    }
    expect(await deletedAt('metric_definitions', keptMetric.json().id)).toBeNull();
    expect((await t.app.inject({ method: 'GET', url: '/v1/auth/whoami', headers: doomed.app.headers })).statusCode).toBe(401);
  });

  it("POST /v1/projects reusing a deleted project's slug purges it with apps, rows and definitions", async () => {
    const old = await populatedProject(owner.teamId);
    const [{ slug }] = await t.ds.query(`SELECT slug FROM projects WHERE id = $1`, [old.app.projectId]);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/projects/${old.app.projectId}`, headers: owner.headers })).statusCode).toBe(
      200,
    );

    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/projects',
      headers: owner.headers,
      payload: { team_id: owner.teamId, name: 'Again', slug },
    });
    expect(res.statusCode).toBe(201);
    for (const table of ['events', 'event_dedup', 'metric_events', 'funnel_events', 'app_users', 'api_keys']) {
      expect({ table, n: await count(`SELECT count(*)::int AS n FROM ${table} WHERE app_id = $1`, [old.app.id]) }).toEqual({ table, n: 0 });
    }
    expect(await count(`SELECT count(*)::int AS n FROM apps WHERE id = $1`, [old.app.id])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM projects WHERE id = $1`, [old.app.projectId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM metric_definitions WHERE project_id = $1`, [old.app.projectId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM funnel_definitions WHERE project_id = $1`, [old.app.projectId])).toBe(0);
  });

  it('retention purges apps deleted over 7 days ago with their metric and funnel rows, and old definitions', async () => {
    const old = await populatedProject(owner.teamId);
    const young = await populatedProject(owner.teamId);
    await t.ds.query(`UPDATE apps SET deleted_at = now() - interval '8 days' WHERE id = $1`, [old.app.id]);
    await t.ds.query(`UPDATE metric_definitions SET deleted_at = now() - interval '8 days' WHERE id = $1`, [old.metricId]);
    await t.ds.query(`UPDATE funnel_definitions SET deleted_at = now() - interval '6 days' WHERE id = $1`, [old.funnelId]);

    const report = await t.app.get(RetentionService).run(new Date());
    expect(report).toMatchObject({ skipped: false, apps: 1 });
    for (const table of ['metric_events', 'funnel_events', 'events']) {
      expect(await count(`SELECT count(*)::int AS n FROM ${table} WHERE app_id = $1`, [old.app.id])).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM ${table} WHERE app_id = $1`, [young.app.id])).toBeGreaterThan(0);
    }
    expect(await count(`SELECT count(*)::int AS n FROM metric_definitions WHERE id = $1`, [old.metricId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM funnel_definitions WHERE id = $1`, [old.funnelId])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM metric_definitions WHERE id = $1`, [young.metricId])).toBe(1);
  });
});
