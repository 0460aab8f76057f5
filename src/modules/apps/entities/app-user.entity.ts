import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * A user id seen by one app (created by ingest, merged by identity claim). No foreign key (like events).
 * app_users (migration 1732700000000); names, lengths and precision match it (`npm run migration:check`).
 */
@Entity('app_users')
@Unique('app_users_app_user_key', ['appId', 'userId'])
@Index('app_users_app_seen_idx', ['appId', 'lastSeenAt', 'id']) // (app_id, last_seen_at DESC, id DESC) in SQL
export class AppUserEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) appId: string;
  @Column({ type: 'varchar', length: 512 }) userId: string;
  @Column({ type: 'boolean' }) isAnonymous: boolean;
  @Column({ type: 'jsonb', nullable: true }) claimedFrom: string[] | null;
  @Column({ type: 'timestamptz', precision: 3 }) firstSeenAt: Date;
  @Column({ type: 'timestamptz', precision: 3 }) lastSeenAt: Date;
}
