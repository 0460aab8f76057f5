import { ForbiddenException, GoneException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UserPrincipal } from '../../common/auth/principal';
import { TeamRole } from '../../common/auth/team-role';
import { toIso } from '../../common/http/timestamp';
import { isUuid } from '../../common/http/uuid';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditEntry, AuditResource, diff } from '../audit/audit.types';
import { TeamsService } from '../teams/teams.service';
import { InvitationsErrors, wrongRecipientMessage } from './invitations.errors';
import { InvitationsRepository } from './invitations.repository';

export interface AcceptedInvitation {
  teamId: string;
  teamName: string;
  role: TeamRole;
}

/**
 * POST /invites/accept (§2.4, B8). One transaction: the checks, the guarded "still unaccepted" update,
 * the membership and the audit entries. Of concurrent accepts exactly one update succeeds; the rest
 * answer 410 "already accepted" and roll back.
 */
@Injectable()
export class AcceptInvitationUseCase {
  constructor(
    private readonly ds: DataSource,
    private readonly invitations: InvitationsRepository,
    private readonly teams: TeamsService,
    private readonly audit: AuditService,
  ) {}

  async execute(actor: UserPrincipal, rawToken: string): Promise<AcceptedInvitation> {
    if (!isUuid(rawToken)) throw new NotFoundException(InvitationsErrors.notFound);
    const token = rawToken.toLowerCase();
    return this.ds.transaction(async (m) => {
      const invitation = await this.invitations.findByToken(token, m);
      if (!invitation) throw new NotFoundException(InvitationsErrors.notFound);
      if (invitation.acceptedAt) throw new GoneException(InvitationsErrors.alreadyAccepted);
      const now = new Date();
      if (invitation.expiresAt.getTime() <= now.getTime()) throw new GoneException(InvitationsErrors.expired);
      const callerEmail = actor.email.toLowerCase();
      if (invitation.email !== callerEmail) throw new ForbiddenException(wrongRecipientMessage(invitation.email, callerEmail));

      if (!(await this.invitations.markAccepted(invitation.id, token, now, m))) {
        // Lost the race: someone accepted it first (410), or it was resent or revoked meanwhile (404).
        const current = await this.invitations.findById(invitation.id, m);
        if (current?.acceptedAt) throw new GoneException(InvitationsErrors.alreadyAccepted);
        throw new NotFoundException(InvitationsErrors.notFound);
      }
      const membership = await this.teams.addMemberIfAbsent(invitation.teamId, actor.userId, invitation.role, m);
      const entries: AuditEntry[] = [];
      if (membership.created) {
        entries.push({
          teamId: invitation.teamId,
          actor,
          action: AuditAction.Create,
          resourceType: AuditResource.TeamMember,
          resourceId: actor.userId,
          metadata: { role: invitation.role, via: 'invitation' },
        });
      }
      entries.push({
        teamId: invitation.teamId,
        actor,
        action: AuditAction.Update,
        resourceType: AuditResource.Invitation,
        resourceId: invitation.id,
        changes: diff({ accepted_at: [null, toIso(now)] }),
      });
      await this.audit.record(m, ...entries);
      return { teamId: invitation.teamId, teamName: invitation.teamName, role: membership.role };
    });
  }
}
