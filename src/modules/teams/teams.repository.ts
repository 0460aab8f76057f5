import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { TeamRole } from '../../common/auth/team-role';
import { TeamMemberEntity } from './entities/team-member.entity';
import { TeamEntity } from './entities/team.entity';

/** A team as seen by one member. */
export interface MembershipRow {
  id: string;
  name: string;
  slug: string;
  role: TeamRole;
  joinedAt: Date;
}

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

  slugExists(slug: string, m?: EntityManager) {
    return this.teams(m).existsBy({ slug });
  }

  async insertTeam(name: string, slug: string, m: EntityManager): Promise<TeamEntity> {
    const now = new Date();
    const team = this.teams(m).create({ name, slug, createdAt: now, updatedAt: now, deletedAt: null });
    return this.teams(m).save(team);
  }

  async insertMember(teamId: string, userId: string, role: TeamRole, m: EntityManager): Promise<TeamMemberEntity> {
    const member = this.members(m).create({ teamId, userId, role, joinedAt: new Date() });
    await this.members(m).insert(member);
    return member;
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
