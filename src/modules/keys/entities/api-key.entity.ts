import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ApiKeyType } from '../../../common/auth/permission';
import { AppEntity } from '../../apps/entities/app.entity';
import { TeamEntity } from '../../teams/entities/team.entity';
import { UserEntity } from '../../users/entities/user.entity';

/** api_keys (migration 1732700000000); names, lengths and precision match it (`npm run migration:check`). */
@Entity('api_keys')
@Check('api_keys_key_type_check', `key_type IN ('client', 'agent')`)
@Unique('api_keys_key_hash_key', ['keyHash'])
@Index('api_keys_team_idx', ['teamId', 'createdAt'])
@Index('api_keys_app_idx', ['appId'])
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 64 }) keyHash: string;
  @Column({ type: 'varchar', length: 16 }) keyPrefix: string;
  @Column({ type: 'varchar', length: 16 }) keyType: ApiKeyType;
  @ForeignKey(() => AppEntity, { name: 'api_keys_app_id_fkey', onDelete: 'CASCADE' })
  @Column({ type: 'uuid', nullable: true })
  appId: string | null;
  @ForeignKey(() => TeamEntity, { name: 'api_keys_team_id_fkey', onDelete: 'CASCADE' })
  @Column({ type: 'uuid' })
  teamId: string;
  @Column({ type: 'varchar', length: 255 }) name: string;
  @ForeignKey(() => UserEntity, { name: 'api_keys_created_by_fkey', onDelete: 'CASCADE' })
  @Column({ type: 'uuid' })
  createdBy: string;
  @Column({ type: 'jsonb' }) permissions: string[];
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) lastUsedAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) expiresAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) createdAt: Date;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) updatedAt: Date;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) deletedAt: Date | null;
}
