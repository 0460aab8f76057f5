import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ApiKeyType } from '../../../common/auth/permission';

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar' }) keyHash: string;
  @Column({ type: 'varchar' }) keyPrefix: string;
  @Column({ type: 'varchar' }) keyType: ApiKeyType;
  @Column({ type: 'uuid', nullable: true }) appId: string | null;
  @Column({ type: 'uuid' }) teamId: string;
  @Column({ type: 'varchar' }) name: string;
  @Column({ type: 'uuid' }) createdBy: string;
  @Column({ type: 'jsonb' }) permissions: string[];
  @Column({ type: 'timestamptz', nullable: true }) lastUsedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) expiresAt: Date | null;
  @Column({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz' }) updatedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) deletedAt: Date | null;
}
