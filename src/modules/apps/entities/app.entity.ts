import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ProjectEntity } from '../../projects/entities/project.entity';
import { TeamEntity } from '../../teams/entities/team.entity';

export type AppPlatform = 'apple' | 'android' | 'web' | 'backend';

/** Every platform, in the order the contract lists them (SPEC §2.6). */
export const APP_PLATFORMS: readonly AppPlatform[] = ['apple', 'android', 'web', 'backend'];

/** Backend apps have no bundle id: it is ignored on create and never checked on ingest. */
export const BACKEND_PLATFORM: AppPlatform = 'backend';

export const isAppPlatform = (v: unknown): v is AppPlatform => typeof v === 'string' && (APP_PLATFORMS as string[]).includes(v);

/** apps (migration 1732700000000); names, lengths and precision match it (`npm run migration:check`). */
@Entity('apps')
@Check('apps_platform_check', `platform IN ('apple', 'android', 'web', 'backend')`)
@Index('apps_team_idx', ['teamId', 'createdAt'])
@Index('apps_project_idx', ['projectId', 'createdAt'])
export class AppEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @ForeignKey(() => TeamEntity, { name: 'apps_team_id_fkey', onDelete: 'CASCADE' })
  @Column({ type: 'uuid' })
  teamId: string;
  @ForeignKey(() => ProjectEntity, { name: 'apps_project_id_fkey', onDelete: 'CASCADE' })
  @Column({ type: 'uuid' })
  projectId: string;
  @Column({ type: 'varchar', length: 255 }) name: string;
  @Column({ type: 'varchar', length: 16 }) platform: AppPlatform;
  @Column({ type: 'varchar', length: 255, nullable: true }) bundleId: string | null;
  @Column({ type: 'varchar', length: 64 }) clientKey: string;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) createdAt: Date;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) deletedAt: Date | null;
}
