import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKeyType, defaultPermissions } from '../../common/auth/permission';
import { Principal, UserPrincipal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { isUuid } from '../../common/http/uuid';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditResource, diff } from '../audit/audit.types';
import { ApiKeyStoreService } from '../keys/api-key-store.service';
import { ProjectErrors } from '../projects/projects.errors';
import { ProjectsService } from '../projects/projects.service';
import { TeamAccessService } from '../teams/team-access.service';
import { clientKeyName, createAppProblem, storedBundleId } from './app-rules';
import { AppErrors } from './apps.errors';
import { AppUsersRepository } from './app-users.repository';
import { AppsRepository } from './apps.repository';
import { AppEntity, AppPlatform } from './entities/app.entity';

export interface CreateAppInput {
  name: string;
  platform: string;
  bundleId?: string;
  projectId: string;
}

/**
 * `client_key` is NOT NULL, but the key row references the app (api_keys.app_id), so the app row goes in
 * first with this placeholder and gets its key a statement later, in the same transaction: no other
 * transaction ever sees it.
 */
const CLIENT_KEY_PENDING = '';

/** Apps (SPEC §2.6) and the app lookups other modules need (auth, events). */
@Injectable()
export class AppsService {
  constructor(
    private readonly ds: DataSource,
    private readonly apps: AppsRepository,
    private readonly projects: ProjectsService,
    private readonly access: TeamAccessService,
    private readonly keys: ApiKeyStoreService,
    private readonly audit: AuditService,
    private readonly appUsers: AppUsersRepository,
  ) {}

  /** A project (or team) deletion's part here: the projects' live apps and their keys, with its timestamp. */
  async softDeleteForProjects(projectIds: string[], at: Date, m: EntityManager): Promise<string[]> {
    if (projectIds.length === 0) return [];
    const appIds = await this.apps.softDeleteForProjects(projectIds, at, m);
    if (appIds.length) await this.keys.revoke({ appIds }, at, m);
    return appIds;
  }

  /** Every app of these projects, deleted or not (a project purge removes them all). */
  idsForProjects(projectIds: string[], m: EntityManager): Promise<string[]> {
    return projectIds.length ? this.apps.idsForProjects(projectIds, m) : Promise.resolve([]);
  }

  /** Apps soft-deleted before `cutoff` (retention, §3). */
  idsDeletedBefore(cutoff: Date, m: EntityManager): Promise<string[]> {
    return this.apps.idsDeletedBefore(cutoff, m);
  }

  /** An app purge's part here: the apps' keys, app users and the app rows, for good. */
  async purge(appIds: string[], m: EntityManager): Promise<void> {
    if (appIds.length === 0) return;
    await this.keys.purgeForApps(appIds, m);
    await this.appUsers.purgeForApps(appIds, m);
    await this.apps.purge(appIds, m);
  }

  /** A live app by id; null for unknown, deleted or malformed ids. */
  findActive(id: string, m?: EntityManager): Promise<AppEntity | null> {
    return isUuid(id) ? this.apps.findActive(id.toLowerCase(), m) : Promise.resolve(null);
  }

  async list(who: Principal, teamIdFilter?: string): Promise<AppEntity[]> {
    return this.apps.listActive({ teamIds: await this.access.scopeTeamIds(who, teamIdFilter) });
  }

  /** Live apps of a project the caller was already allowed to see, oldest first. */
  listForProject(project: { id: string; teamId: string }): Promise<AppEntity[]> {
    return this.apps.listActive({ teamIds: [project.teamId], projectId: project.id });
  }

  /** A live app in a team the caller can access, else 404 "App not found" (unknown, deleted, malformed, foreign). */
  async get(who: Principal, id: string): Promise<AppEntity> {
    const app = await this.findActive(id);
    if (!app || !(await this.access.isTeamVisible(who, app.teamId))) throw new NotFoundException(AppErrors.notFound);
    return app;
  }

  /** Creates the app and its client key in one transaction; the team comes from the project. */
  async create(who: Principal, input: CreateAppInput): Promise<AppEntity> {
    const problem = createAppProblem(input.platform, input.bundleId);
    if (problem) throw new BadRequestException(problem);
    const platform = input.platform as AppPlatform;
    const project = await this.projects.findVisible(who, input.projectId);
    if (!project) throw new NotFoundException(ProjectErrors.notFound);
    await this.access.assertRole(who, project.teamId, TeamRole.Admin);
    const createdBy = who.kind === 'user' ? who.userId : who.createdBy;
    const name = input.name;
    const bundleId = storedBundleId(platform, input.bundleId);
    return this.ds.transaction(async (m) => {
      if (!(await this.projects.lockActive(project.id, m))) throw new NotFoundException(ProjectErrors.notFound);
      const app = await this.apps.insert(
        {
          teamId: project.teamId,
          projectId: project.id,
          name,
          platform,
          bundleId,
          clientKey: CLIENT_KEY_PENDING,
          createdAt: new Date(),
        },
        m,
      );
      const { key } = await this.keys.create(
        {
          type: ApiKeyType.Client,
          name: clientKeyName(name),
          teamId: project.teamId,
          appId: app.id,
          createdBy,
          permissions: defaultPermissions(ApiKeyType.Client),
          expiresAt: null,
        },
        m,
      );
      await this.apps.setClientKey(app.id, key, m);
      app.clientKey = key;
      // The client key gets no audit entry of its own (§2.10).
      await this.audit.record(m, {
        teamId: app.teamId,
        actor: who,
        action: AuditAction.Create,
        resourceType: AuditResource.App,
        resourceId: app.id,
        metadata: { name: app.name, platform: app.platform, bundle_id: app.bundleId },
      });
      return app;
    });
  }

  async rename(who: Principal, id: string, newName: string): Promise<AppEntity> {
    const name = newName;
    const app = await this.get(who, id);
    await this.access.assertRole(who, app.teamId, TeamRole.Admin);
    await this.ds.transaction(async (m) => {
      if (!(await this.apps.rename(app.id, name, m))) throw new NotFoundException(AppErrors.notFound);
      await this.audit.record(m, {
        teamId: app.teamId,
        actor: who,
        action: AuditAction.Update,
        resourceType: AuditResource.App,
        resourceId: app.id,
        changes: diff({ name: [app.name, name] }, ['name']),
      });
    });
    return { ...app, name };
  }

  /** Soft-deletes the app and revokes its keys (one transaction, one timestamp); its client key stops working at once. */
  async delete(who: UserPrincipal, id: string): Promise<void> {
    const app = await this.get(who, id);
    await this.access.assertRole(who, app.teamId, TeamRole.Admin);
    await this.ds.transaction(async (m) => {
      const at = new Date();
      if (!(await this.apps.softDelete(app.id, at, m))) throw new NotFoundException(AppErrors.notFound);
      await this.keys.revoke({ appIds: [app.id] }, at, m);
      await this.audit.record(m, {
        teamId: app.teamId,
        actor: who,
        action: AuditAction.Delete,
        resourceType: AuditResource.App,
        resourceId: app.id,
      });
    });
  }
}
