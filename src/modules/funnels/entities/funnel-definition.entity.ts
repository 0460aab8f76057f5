import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { FunnelStep } from '../funnel-steps';

/**
 * funnel_definitions (migration 1764600000000): soft-deleted; the slug is unique among live rows of a project.
 * Names, lengths and precision match the migration (`npm run migration:check`).
 */
@Entity('funnel_definitions')
@Index('funnel_definitions_project_slug_key', ['projectId', 'slug'], { unique: true, where: 'deleted_at IS NULL' })
@Index('funnel_definitions_project_created_idx', ['projectId', 'createdAt', 'id'])
export class FunnelDefinitionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) projectId: string;
  @Column({ type: 'varchar', length: 255 }) name: string;
  @Column({ type: 'varchar', length: 255 }) slug: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'jsonb' }) steps: FunnelStep[];
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) createdAt: Date;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) updatedAt: Date;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) deletedAt: Date | null;
}
