import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { FunnelStep } from '../funnel-steps';

/** funnel_definitions (migration 1764600000000): soft-deleted; the slug is unique among live rows of a project. */
@Entity('funnel_definitions')
export class FunnelDefinitionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) projectId: string;
  @Column({ type: 'varchar' }) name: string;
  @Column({ type: 'varchar' }) slug: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'jsonb' }) steps: FunnelStep[];
  @Column({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz' }) updatedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) deletedAt: Date | null;
}
