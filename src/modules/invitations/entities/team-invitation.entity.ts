import { Check, Column, Entity, ForeignKey, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { TeamRole } from '../../../common/auth/team-role';
import { TeamEntity } from '../../teams/entities/team.entity';
import { UserEntity } from '../../users/entities/user.entity';

/**
 * One row per (team, email); resends reuse it, acceptance marks it, revocation and team deletion hard-delete it.
 * team_invitations (migration 1732700000000); names, lengths and precision match it (`npm run migration:check`).
 */
@Entity('team_invitations')
@Check('team_invitations_role_check', `role IN ('owner', 'admin', 'member')`)
@Unique('team_invitations_token_key', ['token'])
@Unique('team_invitations_team_email_key', ['teamId', 'email'])
export class TeamInvitationEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @ForeignKey(() => TeamEntity, { name: 'team_invitations_team_id_fkey', onDelete: 'CASCADE' })
  @Column({ type: 'uuid' })
  teamId: string;
  @Column({ type: 'varchar', length: 255 }) email: string;
  @Column({ type: 'varchar', length: 16 }) role: TeamRole;
  @Column({ type: 'uuid' }) token: string;
  @ForeignKey(() => UserEntity, { name: 'team_invitations_invited_by_user_id_fkey', onDelete: 'CASCADE' })
  @Column({ type: 'uuid' })
  invitedByUserId: string;
  @Column({ type: 'timestamptz', precision: 3 }) expiresAt: Date;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) acceptedAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) createdAt: Date;
}
