import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AppPlatform = 'apple' | 'android' | 'web' | 'backend';

@Entity('apps')
export class AppEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) teamId: string;
  @Column({ type: 'uuid' }) projectId: string;
  @Column({ type: 'varchar' }) name: string;
  @Column({ type: 'varchar' }) platform: AppPlatform;
  @Column({ type: 'varchar', nullable: true }) bundleId: string | null;
  @Column({ type: 'varchar' }) clientKey: string;
  @Column({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) deletedAt: Date | null;
}
