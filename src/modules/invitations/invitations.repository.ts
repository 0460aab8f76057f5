import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TeamRole } from '../../common/auth/team-role';
import { TeamInvitationEntity } from './entities/team-invitation.entity';

/** An invitation with its inviter's name and email (§2.0 Invitation). */
export interface InvitationView extends TeamInvitationEntity {
  inviterName: string;
  inviterEmail: string;
}

/** An invitation found by its token, with the live team it belongs to (the public lookup and acceptance). */
export interface TokenInvitationView {
  id: string;
  teamId: string;
  teamName: string;
  teamSlug: string;
  email: string;
  role: TeamRole;
  inviterName: string;
  expiresAt: Date;
  acceptedAt: Date | null;
}

interface ViewRow {
  id: string;
  team_id: string;
  email: string;
  role: TeamRole;
  token: string;
  invited_by_user_id: string;
  expires_at: Date;
  accepted_at: Date | null;
  created_at: Date;
  inviter_name: string;
  inviter_email: string;
}

@Injectable()
export class InvitationsRepository {
  constructor(private readonly ds: DataSource) {}

  private repo(m?: EntityManager) {
    return (m ?? this.ds.manager).getRepository(TeamInvitationEntity);
  }

  /** Invitations with their inviter, oldest first; `pendingAt` keeps only unaccepted ones expiring after it. */
  async findViews(where: { ids?: string[]; teamId?: string; pendingAt?: Date }, m?: EntityManager): Promise<InvitationView[]> {
    const params: unknown[] = [];
    const cond: string[] = [];
    if (where.ids) cond.push(`i.id = ANY($${params.push(where.ids)}::uuid[])`);
    if (where.teamId) cond.push(`i.team_id = $${params.push(where.teamId)}`);
    if (where.pendingAt) cond.push(`i.accepted_at IS NULL AND i.expires_at > $${params.push(where.pendingAt)}`);
    const rows: ViewRow[] = await (m ?? this.ds.manager).query(
      `SELECT i.id, i.team_id, i.email, i.role, i.token, i.invited_by_user_id, i.expires_at, i.accepted_at, i.created_at,
              u.name AS inviter_name, u.email AS inviter_email
         FROM team_invitations i JOIN users u ON u.id = i.invited_by_user_id
        ${cond.length ? `WHERE ${cond.join(' AND ')}` : ''}
        ORDER BY i.created_at ASC, i.id ASC`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      teamId: r.team_id,
      email: r.email,
      role: r.role,
      token: r.token,
      invitedByUserId: r.invited_by_user_id,
      expiresAt: r.expires_at,
      acceptedAt: r.accepted_at,
      createdAt: r.created_at,
      inviterName: r.inviter_name,
      inviterEmail: r.inviter_email,
    }));
  }

  /** The team's invitation for an email, row-locked for the rest of the transaction. */
  findForEmailLocked(teamId: string, email: string, m: EntityManager): Promise<TeamInvitationEntity | null> {
    return this.repo(m).findOne({ where: { teamId, email }, lock: { mode: 'pessimistic_write' } });
  }

  findById(id: string, m?: EntityManager): Promise<TeamInvitationEntity | null> {
    return this.repo(m).findOneBy({ id });
  }

  async insert(row: Omit<TeamInvitationEntity, 'id' | 'acceptedAt'>, m: EntityManager): Promise<TeamInvitationEntity> {
    return this.repo(m).save(this.repo(m).create({ ...row, acceptedAt: null }));
  }

  /** A resend: same id and created_at, everything else new. */
  async resend(
    id: string,
    fields: Pick<TeamInvitationEntity, 'token' | 'role' | 'invitedByUserId' | 'expiresAt'>,
    m: EntityManager,
  ): Promise<void> {
    await this.repo(m).update({ id }, fields);
  }

  async deleteById(id: string, m: EntityManager): Promise<void> {
    await this.repo(m).delete({ id });
  }

  /** Deletes one invitation of a team; false when there was none. */
  async deleteInTeam(id: string, teamId: string, m: EntityManager): Promise<boolean> {
    const result = await this.repo(m).delete({ id, teamId });
    return (result.affected ?? 0) > 0;
  }

  async deleteAllInTeam(teamId: string, m: EntityManager): Promise<void> {
    await this.repo(m).delete({ teamId });
  }

  /** The invitation holding this token, if its team is live. */
  async findByToken(token: string, m?: EntityManager): Promise<TokenInvitationView | null> {
    const rows: {
      id: string;
      team_id: string;
      team_name: string;
      team_slug: string;
      email: string;
      role: TeamRole;
      inviter_name: string;
      expires_at: Date;
      accepted_at: Date | null;
    }[] = await (m ?? this.ds.manager).query(
      `SELECT i.id, i.team_id, t.name AS team_name, t.slug AS team_slug, i.email, i.role, u.name AS inviter_name,
              i.expires_at, i.accepted_at
         FROM team_invitations i
         JOIN teams t ON t.id = i.team_id AND t.deleted_at IS NULL
         JOIN users u ON u.id = i.invited_by_user_id
        WHERE i.token = $1`,
      [token],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      teamId: r.team_id,
      teamName: r.team_name,
      teamSlug: r.team_slug,
      email: r.email,
      role: r.role,
      inviterName: r.inviter_name,
      expiresAt: r.expires_at,
      acceptedAt: r.accepted_at,
    };
  }

  /**
   * The single-use guard of B8: marks the invitation accepted only while it is still unaccepted and still
   * holds this token. Concurrent callers queue on the row lock; after the winner commits, the others
   * re-check the condition and update nothing.
   */
  async markAccepted(id: string, token: string, at: Date, m: EntityManager): Promise<boolean> {
    const [, affected]: [unknown, number] = await m.query(
      `UPDATE team_invitations SET accepted_at = $3 WHERE id = $1 AND token = $2 AND accepted_at IS NULL`,
      [id, token, at],
    );
    return affected > 0;
  }
}
