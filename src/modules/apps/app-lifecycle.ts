import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export type AppsPurgedListener = (appIds: string[], m: EntityManager) => Promise<void>;

/**
 * Lets modules that store rows per app (events, event_dedup) join a permanent app purge without apps
 * importing them: they register in onModuleInit; the purge calls them inside its transaction, before
 * the app rows are deleted.
 */
@Injectable()
export class AppLifecycle {
  private readonly purged: AppsPurgedListener[] = [];

  onAppsPurged(listener: AppsPurgedListener): void {
    this.purged.push(listener);
  }

  async appsPurged(appIds: string[], m: EntityManager): Promise<void> {
    if (appIds.length === 0) return;
    for (const listener of this.purged) await listener(appIds, m);
  }
}
