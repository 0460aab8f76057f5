import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { TeamRole } from '../../common/auth/team-role';
import { TeamMemberEntity } from './entities/team-member.entity';
import { MemberRow, MembershipRow } from './teams.types';
import { TeamEntity } from './entities/team.entity';

@Injectable()
export class TeamsRepository {
  constructor(private readonly ds: DataSource) {}

  private teams(m?: EntityManager) {
    return (m ?? this.ds.manager).getRepository(TeamEntity);
  }

  private members(m?: EntityManager) {
    return (m ?? this.ds.manager).getRepository(TeamMemberEntity);
  }

  findActive(id: string, m?: EntityManager) {
    return this.teams(m).findOneBy({ id, deletedAt: IsNull() });
  }

  /** Over every row, soft-deleted ones included: slugs stay taken until the team is purged (§2.3). */
  slugExists(slug: string, m?: EntityManager) {
    return this.teams(m).existsBy({ slug });
  }

  async insertTeam(name: string, slug: string, m: EntityManager): Promise<TeamEntity> {
    const now = new Date();
    const team = this.teams(m).create({ name, slug, createdAt: now, updatedAt: now, deletedAt: null });
    return this.teams(m).save(team);
  }

  /**
   * Locks a live team's row for the rest of the transaction, so membership changes of one team (role
   * changes, removals, deletion) run one after another and owner counts stay true. NO KEY UPDATE leaves
   * the foreign-key checks of concurrent member inserts unblocked. False when the team is gone.
   */
  async lockActive(id: string, m: EntityManager): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT id FROM teams WHERE id = $1 AND deleted_at IS NULL FOR NO KEY UPDATE`, [id]);
    return rows.length > 0;
  }

  /**
   * Locks every live team `userId` belongs to, in id order (so concurrent callers queue instead of
   * deadlocking). Team deletes take it first: two deletes touching one user's teams then see each other's
   * outcome before the "only team" check.
   */
  async lockTeamsOf(userId: string, m: EntityManager): Promise<void> {
    await m.query(
      `SELECT t.id FROM teams t JOIN team_members tm ON tm.team_id = t.id
        WHERE tm.user_id = $1 AND t.deleted_at IS NULL ORDER BY t.id FOR NO KEY UPDATE OF t`,
      [userId],
    );
  }

  async rename(id: string, name: string, m: EntityManager): Promise<TeamEntity> {
    await this.teams(m).update({ id }, { name, updatedAt: new Date() });
    return this.teams(m).findOneByOrFail({ id });
  }

  async softDelete(id: string, at: Date, m: EntityManager): Promise<void> {
    await this.teams(m).update({ id }, { deletedAt: at, updatedAt: at });
  }

  async insertMember(teamId: string, userId: string, role: TeamRole, m: EntityManager): Promise<TeamMemberEntity> {
    const member = this.members(m).create({ teamId, userId, role, joinedAt: new Date() });
    await this.members(m).insert(member);
    return member;
  }

  /** Adds the member unless already present; true when a row was inserted. */
  async insertMemberIfAbsent(teamId: string, userId: string, role: TeamRole, m: EntityManager): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (team_id, user_id) DO NOTHING RETURNING user_id`,
      [teamId, userId, role, new Date()],
    );
    return rows.length > 0;
  }

  findMember(teamId: string, userId: string, m?: EntityManager): Promise<TeamMemberEntity | null> {
    return this.members(m).findOneBy({ teamId, userId });
  }

  async updateMemberRole(teamId: string, userId: string, role: TeamRole, m: EntityManager): Promise<void> {
    await this.members(m).update({ teamId, userId }, { role });
  }

  async deleteMember(teamId: string, userId: string, m: EntityManager): Promise<void> {
    await this.members(m).delete({ teamId, userId });
  }

  async deleteAllMembers(teamId: string, m: EntityManager): Promise<void> {
    await this.members(m).delete({ teamId });
  }

  countOwners(teamId: string, m: EntityManager): Promise<number> {
    return this.members(m).countBy({ teamId, role: TeamRole.Owner });
  }

  /** Members with their user's email and name, oldest membership first. */
  async membersOf(teamId: string, m?: EntityManager): Promise<MemberRow[]> {
    const rows: { user_id: string; email: string; name: string; role: TeamRole; joined_at: Date }[] = await (m ?? this.ds.manager).query(
      `SELECT tm.user_id, u.email, u.name, tm.role, tm.joined_at FROM team_members tm JOIN users u ON u.id = tm.user_id
        WHERE tm.team_id = $1 ORDER BY tm.joined_at ASC, tm.user_id ASC`,
      [teamId],
    );
    return rows.map((r) => ({ userId: r.user_id, email: r.email, name: r.name, role: r.role, joinedAt: r.joined_at }));
  }

  /** The caller's role in a live team, or null. */
  async roleOf(userId: string, teamId: string, m?: EntityManager): Promise<TeamRole | null> {
    const rows: { role: TeamRole }[] = await (m ?? this.ds.manager).query(
      `SELECT tm.role FROM team_members tm JOIN teams t ON t.id = tm.team_id
        WHERE tm.user_id = $1 AND tm.team_id = $2 AND t.deleted_at IS NULL`,
      [userId, teamId],
    );
    return rows[0]?.role ?? null;
  }

  /** Live teams of a user, oldest membership first. */
  async membershipsOf(userId: string, m?: EntityManager): Promise<MembershipRow[]> {
    const rows: { id: string; name: string; slug: string; role: TeamRole; joined_at: Date }[] = await (m ?? this.ds.manager).query(
      `SELECT t.id, t.name, t.slug, tm.role, tm.joined_at FROM team_members tm JOIN teams t ON t.id = tm.team_id
        WHERE tm.user_id = $1 AND t.deleted_at IS NULL ORDER BY tm.joined_at ASC, t.id ASC`,
      [userId],
    );
    return rows.map((r) => ({ id: r.id, name: r.name, slug: r.slug, role: r.role, joinedAt: r.joined_at }));
  }
}
