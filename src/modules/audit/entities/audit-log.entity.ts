import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** audit_logs (migration 1732700000000); names, lengths and precision match it (`npm run migration:check`). */
@Entity('audit_logs')
@Check('audit_logs_actor_type_check', `actor_type IN ('user', 'api_key', 'system')`)
@Check('audit_logs_action_check', `action IN ('create', 'update', 'delete')`)
@Index('audit_logs_team_ts_idx', ['teamId', 'timestamp', 'id']) // (team_id, "timestamp" DESC, id DESC) in SQL
export class AuditLogEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) teamId: string;
  @Column({ type: 'varchar', length: 16 }) actorType: 'user' | 'api_key' | 'system';
  @Column({ type: 'text' }) actorId: string;
  @Column({ type: 'varchar', length: 16 }) action: 'create' | 'update' | 'delete';
  @Column({ type: 'varchar', length: 32 }) resourceType: string;
  @Column({ type: 'text' }) resourceId: string;
  @Column({ type: 'jsonb', nullable: true }) changes: Record<string, { before: unknown; after: unknown }> | null;
  @Column({ type: 'jsonb', nullable: true }) metadata: Record<string, unknown> | null;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) timestamp: Date;
}
