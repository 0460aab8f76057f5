import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('audit_logs')
export class AuditLogEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) teamId: string;
  @Column({ type: 'varchar' }) actorType: 'user' | 'api_key' | 'system';
  @Column({ type: 'text' }) actorId: string;
  @Column({ type: 'varchar' }) action: 'create' | 'update' | 'delete';
  @Column({ type: 'varchar' }) resourceType: string;
  @Column({ type: 'text' }) resourceId: string;
  @Column({ type: 'jsonb', nullable: true }) changes: Record<string, { before: unknown; after: unknown }> | null;
  @Column({ type: 'jsonb', nullable: true }) metadata: Record<string, unknown> | null;
  @Column({ type: 'timestamptz' }) timestamp: Date;
}
