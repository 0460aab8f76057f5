import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { MetricStatus } from '../metric-rules';

/**
 * `metric_definitions` (migration 1764600000000): soft-deleted; slug unique among live rows of a project.
 * Names, lengths and precision match the migration (`npm run migration:check`).
 */
@Entity('metric_definitions')
@Check('metric_definitions_status_check', `status IN ('active', 'paused')`)
@Index('metric_definitions_project_slug_key', ['projectId', 'slug'], { unique: true, where: 'deleted_at IS NULL' })
@Index('metric_definitions_project_created_idx', ['projectId', 'createdAt', 'id'])
export class MetricDefinitionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) projectId: string;
  @Column({ type: 'varchar', length: 255 }) name: string;
  @Column({ type: 'varchar', length: 255 }) slug: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'text', nullable: true }) documentation: string | null;
  @Column({ type: 'jsonb', nullable: true }) schemaDefinition: Record<string, unknown> | null;
  @Column({ type: 'jsonb', nullable: true }) aggregationRules: Record<string, unknown> | null;
  @Column({ type: 'varchar', length: 16, default: 'active' }) status: MetricStatus;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) createdAt: Date;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) updatedAt: Date;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) deletedAt: Date | null;
}
