import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** email_verification_codes (migration 1732700000000); names, lengths and precision match it (`npm run migration:check`). */
@Entity('email_verification_codes')
@Index('email_verification_codes_email_idx', ['email', 'createdAt'])
export class EmailVerificationCodeEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 255 }) email: string;
  @Column({ type: 'varchar', length: 64 }) codeHash: string;
  @Column({ type: 'timestamptz', precision: 3 }) expiresAt: Date;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) usedAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) voidedAt: Date | null;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) createdAt: Date;
}
