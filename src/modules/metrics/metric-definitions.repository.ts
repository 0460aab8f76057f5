import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { MetricDefinitionEntity } from './entities/metric-definition.entity';
import { MetricStatus } from './metric-rules';

/** Partial unique index on (project_id, slug) WHERE deleted_at IS NULL (B21: a deleted slug is free at once). */

export interface NewMetricDefinition {
  projectId: string;
  name: string;
  slug: string;
  description: string | null;
  documentation: string | null;
  schemaDefinition: Record<string, unknown> | null;
  aggregationRules: Record<string, unknown> | null;
}

export type MetricDefinitionChanges = Partial<
  Pick<MetricDefinitionEntity, 'name' | 'description' | 'documentation' | 'schemaDefinition' | 'aggregationRules' | 'status'>
>;

@Injectable()
export class MetricDefinitionsRepository {
  constructor(private readonly ds: DataSource) {}

  private repo(m?: EntityManager) {
    return (m ?? this.ds.manager).getRepository(MetricDefinitionEntity);
  }

  /** Live definitions of a project, created_at ascending then id (B21). */
  listActive(projectId: string): Promise<MetricDefinitionEntity[]> {
    return this.repo().find({ where: { projectId, deletedAt: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findActiveBySlug(projectId: string, slug: string, m?: EntityManager): Promise<MetricDefinitionEntity | null> {
    return this.repo(m).findOneBy({ projectId, slug, deletedAt: IsNull() });
  }

  findActiveById(id: string): Promise<MetricDefinitionEntity | null> {
    return this.repo().findOneBy({ id, deletedAt: IsNull() });
  }

  /** The live definition, locked until the transaction ends (a concurrent PATCH/DELETE waits; audit diffs stay exact). */
  lockActive(id: string, m: EntityManager): Promise<MetricDefinitionEntity | null> {
    return this.repo(m).createQueryBuilder('d').setLock('pessimistic_write').where('d.id = :id AND d.deletedAt IS NULL', { id }).getOne();
  }

  /** Inserts an active definition; a live holder of the slug (even one committed concurrently) → 409. */
  async insert(row: NewMetricDefinition, m: EntityManager): Promise<MetricDefinitionEntity> {
    const now = new Date();
    const entity = this.repo(m).create({ ...row, status: MetricStatus.Active, createdAt: now, updatedAt: now, deletedAt: null });
    return this.repo(m).save(entity); // a live holder of the slug → 409 via METRICS_CONSTRAINTS
  }

  /** Applies the changes and refreshes updated_at; the caller holds the row lock. */
  async update(id: string, changes: MetricDefinitionChanges, at: Date, m: EntityManager): Promise<void> {
    await this.repo(m).update({ id, deletedAt: IsNull() }, { ...changes, updatedAt: at } as never);
  }

  /** Soft-deletes a live definition; false when it was already gone. */
  async softDelete(id: string, at: Date, m: EntityManager): Promise<boolean> {
    const res = await this.repo(m).update({ id, deletedAt: IsNull() }, { deletedAt: at });
    return (res.affected ?? 0) > 0;
  }

  /** Soft-deletes the live definitions of deleted projects with the deletion's timestamp. */
  async softDeleteForProjects(projectIds: string[], at: Date, m: EntityManager): Promise<void> {
    if (projectIds.length) await this.repo(m).update({ projectId: In(projectIds), deletedAt: IsNull() }, { deletedAt: at });
  }

  /** Permanent removal with purged projects. */
  async purgeForProjects(projectIds: string[], m: EntityManager): Promise<void> {
    if (projectIds.length) await this.repo(m).delete({ projectId: In(projectIds) });
  }
}
