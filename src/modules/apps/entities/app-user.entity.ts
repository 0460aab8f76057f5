import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A user id seen by one app (created by ingest, merged by identity claim). */
@Entity('app_users')
export class AppUserEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) appId: string;
  @Column({ type: 'varchar' }) userId: string;
  @Column({ type: 'boolean' }) isAnonymous: boolean;
  @Column({ type: 'jsonb', nullable: true }) claimedFrom: string[] | null;
  @Column({ type: 'timestamptz' }) firstSeenAt: Date;
  @Column({ type: 'timestamptz' }) lastSeenAt: Date;
}
