import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TeamRole } from '../../../common/auth/team-role';

/** One row per (team, email); resends reuse it, acceptance marks it, revocation and team deletion hard-delete it. */
@Entity('team_invitations')
export class TeamInvitationEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) teamId: string;
  @Column({ type: 'varchar' }) email: string;
  @Column({ type: 'varchar' }) role: TeamRole;
  @Column({ type: 'uuid' }) token: string;
  @Column({ type: 'uuid' }) invitedByUserId: string;
  @Column({ type: 'timestamptz' }) expiresAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) acceptedAt: Date | null;
  @Column({ type: 'timestamptz' }) createdAt: Date;
}
