import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CursorPosition } from '../../common/http/pagination';
import { ReadReplicas } from '../../database/read-replicas';
import { AppUserEntity } from './entities/app-user.entity';

export interface AppUserFilter {
  search?: string;
  isAnonymous?: boolean;
  after?: CursorPosition;
}

/** `%`, `_` and `\` in a search term match themselves (SPEC §2.6): escaped for `LIKE … ESCAPE '\'`. */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

type AppUserRow = {
  id: string;
  app_id: string;
  user_id: string;
  is_anonymous: boolean;
  claimed_from: string[] | null;
  first_seen_at: Date;
  last_seen_at: Date;
};

const toEntity = (r: AppUserRow): AppUserEntity => ({
  id: r.id,
  appId: r.app_id,
  userId: r.user_id,
  isAnonymous: r.is_anonymous,
  claimedFrom: r.claimed_from,
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
});

const COLUMNS = 'id, app_id, user_id, is_anonymous, claimed_from, first_seen_at, last_seen_at';

@Injectable()
export class AppUsersRepository {
  constructor(private readonly reads: ReadReplicas) {}

  /**
   * One page in (last_seen_at desc, id desc) order, strictly after the cursor position (B5); fetches
   * `limit` rows (callers pass page size + 1 to learn whether more exist). Served by the
   * (app_id, last_seen_at desc, id desc) index. Without `m` (outside a transaction) it reads a caught-up
   * replica when there is one (ReadReplicas).
   */
  async page(appId: string, filter: AppUserFilter, limit: number, m?: EntityManager): Promise<AppUserEntity[]> {
    const params: unknown[] = [appId];
    const cond = ['app_id = $1'];
    if (filter.search !== undefined) cond.push(`user_id ILIKE '%' || $${params.push(escapeLike(filter.search))} || '%' ESCAPE '\\'`);
    if (filter.isAnonymous !== undefined) cond.push(`is_anonymous = $${params.push(filter.isAnonymous)}`);
    if (filter.after) {
      const ts = `$${params.push(filter.after.timestamp)}::timestamptz`;
      cond.push(filter.after.id === null ? `last_seen_at < ${ts}` : `(last_seen_at, id) < (${ts}, $${params.push(filter.after.id)}::uuid)`);
    }
    const rows: AppUserRow[] = await (m ?? this.reads).query(
      `SELECT ${COLUMNS} FROM app_users WHERE ${cond.join(' AND ')}
        ORDER BY last_seen_at DESC, id DESC LIMIT $${params.push(limit)}`,
      params,
    );
    return rows.map(toEntity);
  }

  /** True when the row of `userId` already lists `anonymousId` in claimed_from. */
  async hasClaimed(appId: string, userId: string, anonymousId: string, m: EntityManager): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM app_users WHERE app_id = $1 AND user_id = $2 AND claimed_from @> jsonb_build_array($3::text)`,
      [appId, userId, anonymousId],
    );
    return rows.length > 0;
  }

  /** Locks the rows of these user ids (in user_id order, like ingest's app-user upsert) and returns them. */
  async lockUsers(appId: string, userIds: string[], m: EntityManager): Promise<AppUserEntity[]> {
    const rows: AppUserRow[] = await m.query(
      `SELECT ${COLUMNS} FROM app_users WHERE app_id = $1 AND user_id = ANY($2::text[]) ORDER BY user_id FOR UPDATE`,
      [appId, userIds],
    );
    return rows.map(toEntity);
  }

  /** Adds `anonymousId` to claimed_from (once) and moves first_seen_at back to `firstSeenAt` if earlier. */
  async addClaim(id: string, anonymousId: string, firstSeenAt: Date, m: EntityManager): Promise<void> {
    await m.query(
      `UPDATE app_users
          SET claimed_from = CASE WHEN claimed_from @> jsonb_build_array($2::text) THEN claimed_from
                                  ELSE COALESCE(claimed_from, '[]'::jsonb) || jsonb_build_array($2::text) END,
              first_seen_at = LEAST(first_seen_at, $3::timestamptz)
        WHERE id = $1`,
      [id, anonymousId, firstSeenAt],
    );
  }

  /** Turns an anonymous row into the row of `userId`, remembering where it came from. */
  async convert(id: string, anonymousId: string, userId: string, m: EntityManager): Promise<void> {
    await m.query(`UPDATE app_users SET user_id = $2, is_anonymous = false, claimed_from = jsonb_build_array($3::text) WHERE id = $1`, [
      id,
      userId,
      anonymousId,
    ]);
  }

  async deleteById(id: string, m: EntityManager): Promise<void> {
    await m.query(`DELETE FROM app_users WHERE id = $1`, [id]);
  }

  async purgeForApps(appIds: string[], m: EntityManager): Promise<void> {
    if (appIds.length) await m.query(`DELETE FROM app_users WHERE app_id = ANY($1::uuid[])`, [appIds]);
  }
}
