import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { PurgeAppsUseCase } from '../cascades/purge-apps.usecase';
import { EventsMaintenanceService } from '../events/events-maintenance.service';
import { RetentionRepository } from './retention.repository';

const DAY_MS = 24 * 60 * 60_000;
/** Soft-deleted rows are kept this long before they are removed for good (§3). */
export const SOFT_DELETE_RETENTION_MS = 7 * DAY_MS;
export const RETENTION_INTERVAL_MS = DAY_MS;
/** Login codes are kept a day past expiry or use, for the 5-per-hour quota and for support questions. */
const CODE_RETENTION_MS = DAY_MS;

export interface RetentionReport {
  skipped: boolean;
  apps: number;
  keys: number;
  projects: number;
  teams: number;
  codes: number;
  dedupPruned: number;
  partitionsDropped: string[];
}

/**
 * The daily retention job (§3, issue 8): purges rows soft-deleted more than 7 days ago (apps with their
 * events, app users and dedup rows; keys; projects; teams), prunes dedup claims past 48 h, deletes stale
 * login codes and, with EVENT_RETENTION_DAYS, drops whole monthly event partitions past the window.
 * Runs at boot and daily; an advisory lock lets only one instance work at a time, and every step is idempotent.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private daily: NodeJS.Timeout | undefined;

  constructor(
    private readonly ds: DataSource,
    private readonly repo: RetentionRepository,
    private readonly purgeApps: PurgeAppsUseCase,
    private readonly events: EventsMaintenanceService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(RetentionService.name) private readonly log: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => void this.run(new Date()).catch((err: unknown) => this.log.error({ err }, 'retention job failed'));
    // Off the boot path: the first round starts shortly after startup, then daily.
    this.timer = setTimeout(run, 10_000);
    this.timer.unref();
    this.daily = setInterval(run, RETENTION_INTERVAL_MS);
    this.daily.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    clearInterval(this.daily);
  }

  async run(now: Date): Promise<RetentionReport> {
    const cutoff = new Date(now.getTime() - SOFT_DELETE_RETENTION_MS);
    const purged = await this.ds.transaction(async (m) => {
      if (!(await this.repo.tryLock(m))) return null;
      const apps = await this.purgeApps.purgeDeletedBefore(cutoff, m);
      const rows = await this.repo.purgeSoftDeleted(cutoff, m);
      const codes = await this.repo.deleteStaleCodes(new Date(now.getTime() - CODE_RETENTION_MS), m);
      return { apps, ...rows, codes };
    });
    if (!purged) return { skipped: true, apps: 0, keys: 0, projects: 0, teams: 0, codes: 0, dedupPruned: 0, partitionsDropped: [] };
    const events = await this.events.applyRetention(now, this.config.eventRetentionDays);
    const report = { skipped: false, ...purged, ...events };
    this.log.info(report, 'retention job done');
    return report;
  }
}
