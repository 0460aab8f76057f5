import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TeamRole } from '../../../common/auth/team-role';

@Entity('team_members')
export class TeamMemberEntity {
  @PrimaryColumn('uuid') teamId: string;
  @PrimaryColumn('uuid') userId: string;
  @Column({ type: 'varchar' }) role: TeamRole;
  @Column({ type: 'timestamptz' }) joinedAt: Date;
}
