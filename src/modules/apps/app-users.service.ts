import { BadRequestException, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { CursorPosition, Page, decodeCursor, normalizeLimit, pageOf } from '../../common/http/pagination';
import { AppUsersRepository } from './app-users.repository';
import { AppErrors } from './apps.errors';
import { AppsService } from './apps.service';
import { AppUserEntity } from './entities/app-user.entity';

export interface AppUsersQuery {
  search?: string;
  isAnonymous?: boolean;
  cursor?: string;
  limit?: unknown;
}

/**
 * App users: the list endpoint, and the writes ingest and identity claim make (always inside their
 * transaction, passed in as `m`).
 */
@Injectable()
export class AppUsersService {
  constructor(
    private readonly appUsers: AppUsersRepository,
    private readonly apps: AppsService,
  ) {}

  /** `GET /v1/apps/:id/users`: 404 for an invisible app first, then the cursor check (§2.6). */
  async list(who: Principal, appId: string, query: AppUsersQuery): Promise<Page<AppUserEntity>> {
    const app = await this.apps.get(who, appId);
    let after: CursorPosition | undefined;
    if (query.cursor !== undefined) {
      const decoded = decodeCursor(query.cursor);
      if (!decoded) throw new BadRequestException(AppErrors.invalidCursor);
      after = decoded;
    }
    const limit = normalizeLimit(query.limit);
    const search = query.search;
    const rows = await this.appUsers.page(app.id, { search, isAnonymous: query.isAnonymous, after }, limit + 1);
    return pageOf(rows, limit, (u) => ({ timestamp: u.lastSeenAt, id: u.id }));
  }

  /** Identity claim step 1 (§2.9): the row of `userId` already lists `anonymousId` in claimed_from. */
  hasClaimed(appId: string, userId: string, anonymousId: string, m: EntityManager): Promise<boolean> {
    return this.appUsers.hasClaimed(appId, userId, anonymousId, m);
  }

  /**
   * Identity claim step 3 (§2.9). If `userId` has a row: `anonymousId` is appended to its claimed_from,
   * its first_seen_at becomes the earlier of the two rows', and the anonymous row is deleted. Otherwise an
   * existing anonymous row is converted in place (user_id set, is_anonymous false, claimed_from
   * [anonymousId]). With neither row there is nothing to merge.
   */
  async mergeClaim(appId: string, anonymousId: string, userId: string, m: EntityManager): Promise<void> {
    const rows = await this.appUsers.lockUsers(appId, [anonymousId, userId], m);
    const anonymous = rows.find((r) => r.userId === anonymousId);
    const known = rows.find((r) => r.userId === userId);
    if (known) {
      await this.appUsers.addClaim(known.id, anonymousId, anonymous?.firstSeenAt ?? known.firstSeenAt, m);
      if (anonymous) await this.appUsers.deleteById(anonymous.id, m);
    } else if (anonymous) {
      await this.appUsers.convert(anonymous.id, anonymousId, userId, m);
    }
  }
}
