import { randomUUID } from 'node:crypto';
import { ApiKeyType, defaultPermissions } from '../../src/common/auth/permission';
import { ApiKeyStoreService } from '../../src/modules/keys/api-key-store.service';
import { TestApp } from '../utils/create-test-app';

/**
 * Row builders writing through the real DataSource: projects, apps with their client key, and agent keys,
 * without depending on the projects/apps/keys endpoints. Keys are made by ApiKeyStoreService.create, so
 * they authenticate exactly like keys made through the API.
 */
export type Platform = 'apple' | 'android' | 'web' | 'backend';

export interface AppFixture {
  id: string;
  teamId: string;
  projectId: string;
  platform: Platform;
  bundleId: string | null;
  clientKey: string;
  clientKeyId: string;
  headers: { authorization: string };
}

const DEFAULT_BUNDLE: Record<Platform, string | null> = {
  apple: 'com.acme.ios',
  android: 'com.acme.android',
  web: 'acme.example.com',
  backend: null,
};

export async function insertProject(t: TestApp, teamId: string, name = 'Project'): Promise<string> {
  const rows: { id: string }[] = await t.ds.query(`INSERT INTO projects (team_id, name, slug) VALUES ($1, $2, $3) RETURNING id`, [
    teamId,
    name,
    `p-${randomUUID()}`,
  ]);
  return rows[0].id;
}

/** An app (in `projectId`, or a new project of the team) with its client key. */
export async function insertApp(
  t: TestApp,
  opts: { teamId: string; createdBy: string; platform?: Platform; bundleId?: string | null; projectId?: string; name?: string },
): Promise<AppFixture> {
  const platform = opts.platform ?? 'apple';
  const bundleId = platform === 'backend' ? null : opts.bundleId !== undefined ? opts.bundleId : DEFAULT_BUNDLE[platform];
  const projectId = opts.projectId ?? (await insertProject(t, opts.teamId));
  return t.ds.transaction(async (m) => {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO apps (team_id, project_id, name, platform, bundle_id, client_key) VALUES ($1, $2, $3, $4, $5, '') RETURNING id`,
      [opts.teamId, projectId, opts.name ?? `${platform} app`, platform, bundleId],
    );
    const id = rows[0].id;
    const { key, entity } = await t.app.get(ApiKeyStoreService).create(
      {
        type: ApiKeyType.Client,
        name: 'client key',
        teamId: opts.teamId,
        appId: id,
        createdBy: opts.createdBy,
        permissions: defaultPermissions(ApiKeyType.Client),
        expiresAt: null,
      },
      m,
    );
    await m.query(`UPDATE apps SET client_key = $2 WHERE id = $1`, [id, key]);
    return {
      id,
      teamId: opts.teamId,
      projectId,
      platform,
      bundleId,
      clientKey: key,
      clientKeyId: entity.id,
      headers: { authorization: `Bearer ${key}` },
    };
  });
}

/** Soft-deletes an app without revoking its keys (the only way to reach ingest's "no longer exists" answer). */
export async function softDeleteAppOnly(t: TestApp, appId: string): Promise<void> {
  await t.ds.query(`UPDATE apps SET deleted_at = now() WHERE id = $1`, [appId]);
}
