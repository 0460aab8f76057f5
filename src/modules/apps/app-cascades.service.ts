import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ApiKeyStoreService } from '../keys/api-key-store.service';
import { ProjectLifecycle } from '../projects/project-lifecycle';
import { AppLifecycle } from './app-lifecycle';
import { AppUsersRepository } from './app-users.repository';
import { AppsRepository } from './apps.repository';

/**
 * What happens to apps when their project goes: a soft delete takes the apps and their keys along with
 * the project's timestamp; a purge (slug reuse) removes the apps for good with their keys, app users
 * and — through AppLifecycle listeners — their events. (Team deletion reaches apps through projects.)
 */
@Injectable()
export class AppCascadesService implements OnModuleInit {
  constructor(
    private readonly apps: AppsRepository,
    private readonly appUsers: AppUsersRepository,
    private readonly keys: ApiKeyStoreService,
    private readonly projectLifecycle: ProjectLifecycle,
    private readonly appLifecycle: AppLifecycle,
  ) {}

  onModuleInit(): void {
    this.projectLifecycle.onProjectsDeleted((ids, at, m) => this.softDeleteForProjects(ids, at, m));
    // The revocation already dropped cached key lookups, but a lookup racing the commit may have re-cached a key.
    this.projectLifecycle.onProjectsDeletedCommitted(() => this.keys.forgetCached());
    this.projectLifecycle.onProjectsPurged((ids, m) => this.purgeForProjects(ids, m));
  }

  private async softDeleteForProjects(projectIds: string[], at: Date, m: EntityManager): Promise<void> {
    const appIds = await this.apps.softDeleteForProjects(projectIds, at, m);
    if (appIds.length) await this.keys.revoke({ appIds }, at, m);
  }

  private async purgeForProjects(projectIds: string[], m: EntityManager): Promise<void> {
    await this.purgeApps(await this.apps.idsForProjects(projectIds, m), m);
  }

  /** Permanently removes apps with everything stored for them. */
  async purgeApps(appIds: string[], m: EntityManager): Promise<void> {
    if (appIds.length === 0) return;
    await this.keys.purgeForApps(appIds, m);
    await this.appUsers.purgeForApps(appIds, m);
    await this.appLifecycle.appsPurged(appIds, m);
    await this.apps.purge(appIds, m);
  }
}
