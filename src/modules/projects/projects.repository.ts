import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { ProjectEntity } from './entities/project.entity';

@Injectable()
export class ProjectsRepository {
  constructor(private readonly ds: DataSource) {}

  private repo(m?: EntityManager) {
    return (m ?? this.ds.manager).getRepository(ProjectEntity);
  }

  findActive(id: string, m?: EntityManager): Promise<ProjectEntity | null> {
    return this.repo(m).findOneBy({ id, deletedAt: IsNull() });
  }

  /** The live project, share-locked until the transaction ends so a concurrent delete waits for us (or we for it). */
  lockActive(id: string, m: EntityManager): Promise<ProjectEntity | null> {
    return this.repo(m).createQueryBuilder('p').setLock('pessimistic_read').where('p.id = :id AND p.deletedAt IS NULL', { id }).getOne();
  }

  /** Live projects of these teams, oldest first. */
  listActive(teamIds: string[], m?: EntityManager): Promise<ProjectEntity[]> {
    if (teamIds.length === 0) return Promise.resolve([]);
    return this.repo(m).find({
      where: { teamId: In(teamIds), deletedAt: IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** Inserts a project; the (team_id, slug) constraint over all rows answers the contract's 409 (PROJECTS_CONSTRAINTS). */
  insert(row: { teamId: string; name: string; slug: string }, m: EntityManager): Promise<ProjectEntity> {
    return this.repo(m).save(this.repo(m).create({ ...row, createdAt: new Date(), deletedAt: null }));
  }

  /** Renames a live project; false when it is gone (deleted meanwhile). */
  async rename(id: string, name: string, m: EntityManager): Promise<boolean> {
    const res = await this.repo(m).update({ id, deletedAt: IsNull() }, { name });
    return (res.affected ?? 0) > 0;
  }

  /** Soft-deletes a live project; false when it was already gone. */
  async softDelete(id: string, at: Date, m: EntityManager): Promise<boolean> {
    const res = await this.repo(m).update({ id, deletedAt: IsNull() }, { deletedAt: at });
    return (res.affected ?? 0) > 0;
  }

  /** Soft-deletes every live project of a team; returns their ids. */
  async softDeleteForTeam(teamId: string, at: Date, m: EntityManager): Promise<string[]> {
    // TypeORM answers UPDATE … RETURNING with [rows, affected count].
    const [rows]: [{ id: string }[], number] = await m.query(
      `UPDATE projects SET deleted_at = $2 WHERE team_id = $1 AND deleted_at IS NULL RETURNING id`,
      [teamId, at],
    );
    return rows.map((r) => r.id);
  }

  /** Soft-deleted projects of a team holding this slug, locked for removal. */
  async lockDeletedBySlug(teamId: string, slug: string, m: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM projects WHERE team_id = $1 AND slug = $2 AND deleted_at IS NOT NULL FOR UPDATE`,
      [teamId, slug],
    );
    return rows.map((r) => r.id);
  }

  async purge(ids: string[], m: EntityManager): Promise<void> {
    if (ids.length) await this.repo(m).delete({ id: In(ids) });
  }
}
