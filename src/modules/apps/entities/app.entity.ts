import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AppPlatform = 'apple' | 'android' | 'web' | 'backend';

/** Every platform, in the order the contract lists them (SPEC §2.6). */
export const APP_PLATFORMS: readonly AppPlatform[] = ['apple', 'android', 'web', 'backend'];

/** Backend apps have no bundle id: it is ignored on create and never checked on ingest. */
export const BACKEND_PLATFORM: AppPlatform = 'backend';

export const isAppPlatform = (v: unknown): v is AppPlatform => typeof v === 'string' && (APP_PLATFORMS as string[]).includes(v);

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
