import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKeyType } from '../../common/auth/permission';
import { UserPrincipal } from '../../common/auth/principal';
import { TeamRole, canGrantRole, canManageRole } from '../../common/auth/team-role';
import { isUuid } from '../../common/http/uuid';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditEntry, AuditResource, diff } from '../audit/audit.types';
import { ApiKeyStoreService } from '../keys/api-key-store.service';
import { TeamMemberEntity } from './entities/team-member.entity';
import { TeamAccessService } from './team-access.service';
import { TeamsErrors } from './teams.errors';
import { TeamsRepository } from './teams.repository';
import { MemberRow } from './teams.types';

/** The user a path segment names, when it is the caller (ids compare case-insensitively, §1.3). */
const isSelf = (actor: UserPrincipal, userId: string): boolean => userId.toLowerCase() === actor.userId;

/**
 * Role changes and removals. Each runs in a transaction holding the team row lock, and re-reads the
 * caller's role there, so concurrent changes cannot leave a team without an owner.
 */
@Injectable()
export class TeamMembersService {
  constructor(
    private readonly ds: DataSource,
    private readonly teams: TeamsRepository,
    private readonly access: TeamAccessService,
    private readonly keys: ApiKeyStoreService,
    private readonly audit: AuditService,
  ) {}

  list(teamId: string): Promise<MemberRow[]> {
    return this.teams.membersOf(teamId.toLowerCase());
  }

  private findMember(teamId: string, userId: string, m: EntityManager): Promise<TeamMemberEntity | null> {
    return isUuid(userId) ? this.teams.findMember(teamId, userId.toLowerCase(), m) : Promise.resolve(null);
  }

  /** PATCH /teams/:teamId/members/:userId — check order of §2.3 after the guard's admin check. */
  async changeRole(actor: UserPrincipal, teamId: string, userId: string, role: TeamRole): Promise<{ userId: string; role: TeamRole }> {
    if (isSelf(actor, userId)) throw new BadRequestException(TeamsErrors.ownRole);
    const id = teamId.toLowerCase();
    return this.ds.transaction(async (m) => {
      await this.teams.lockActive(id, m);
      const actorRole = (await this.access.assertRole(actor, id, TeamRole.Admin, m)) as TeamRole;
      if (!canGrantRole(actorRole, role)) throw new ForbiddenException(TeamsErrors.onlyOwnersPromote);
      const target = await this.findMember(id, userId, m);
      if (!target) throw new NotFoundException(TeamsErrors.memberNotFound);
      if (!canManageRole(actorRole, target.role)) throw new ForbiddenException(TeamsErrors.equalOrHigherRole);
      if (target.role === TeamRole.Owner && role !== TeamRole.Owner && (await this.teams.countOwners(id, m)) <= 1) {
        throw new BadRequestException(TeamsErrors.lastOwner);
      }
      if (target.role !== role) {
        await this.teams.updateMemberRole(id, target.userId, role, m);
        await this.audit.record(m, {
          teamId: id,
          actor,
          action: AuditAction.Update,
          resourceType: AuditResource.TeamMember,
          resourceId: target.userId,
          changes: diff({ role: [target.role, role] }),
        });
      }
      return { userId: target.userId, role };
    });
  }

  /**
   * DELETE /teams/:teamId/members/:userId. Leaving (the caller's own id) is open to every member but the
   * sole owner; removing someone else needs admin+ and a strictly higher role (owners: anyone).
   * With `revokeAgentKeys`, the removed user's live agent keys of this team are revoked too.
   */
  async remove(actor: UserPrincipal, teamId: string, userId: string, revokeAgentKeys: boolean): Promise<{ revokedAgentKeys: number }> {
    const id = teamId.toLowerCase();
    const leaving = isSelf(actor, userId);
    return this.ds.transaction(async (m) => {
      await this.teams.lockActive(id, m);
      let targetId: string;
      if (leaving) {
        const role = await this.access.assertRole(actor, id, TeamRole.Member, m);
        if (role === TeamRole.Owner && (await this.teams.countOwners(id, m)) <= 1) {
          throw new BadRequestException(TeamsErrors.soleOwnerLeaving);
        }
        targetId = actor.userId;
      } else {
        const actorRole = (await this.access.assertRole(actor, id, TeamRole.Admin, m)) as TeamRole;
        const target = await this.findMember(id, userId, m);
        if (!target) throw new NotFoundException(TeamsErrors.memberNotFound);
        if (!canManageRole(actorRole, target.role)) throw new ForbiddenException(TeamsErrors.removeEqualOrHigher);
        targetId = target.userId;
      }
      const at = new Date();
      await this.teams.deleteMember(id, targetId, m);
      const revoked = revokeAgentKeys ? await this.keys.revoke({ teamId: id, keyType: ApiKeyType.Agent, createdBy: targetId }, at, m) : [];
      const entries: AuditEntry[] = [
        {
          teamId: id,
          actor,
          action: AuditAction.Delete,
          resourceType: AuditResource.TeamMember,
          resourceId: targetId,
          metadata: leaving ? { via: 'leave' } : null,
        },
        ...revoked.map((k): AuditEntry => ({
          teamId: id,
          actor,
          action: AuditAction.Delete,
          resourceType: AuditResource.ApiKey,
          resourceId: k.id,
        })),
      ];
      await this.audit.record(m, ...entries);
      return { revokedAgentKeys: revoked.length };
    });
  }

  /** Live agent keys a user created in this team; someone else's keys need admin+. */
  async agentKeys(actor: UserPrincipal, teamId: string, userId: string) {
    const id = teamId.toLowerCase();
    if (!isSelf(actor, userId)) await this.access.assertRole(actor, id, TeamRole.Admin);
    if (!isUuid(userId)) return [];
    return this.keys.views({ teamIds: [id], keyType: ApiKeyType.Agent, createdBy: userId.toLowerCase() });
  }
}
