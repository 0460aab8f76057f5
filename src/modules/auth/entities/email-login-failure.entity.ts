import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('email_login_failures')
export class EmailLoginFailureEntity {
  @PrimaryColumn('varchar') email: string;
  @Column({ type: 'integer' }) failedCount: number;
  @Column({ type: 'timestamptz' }) updatedAt: Date;
}
