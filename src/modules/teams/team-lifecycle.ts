import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export type TeamDeletedListener = (teamId: string, at: Date, m: EntityManager) => Promise<void>;

/**
 * Lets modules that hang off a team (projects → apps → keys) join a team deletion without teams
 * importing them: they register in onModuleInit, and the deletion calls them inside its transaction
 * with the operation's one timestamp.
 */
@Injectable()
export class TeamLifecycle {
  private readonly deleted: TeamDeletedListener[] = [];

  onTeamDeleted(listener: TeamDeletedListener): void {
    this.deleted.push(listener);
  }

  async teamDeleted(teamId: string, at: Date, m: EntityManager): Promise<void> {
    for (const listener of this.deleted) await listener(teamId, at, m);
  }
}
