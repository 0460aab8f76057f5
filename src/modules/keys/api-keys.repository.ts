import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { ApiKeyType } from '../../common/auth/permission';
import { ApiKeyApp } from '../../common/auth/principal';
import { ApiKeyEntity } from './entities/api-key.entity';
import { ApiKeyAuthRow, ApiKeyView } from './keys.types';

/** The app columns of findForAuth (all null for a key without an app). */
interface AppColumns {
  appPlatform: ApiKeyApp['platform'] | null;
  appBundleId: string | null;
  appDeleted: boolean;
}

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly ds: DataSource) {}

  private repo(m?: EntityManager) {
    return (m ?? this.ds.manager).getRepository(ApiKeyEntity);
  }

  /**
   * The live key with this hash and, for an app-scoped key, its app's platform, bundle_id and deleted state
   * (read here so that the key cache serves ingest's app checks too). One round trip: the unique key_hash
   * index, then the apps primary key.
   */
  async findForAuth(keyHash: string): Promise<ApiKeyAuthRow | null> {
    const rows: (Omit<ApiKeyAuthRow, 'app'> & AppColumns)[] = await this.ds.query(
      `SELECT k.id, k.key_type AS "keyType", k.team_id AS "teamId", k.app_id AS "appId", k.permissions,
              k.created_by AS "createdBy", k.expires_at AS "expiresAt",
              a.platform AS "appPlatform", a.bundle_id AS "appBundleId", a.deleted_at IS NOT NULL AS "appDeleted"
         FROM api_keys k LEFT JOIN apps a ON a.id = k.app_id
        WHERE k.key_hash = $1 AND k.deleted_at IS NULL`,
      [keyHash],
    );
    if (rows.length === 0) return null;
    const { appPlatform, appBundleId, appDeleted, ...key } = rows[0];
    return { ...key, app: appPlatform === null ? null : { platform: appPlatform, bundleId: appBundleId, deleted: appDeleted } };
  }

  async touchLastUsed(id: string, at: Date): Promise<void> {
    await this.ds.query(`UPDATE api_keys SET last_used_at = $2 WHERE id = $1`, [id, at]);
  }

  async insert(row: Omit<ApiKeyEntity, 'id' | 'lastUsedAt' | 'deletedAt'>, m: EntityManager): Promise<ApiKeyEntity> {
    return this.repo(m).save(this.repo(m).create({ ...row, lastUsedAt: null, deletedAt: null }));
  }

  findActive(id: string, m?: EntityManager): Promise<ApiKeyEntity | null> {
    return this.repo(m).findOneBy({ id, deletedAt: IsNull() });
  }

  async update(id: string, fields: Partial<Pick<ApiKeyEntity, 'name' | 'permissions'>>, m: EntityManager): Promise<void> {
    await this.repo(m).update({ id }, { ...fields, updatedAt: new Date() });
  }

  /** Live keys with their app name and creator email; filters are ANDed. Ordered by created_at ascending. */
  async findViews(
    where: { ids?: string[]; teamIds?: string[]; keyType?: ApiKeyType; createdBy?: string },
    m?: EntityManager,
  ): Promise<ApiKeyView[]> {
    const params: unknown[] = [];
    const cond = ['k.deleted_at IS NULL'];
    if (where.ids) cond.push(`k.id = ANY($${params.push(where.ids)}::uuid[])`);
    if (where.teamIds) cond.push(`k.team_id = ANY($${params.push(where.teamIds)}::uuid[])`);
    if (where.keyType) cond.push(`k.key_type = $${params.push(where.keyType)}`);
    if (where.createdBy) cond.push(`k.created_by = $${params.push(where.createdBy)}`);
    const rows: Record<string, unknown>[] = await (m ?? this.ds.manager).query(
      `SELECT k.id, k.key_prefix, k.key_type, k.app_id, a.name AS app_name, k.team_id, k.name, k.created_by,
              u.email AS created_by_email, k.permissions, k.created_at, k.updated_at, k.last_used_at, k.expires_at
         FROM api_keys k LEFT JOIN apps a ON a.id = k.app_id JOIN users u ON u.id = k.created_by
        WHERE ${cond.join(' AND ')} ORDER BY k.created_at ASC, k.id ASC`,
      params,
    );
    return rows.map(
      (r) =>
        ({
          id: r.id,
          keyHash: '',
          keyPrefix: r.key_prefix,
          keyType: r.key_type,
          appId: r.app_id,
          appName: r.app_name ?? null,
          teamId: r.team_id,
          name: r.name,
          createdBy: r.created_by,
          createdByEmail: r.created_by_email,
          permissions: r.permissions,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
          lastUsedAt: r.last_used_at,
          expiresAt: r.expires_at,
          deletedAt: null,
        }) as ApiKeyView,
    );
  }

  /**
   * Soft-deletes live keys matching the filter with one timestamp; returns exactly the keys this call revoked.
   * One conditional UPDATE: a concurrent revoke of the same key waits for the row, re-checks `deleted_at IS
   * NULL` and gets nothing, so each key is revoked (and audited) once.
   */
  async revoke(
    where: { ids?: string[]; appIds?: string[]; teamId?: string; keyType?: ApiKeyType; createdBy?: string },
    at: Date,
    m: EntityManager,
  ): Promise<ApiKeyEntity[]> {
    const filter: Record<string, unknown> = { deletedAt: IsNull() };
    if (where.ids) filter.id = In(where.ids);
    if (where.appIds) filter.appId = In(where.appIds);
    if (where.teamId) filter.teamId = where.teamId;
    if (where.keyType) filter.keyType = where.keyType;
    if (where.createdBy) filter.createdBy = where.createdBy;
    const result = await this.repo(m).createQueryBuilder().update().set({ deletedAt: at }).where(filter).returning(['id']).execute();
    const ids = (result.raw as { id: string }[]).map((r) => r.id);
    return ids.length ? this.repo(m).findBy({ id: In(ids) }) : [];
  }

  /** Permanently removes the keys of purged apps. */
  async purgeForApps(appIds: string[], m: EntityManager): Promise<void> {
    if (appIds.length) await this.repo(m).delete({ appId: In(appIds) });
  }
}
