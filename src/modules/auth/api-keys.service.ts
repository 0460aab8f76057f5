import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiKeyType, defaultPermissions, permissionListProblem } from '../../common/auth/permission';
import { UserPrincipal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { isUuid } from '../../common/http/uuid';
import { AppsService } from '../apps/apps.service';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditResource, diff } from '../audit/audit.types';
import { ApiKeyStoreService } from '../keys/api-key-store.service';
import { ApiKeyView } from '../keys/keys.types';
import { NOT_A_MEMBER, TeamAccessService } from '../teams/team-access.service';
import { AuthErrors } from './auth.errors';

export interface CreateApiKeyInput {
  name: string;
  keyType: ApiKeyType;
  appId?: string;
  teamId?: string;
  permissions?: unknown;
  expiresInDays?: number;
}

const DAY_MS = 24 * 60 * 60_000;

/** The `/v1/auth/keys` rules (§2.2). Users only; power comes from the role in the key's team. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly ds: DataSource,
    private readonly store: ApiKeyStoreService,
    private readonly apps: AppsService,
    private readonly access: TeamAccessService,
    private readonly audit: AuditService,
  ) {}

  async list(who: UserPrincipal, teamIdFilter?: string): Promise<ApiKeyView[]> {
    const teamIds = await this.access.scopeTeamIds(who, teamIdFilter);
    return teamIds.length ? this.store.views({ teamIds }) : [];
  }

  /** A live key in one of the caller's teams, else 404 (unknown, revoked, malformed, foreign). */
  private async visibleKey(who: UserPrincipal, id: string): Promise<ApiKeyView> {
    const key = isUuid(id) ? await this.store.view(id.toLowerCase()) : null;
    if (!key || !(await this.access.isTeamVisible(who, key.teamId))) throw new NotFoundException(AuthErrors.apiKeyNotFound);
    return key;
  }

  get(who: UserPrincipal, id: string): Promise<ApiKeyView> {
    return this.visibleKey(who, id);
  }

  async create(who: UserPrincipal, input: CreateApiKeyInput): Promise<{ key: string; view: ApiKeyView }> {
    let teamId: string;
    let appId: string | null = null;
    if (input.appId !== undefined) {
      const app = await this.apps.findActive(input.appId);
      if (!app || !(await this.access.isTeamVisible(who, app.teamId))) throw new NotFoundException(AuthErrors.appNotFound);
      teamId = app.teamId;
      appId = app.id;
    } else {
      if (!isUuid(input.teamId)) throw new ForbiddenException(NOT_A_MEMBER);
      teamId = input.teamId.toLowerCase();
    }
    await this.access.assertRole(who, teamId, TeamRole.Admin);
    let permissions = defaultPermissions(input.keyType) as string[];
    if (input.permissions !== undefined) {
      const problem = permissionListProblem(input.permissions, input.keyType);
      if (problem) throw new BadRequestException(problem);
      permissions = input.permissions as string[];
    }
    const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * DAY_MS) : null;
    const { key, id } = await this.ds.transaction(async (m) => {
      const { key, entity } = await this.store.create(
        { type: input.keyType, name: input.name, teamId, appId, createdBy: who.userId, permissions, expiresAt },
        m,
      );
      await this.audit.record(m, {
        teamId,
        actor: who,
        action: AuditAction.Create,
        resourceType: AuditResource.ApiKey,
        resourceId: entity.id,
        metadata: { key_type: input.keyType, name: input.name },
      });
      return { key, id: entity.id };
    });
    return { key, view: (await this.store.view(id))! };
  }

  async update(who: UserPrincipal, id: string, input: { name?: string; permissions?: unknown }): Promise<ApiKeyView> {
    const key = await this.visibleKey(who, id);
    await this.access.assertRole(who, key.teamId, TeamRole.Admin);
    if (input.permissions !== undefined) {
      const problem = permissionListProblem(input.permissions, key.keyType);
      if (problem) throw new BadRequestException(problem);
    }
    const permissions = input.permissions as string[] | undefined;
    await this.ds.transaction(async (m) => {
      await this.store.update(key.id, { name: input.name, permissions }, m);
      const fields: Record<string, [unknown, unknown]> = {};
      if (input.name !== undefined) fields.name = [key.name, input.name];
      if (permissions !== undefined) fields.permissions = [key.permissions, permissions];
      const changes = diff(fields, permissions !== undefined ? ['permissions'] : []);
      if (Object.keys(changes).length > 0) {
        await this.audit.record(m, {
          teamId: key.teamId,
          actor: who,
          action: AuditAction.Update,
          resourceType: AuditResource.ApiKey,
          resourceId: key.id,
          changes,
        });
      }
    });
    return (await this.store.view(key.id))!;
  }

  async revoke(who: UserPrincipal, id: string): Promise<void> {
    const key = await this.visibleKey(who, id);
    await this.access.assertRole(who, key.teamId, TeamRole.Admin);
    await this.ds.transaction(async (m) => {
      const revoked = await this.store.revoke({ ids: [key.id] }, new Date(), m);
      // Lost a race with a concurrent revoke of the same key: that one answered 200 and wrote the audit entry.
      if (revoked.length === 0) throw new NotFoundException(AuthErrors.apiKeyNotFound);
      await this.audit.record(m, {
        teamId: key.teamId,
        actor: who,
        action: AuditAction.Delete,
        resourceType: AuditResource.ApiKey,
        resourceId: key.id,
        metadata: { name: key.name },
      });
    });
  }
}
