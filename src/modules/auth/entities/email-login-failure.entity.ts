import { Column, Entity, PrimaryColumn } from 'typeorm';

/** email_login_failures (migration 1732700000000); names, lengths and precision match it (`npm run migration:check`). */
@Entity('email_login_failures')
export class EmailLoginFailureEntity {
  @PrimaryColumn({ type: 'varchar', length: 255, primaryKeyConstraintName: 'email_login_failures_pkey' }) email: string;
  @Column({ type: 'integer', default: 0 }) failedCount: number;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) updatedAt: Date;
}
