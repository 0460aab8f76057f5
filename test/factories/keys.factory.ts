import { ApiKeyType, defaultPermissions } from '../../src/common/auth/permission';
import { ApiKeyStoreService } from '../../src/modules/keys/api-key-store.service';
import { TestApp } from '../utils/create-test-app';

export interface KeyFixture {
  id: string;
  key: string;
  headers: { authorization: string };
}

/**
 * An API key written straight through the key store, so it authenticates exactly like a key made through the
 * API but leaves no `api_key` audit entry (audit assertions stay exact). Defaults: an agent key with every agent
 * permission, no app, named `<type> key`. (`postKey` in utils/auth.ts creates one through the API instead.)
 */
export async function insertKey(
  t: TestApp,
  opts: { teamId: string; createdBy: string; type?: ApiKeyType; appId?: string | null; permissions?: string[]; name?: string },
): Promise<KeyFixture> {
  const type = opts.type ?? ApiKeyType.Agent;
  const { key, entity } = await t.ds.transaction((m) =>
    t.app.get(ApiKeyStoreService).create(
      {
        type,
        name: opts.name ?? `${type} key`,
        teamId: opts.teamId,
        appId: opts.appId ?? null,
        createdBy: opts.createdBy,
        permissions: opts.permissions ?? defaultPermissions(type),
        expiresAt: null,
      },
      m,
    ),
  );
  return { id: entity.id, key, headers: { authorization: `Bearer ${key}` } };
}
