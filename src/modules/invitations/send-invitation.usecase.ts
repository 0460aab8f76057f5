import {
  BadGatewayException,
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DataSource, EntityManager } from 'typeorm';
import { UserPrincipal } from '../../common/auth/principal';
import { TeamRole, canGrantRole, isTeamRole } from '../../common/auth/team-role';
import { parseEmail } from '../../common/http/email';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AuditService } from '../audit/audit.service';
import { AuditAction, AuditResource } from '../audit/audit.types';
import { MailService } from '../mail/mail.service';
import { TeamAccessService } from '../teams/team-access.service';
import { TeamsErrors } from '../teams/teams.errors';
import { TeamsService } from '../teams/teams.service';
import { UsersService } from '../users/users.service';
import { INVITATION_TTL_MS, InvitationsErrors } from './invitations.errors';
import { InvitationView, InvitationsRepository } from './invitations.repository';

/**
 * POST /teams/:teamId/invitations (§2.4): create, resend (same id and created_at, new token, role,
 * inviter and expiry) or replace an accepted one; then mail the link. The invitation is committed
 * before the mail goes out, so a delivery failure (502) leaves it saved and a resend retries.
 */
@Injectable()
export class SendInvitationUseCase {
  constructor(
    private readonly ds: DataSource,
    private readonly invitations: InvitationsRepository,
    private readonly teams: TeamsService,
    private readonly access: TeamAccessService,
    private readonly users: UsersService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(SendInvitationUseCase.name) private readonly log: PinoLogger,
  ) {}

  async execute(actor: UserPrincipal, rawTeamId: string, input: { email: unknown; role?: unknown }): Promise<InvitationView> {
    const email = parseEmail(input.email);
    if (!email) throw new BadRequestException(InvitationsErrors.validEmailRequired);
    const role = input.role === undefined ? TeamRole.Member : input.role;
    if (!isTeamRole(role)) throw new BadRequestException(InvitationsErrors.invalidRole);
    const teamId = rawTeamId.toLowerCase();
    const actorRole = (await this.access.assertRole(actor, teamId, TeamRole.Admin)) as TeamRole;
    if (!canGrantRole(actorRole, role)) throw new ForbiddenException(InvitationsErrors.onlyOwnersInviteOwner);
    const invitee = await this.users.findByEmail(email);
    if (invitee && (await this.teams.roleOf(invitee.id, teamId))) throw new ConflictException(InvitationsErrors.alreadyMember);
    const team = await this.teams.findActive(teamId);
    if (!team) throw new NotFoundException(TeamsErrors.teamNotFound);

    // Two first invitations for one email may race; the loser hits the (team_id, email) unique index and
    // answers 409 "An invitation for this email already exists" (INVITATIONS_CONSTRAINTS).
    const id = await this.ds.transaction((m) => this.save(actor, teamId, email, role, m));
    const [invitation] = await this.invitations.findViews({ ids: [id] });
    try {
      await this.mail.sendInvitation(email, {
        teamName: team.name,
        inviterName: invitation.inviterName,
        role,
        link: `${this.config.webAppUrl}/invite/accept?token=${invitation.token}`,
      });
    } catch (err) {
      this.log.warn({ err, invitationId: id }, 'invitation email delivery failed');
      throw new BadGatewayException(InvitationsErrors.sendFailed);
    }
    return invitation;
  }

  private async save(actor: UserPrincipal, teamId: string, email: string, role: TeamRole, m: EntityManager): Promise<string> {
    const fresh = {
      token: randomUUID(),
      role,
      invitedByUserId: actor.userId,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    };
    const existing = await this.invitations.findForEmailLocked(teamId, email, m);
    let id: string;
    if (existing && existing.acceptedAt === null) {
      await this.invitations.resend(existing.id, fresh, m);
      id = existing.id;
    } else {
      if (existing) await this.invitations.deleteById(existing.id, m);
      id = (await this.invitations.insert({ teamId, email, createdAt: new Date(), ...fresh }, m)).id;
    }
    await this.audit.record(m, {
      teamId,
      actor,
      action: AuditAction.Create,
      resourceType: AuditResource.Invitation,
      resourceId: id,
      metadata: { email, role },
    });
    return id;
  }
}
