import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppsService } from '../apps/apps.service';
import { EventsMaintenanceService } from '../events/events-maintenance.service';

/**
 * Removes apps for good with everything stored for them: their events, dedup claims, metric and funnel rows
 * (events module), then their keys, app users and the app rows (apps module). Runs inside the caller's
 * transaction: retention (apps soft-deleted more than 7 days ago) and a project purge on slug reuse.
 */
@Injectable()
export class PurgeAppsUseCase {
  constructor(
    private readonly apps: AppsService,
    private readonly events: EventsMaintenanceService,
  ) {}

  async execute(appIds: string[], m: EntityManager): Promise<void> {
    if (appIds.length === 0) return;
    await this.events.purgeForApps(appIds, m);
    await this.apps.purge(appIds, m);
  }

  /** Retention (§3): apps soft-deleted before `cutoff`; returns how many were purged. */
  async purgeDeletedBefore(cutoff: Date, m: EntityManager): Promise<number> {
    const ids = await this.apps.idsDeletedBefore(cutoff, m);
    await this.execute(ids, m);
    return ids.length;
  }
}
