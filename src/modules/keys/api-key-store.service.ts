import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { ApiKeyType } from '../../common/auth/permission';
import { ApiKeyPrincipal } from '../../common/auth/principal';
import { ApiKeyEntity } from './entities/api-key.entity';
import { generateApiKey, hashApiKey } from './api-key-secrets';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeyAuthRow, ApiKeyView } from './keys.types';

/**
 * How long a looked-up key (with its app's platform, bundle_id and deleted state) is trusted without asking
 * the database: other instances see revocations, and an app deleted without revoking its keys, within this.
 */
export const KEY_CACHE_TTL_MS = 5_000;
/** `last_used_at` is written at most this often per key (§1.7 allows it to lag). */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const KEY_CACHE_MAX = 10_000;

export type ApiKeyAuthResult = { ok: true; principal: ApiKeyPrincipal } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Owns the api_keys table for every module: creation (secrets hashed, B4), authentication with a short
 * cache (one indexed lookup per key per TTL, which also carries the key's app for ingest), and revocation, which clears the cache so a key revoked
 * through this server stops working at once.
 */
@Injectable()
export class ApiKeyStoreService implements EntitySubscriberInterface {
  private readonly cache = new Map<string, { row: ApiKeyAuthRow; fetchedAt: number }>();
  private readonly lastUsedWrites = new Map<string, number>();
  /** Transactions that changed keys: the cache is cleared again when they commit (see afterTransactionCommit). */
  private readonly dirty = new WeakSet<QueryRunner>();

  constructor(
    private readonly keys: ApiKeysRepository,
    ds: DataSource,
    @InjectPinoLogger(ApiKeyStoreService.name) private readonly log: PinoLogger,
  ) {
    ds.subscribers.push(this);
  }

  /**
   * A lookup that ran while a revoking transaction was still open read the key as live and may have
   * cached it; clearing once more after the commit makes the revocation effective at once.
   */
  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (this.dirty.has(event.queryRunner)) {
      this.dirty.delete(event.queryRunner);
      this.cache.clear();
    }
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.dirty.delete(event.queryRunner);
  }

  private markDirty(m: EntityManager): void {
    this.cache.clear();
    if (m.queryRunner) this.dirty.add(m.queryRunner);
  }

  async authenticate(token: string, now = Date.now()): Promise<ApiKeyAuthResult> {
    const hash = hashApiKey(token);
    let entry = this.cache.get(hash);
    if (!entry || now - entry.fetchedAt > KEY_CACHE_TTL_MS) {
      const row = await this.keys.findForAuth(hash);
      if (!row) {
        this.cache.delete(hash);
        return { ok: false, reason: 'invalid' };
      }
      if (this.cache.size >= KEY_CACHE_MAX) this.cache.clear();
      entry = { row, fetchedAt: now };
      this.cache.set(hash, entry);
    }
    const { row } = entry;
    if (row.expiresAt && row.expiresAt.getTime() < now) return { ok: false, reason: 'expired' };
    this.noteUse(row.id, now);
    return {
      ok: true,
      principal: {
        kind: 'api_key',
        keyId: row.id,
        keyType: row.keyType,
        teamId: row.teamId,
        appId: row.appId,
        app: row.app,
        permissions: row.permissions,
        createdBy: row.createdBy,
      },
    };
  }

  private noteUse(id: string, now: number): void {
    const last = this.lastUsedWrites.get(id);
    if (last !== undefined && now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWrites.set(id, now);
    if (this.lastUsedWrites.size > KEY_CACHE_MAX) this.lastUsedWrites.clear();
    // Off the request path on purpose: the contract lets last_used_at lag; a failure is only logged.
    this.keys.touchLastUsed(id, new Date(now)).catch((err: unknown) => this.log.warn({ err, keyId: id }, 'last_used_at update failed'));
  }

  async create(
    input: {
      type: ApiKeyType;
      name: string;
      teamId: string;
      appId: string | null;
      createdBy: string;
      permissions: string[];
      expiresAt: Date | null;
    },
    m: EntityManager,
  ): Promise<{ key: string; entity: ApiKeyEntity }> {
    const { key, hash, prefix } = generateApiKey(input.type);
    const now = new Date();
    const entity = await this.keys.insert(
      {
        keyHash: hash,
        keyPrefix: prefix,
        keyType: input.type,
        appId: input.appId,
        teamId: input.teamId,
        name: input.name,
        createdBy: input.createdBy,
        permissions: input.permissions,
        expiresAt: input.expiresAt,
        createdAt: now,
        updatedAt: now,
      },
      m,
    );
    return { key, entity };
  }

  findActive(id: string, m?: EntityManager): Promise<ApiKeyEntity | null> {
    return this.keys.findActive(id, m);
  }

  async view(id: string, m?: EntityManager): Promise<ApiKeyView | null> {
    return (await this.keys.findViews({ ids: [id] }, m))[0] ?? null;
  }

  views(where: { teamIds?: string[]; keyType?: ApiKeyType; createdBy?: string }, m?: EntityManager): Promise<ApiKeyView[]> {
    return this.keys.findViews(where, m);
  }

  async update(id: string, fields: { name?: string; permissions?: string[] }, m: EntityManager): Promise<void> {
    await this.keys.update(id, fields, m);
    this.markDirty(m);
  }

  /** Soft-deletes matching live keys (one timestamp) and forgets every cached key. */
  async revoke(
    where: { ids?: string[]; appIds?: string[]; teamId?: string; keyType?: ApiKeyType; createdBy?: string },
    at: Date,
    m: EntityManager,
  ): Promise<ApiKeyEntity[]> {
    const revoked = await this.keys.revoke(where, at, m);
    this.markDirty(m);
    return revoked;
  }

  async purgeForApps(appIds: string[], m: EntityManager): Promise<void> {
    await this.keys.purgeForApps(appIds, m);
    this.markDirty(m);
  }

  /** Drops cached lookups (tests, and after bulk changes made outside this service). */
  forgetCached(): void {
    this.cache.clear();
  }
}
