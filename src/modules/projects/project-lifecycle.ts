import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export type ProjectsDeletedListener = (projectIds: string[], at: Date, m: EntityManager) => Promise<void>;
export type ProjectsDeletedCommittedListener = (projectIds: string[]) => void;
export type ProjectsPurgedListener = (projectIds: string[], m: EntityManager) => Promise<void>;

/**
 * Lets modules that hang off a project (apps → keys, app users, events) join its deletion without
 * projects importing them: they register in onModuleInit.
 * - `projectsDeleted` runs inside the soft-delete transaction with the operation's one timestamp;
 * - `projectsDeletedCommitted` runs after that transaction committed (e.g. to drop cached key lookups,
 *   which must not be refilled from rows that were not yet committed);
 * - `projectsPurged` runs inside the transaction that removes soft-deleted projects for good, before
 *   the project rows are deleted, so listeners can still find what hangs off them.
 */
@Injectable()
export class ProjectLifecycle {
  private readonly deleted: ProjectsDeletedListener[] = [];
  private readonly deletedCommitted: ProjectsDeletedCommittedListener[] = [];
  private readonly purged: ProjectsPurgedListener[] = [];

  onProjectsDeleted(listener: ProjectsDeletedListener): void {
    this.deleted.push(listener);
  }

  onProjectsDeletedCommitted(listener: ProjectsDeletedCommittedListener): void {
    this.deletedCommitted.push(listener);
  }

  onProjectsPurged(listener: ProjectsPurgedListener): void {
    this.purged.push(listener);
  }

  async projectsDeleted(projectIds: string[], at: Date, m: EntityManager): Promise<void> {
    if (projectIds.length === 0) return;
    for (const listener of this.deleted) await listener(projectIds, at, m);
  }

  projectsDeletedCommitted(projectIds: string[]): void {
    if (projectIds.length === 0) return;
    for (const listener of this.deletedCommitted) listener(projectIds);
  }

  async projectsPurged(projectIds: string[], m: EntityManager): Promise<void> {
    if (projectIds.length === 0) return;
    for (const listener of this.purged) await listener(projectIds, m);
  }
}
