import { GoneException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UserPrincipal } from '../../common/auth/principal';
import { isUuid } from '../../common/http/uuid';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditResource } from '../audit/audit.types';
import { TeamEntity } from '../teams/entities/team.entity';
import { MemberRow } from '../teams/teams.types';
import { TeamsService } from '../teams/teams.service';
import { InvitationsErrors } from './invitations.errors';
import { InvitationView, InvitationsRepository, TokenInvitationView } from './invitations.repository';

/** Reading and revoking invitations; sending and accepting are use cases of their own. */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly ds: DataSource,
    private readonly invitations: InvitationsRepository,
    private readonly teams: TeamsService,
    private readonly audit: AuditService,
  ) {}

  /** A deleted team's invitations are hard-deleted in the deletion's transaction (§2.3), so their tokens die with it. */
  async deleteForTeam(teamId: string, m: EntityManager): Promise<void> {
    await this.invitations.deleteAllInTeam(teamId, m);
  }

  /** Unaccepted, unexpired invitations of a team, oldest first. */
  pending(teamId: string): Promise<InvitationView[]> {
    return this.invitations.findViews({ teamId: teamId.toLowerCase(), pendingAt: new Date() });
  }

  /** GET /teams/:teamId: the team with its members and pending invitations. */
  async teamDetails(teamId: string): Promise<{ team: TeamEntity; members: MemberRow[]; invitations: InvitationView[] }> {
    const team = await this.teams.get(teamId);
    const [members, invitations] = await Promise.all([this.teams.membersOf(team.id), this.pending(team.id)]);
    return { team, members, invitations };
  }

  async revoke(actor: UserPrincipal, teamId: string, invitationId: string): Promise<void> {
    if (!isUuid(invitationId)) throw new NotFoundException(InvitationsErrors.notFound);
    const team = teamId.toLowerCase();
    const id = invitationId.toLowerCase();
    await this.ds.transaction(async (m) => {
      if (!(await this.invitations.deleteInTeam(id, team, m))) throw new NotFoundException(InvitationsErrors.notFound);
      await this.audit.record(m, {
        teamId: team,
        actor,
        action: AuditAction.Delete,
        resourceType: AuditResource.Invitation,
        resourceId: id,
      });
    });
  }

  /** GET /invites/:token — unknown, malformed, replaced, revoked or of a deleted team: 404; then 410s. */
  async lookup(token: string): Promise<TokenInvitationView> {
    const invitation = isUuid(token) ? await this.invitations.findByToken(token.toLowerCase()) : null;
    if (!invitation) throw new NotFoundException(InvitationsErrors.notFound);
    if (invitation.acceptedAt) throw new GoneException(InvitationsErrors.alreadyAccepted);
    if (invitation.expiresAt.getTime() <= Date.now()) throw new GoneException(InvitationsErrors.expired);
    return invitation;
  }
}
