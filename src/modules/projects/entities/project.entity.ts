import { Column, Entity, ForeignKey, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { TeamEntity } from '../../teams/entities/team.entity';

/** projects (migration 1732700000000); names, lengths and precision match it (`npm run migration:check`). */
@Entity('projects')
@Unique('projects_team_slug_key', ['teamId', 'slug'])
export class ProjectEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @ForeignKey(() => TeamEntity, { name: 'projects_team_id_fkey', onDelete: 'CASCADE' })
  @Column({ type: 'uuid' })
  teamId: string;
  @Column({ type: 'varchar', length: 255 }) name: string;
  @Column({ type: 'varchar', length: 255 }) slug: string;
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' }) createdAt: Date;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) deletedAt: Date | null;
}
