import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { TeamRole } from '../../../common/auth/team-role';
import { UserEntity } from '../../users/entities/user.entity';
import { TeamEntity } from './team.entity';

/** team_members (migration 1732700000000); names, lengths and precision match it (`npm run migration:check`). */
@Entity('team_members')
@Check('team_members_role_check', `role IN ('owner', 'admin', 'member')`)
@Index('team_members_user_idx', ['userId', 'joinedAt'])
export class TeamMemberEntity {
  @ForeignKey(() => TeamEntity, { name: 'team_members_team_id_fkey', onDelete: 'CASCADE' })
  @PrimaryColumn('uuid')
  teamId: string;
  @ForeignKey(() => UserEntity, { name: 'team_members_user_id_fkey', onDelete: 'CASCADE' })
  @PrimaryColumn('uuid')
  userId: string;
  @Column({ type: 'varchar', length: 16 }) role: TeamRole;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) joinedAt: Date;
}
