import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DEDUP_WINDOW_MS } from './events.constants';
import { EventsRepository } from './events.repository';

/** How often the monthly partitions are topped up after boot. */
export const PARTITION_UPKEEP_INTERVAL_MS = 24 * 60 * 60_000;

/**
 * Keeps the events table's monthly partitions ahead of time (at boot and daily) and removes the events and
 * dedup rows of permanently purged apps (retention, §3) inside the purge's transaction.
 */
@Injectable()
export class EventsMaintenanceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly events: EventsRepository,
    @InjectPinoLogger(EventsMaintenanceService.name) private readonly log: PinoLogger,
  ) {}

  /** An app purge's part here: the apps' events, dedup claims, metric and funnel rows, for good. */
  purgeForApps(appIds: string[], m: EntityManager): Promise<void> {
    return this.events.deleteForApps(appIds, m);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ensurePartitions(new Date());
    this.timer = setInterval(() => {
      this.ensurePartitions(new Date()).catch((err: unknown) => this.log.error({ err }, 'event partition upkeep failed'));
    }, PARTITION_UPKEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Creates the missing partitions around `now`. A month whose rows already sit in the default partition
   * cannot get its own partition (Postgres refuses); that is logged and boot goes on — those rows stay
   * queryable in the default partition.
   */
  /** Retention of event data: dedup claims past the 48 h window, and (with a window set) whole old months. */
  async applyRetention(now: Date, eventRetentionDays: number | null): Promise<{ dedupPruned: number; partitionsDropped: string[] }> {
    const dedupPruned = await this.events.pruneDedup(new Date(now.getTime() - DEDUP_WINDOW_MS));
    const partitionsDropped = eventRetentionDays
      ? await this.events.dropPartitionsBefore(new Date(now.getTime() - eventRetentionDays * 24 * 60 * 60_000))
      : [];
    if (partitionsDropped.length) this.log.info({ partitions: partitionsDropped }, 'dropped event partitions past retention');
    return { dedupPruned, partitionsDropped };
  }

  async ensurePartitions(now: Date): Promise<void> {
    const outcome = await this.events.ensurePartitions(now);
    if (outcome.created.length > 0) this.log.info({ partitions: outcome.created }, 'created event partitions');
    for (const p of outcome.blockedByDefault) {
      this.log.warn(
        { partition: p.name, from: p.from, to: p.to },
        'events_default holds rows of this month; its partition was not created',
      );
    }
  }
}
