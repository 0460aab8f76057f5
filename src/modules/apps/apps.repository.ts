import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { AppEntity } from './entities/app.entity';

@Injectable()
export class AppsRepository {
  constructor(private readonly ds: DataSource) {}

  private repo(m?: EntityManager) {
    return (m ?? this.ds.manager).getRepository(AppEntity);
  }

  findActive(id: string, m?: EntityManager): Promise<AppEntity | null> {
    return this.repo(m).findOneBy({ id, deletedAt: IsNull() });
  }

  /** Live apps of these teams (optionally of one project), oldest first. */
  listActive(where: { teamIds: string[]; projectId?: string }, m?: EntityManager): Promise<AppEntity[]> {
    if (where.teamIds.length === 0) return Promise.resolve([]);
    return this.repo(m).find({
      where: { teamId: In(where.teamIds), deletedAt: IsNull(), ...(where.projectId ? { projectId: where.projectId } : {}) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  insert(row: Omit<AppEntity, 'id' | 'deletedAt'>, m: EntityManager): Promise<AppEntity> {
    return this.repo(m).save(this.repo(m).create({ ...row, deletedAt: null }));
  }

  async setClientKey(id: string, clientKey: string, m: EntityManager): Promise<void> {
    await this.repo(m).update({ id }, { clientKey });
  }

  /** Renames a live app; false when it is gone (deleted meanwhile). */
  async rename(id: string, name: string, m: EntityManager): Promise<boolean> {
    const res = await this.repo(m).update({ id, deletedAt: IsNull() }, { name });
    return (res.affected ?? 0) > 0;
  }

  /** Soft-deletes a live app; false when it was already gone. */
  async softDelete(id: string, at: Date, m: EntityManager): Promise<boolean> {
    const res = await this.repo(m).update({ id, deletedAt: IsNull() }, { deletedAt: at });
    return (res.affected ?? 0) > 0;
  }

  /** Soft-deletes the live apps of these projects; returns their ids. */
  async softDeleteForProjects(projectIds: string[], at: Date, m: EntityManager): Promise<string[]> {
    // TypeORM answers UPDATE … RETURNING with [rows, affected count].
    const [rows]: [{ id: string }[], number] = await m.query(
      `UPDATE apps SET deleted_at = $2 WHERE project_id = ANY($1::uuid[]) AND deleted_at IS NULL RETURNING id`,
      [projectIds, at],
    );
    return rows.map((r) => r.id);
  }

  /** Every app of these projects, deleted or not. */
  async idsForProjects(projectIds: string[], m: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await m.query(`SELECT id FROM apps WHERE project_id = ANY($1::uuid[])`, [projectIds]);
    return rows.map((r) => r.id);
  }

  /** Apps soft-deleted before `cutoff` (directly or with their project or team: cascades share the timestamp). */
  async idsDeletedBefore(cutoff: Date, m: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await m.query(`SELECT id FROM apps WHERE deleted_at < $1`, [cutoff]);
    return rows.map((r) => r.id);
  }

  async purge(ids: string[], m: EntityManager): Promise<void> {
    if (ids.length) await this.repo(m).delete({ id: In(ids) });
  }
}
