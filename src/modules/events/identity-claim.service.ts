import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { AppUsersService } from '../apps/app-users.service';
import { IdentityClaimDto } from './dto/identity-claim.dto';
import { ClaimErrors } from './events.errors';
import { IdentityClaimResponse } from './events.mapper';
import { EventsRepository } from './events.repository';
import { validateClaim } from './identity-claim-validation';

/**
 * POST /v1/identity/claim (§2.9): relabels an anonymous id's events in the key's app and merges the app
 * users, in one transaction. Claims of one anonymous id are serialised (advisory lock), so a retried claim
 * racing the first sees it done (idempotent 200) rather than "no events".
 */
@Injectable()
export class IdentityClaimService {
  constructor(
    private readonly ds: DataSource,
    private readonly events: EventsRepository,
    private readonly appUsers: AppUsersService,
  ) {}

  async claim(who: Principal, body: IdentityClaimDto): Promise<IdentityClaimResponse> {
    const input = validateClaim(body);
    if (!input.ok) throw new BadRequestException(input.message);
    if (who.kind !== 'api_key' || who.appId === null) throw new BadRequestException(ClaimErrors.clientKeyNotScoped);
    const appId = who.appId;
    const { anonymousId, userId } = input.value;
    return this.ds.transaction(async (m) => {
      await this.events.lockClaim(appId, anonymousId, m);
      if (await this.appUsers.hasClaimed(appId, userId, anonymousId, m)) return { claimed: true, events_reassigned_count: 0 };
      const moved = await this.events.reassignUser(appId, anonymousId, userId, m);
      if (moved === 0) throw new NotFoundException(ClaimErrors.noEvents);
      await this.appUsers.mergeClaim(appId, anonymousId, userId, m);
      return { claimed: true, events_reassigned_count: moved };
    });
  }
}
