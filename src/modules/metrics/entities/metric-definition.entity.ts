import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { MetricStatus } from '../metric-rules';

/** `metric_definitions` (migration 1764600000000): soft-deleted; slug unique among live rows of a project. */
@Entity('metric_definitions')
export class MetricDefinitionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) projectId: string;
  @Column({ type: 'varchar' }) name: string;
  @Column({ type: 'varchar' }) slug: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'text', nullable: true }) documentation: string | null;
  @Column({ type: 'jsonb', nullable: true }) schemaDefinition: Record<string, unknown> | null;
  @Column({ type: 'jsonb', nullable: true }) aggregationRules: Record<string, unknown> | null;
  @Column({ type: 'varchar' }) status: MetricStatus;
  @Column({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz' }) updatedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) deletedAt: Date | null;
}
