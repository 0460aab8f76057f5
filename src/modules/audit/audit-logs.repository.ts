import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CursorPosition } from '../../common/http/pagination';
import { AuditLogEntity } from './entities/audit-log.entity';

export interface AuditLogFilter {
  teamId: string;
  resourceType?: string;
  resourceId?: string;
  actorId?: string;
  action?: string;
  since?: Date;
  until?: Date;
  /** Start strictly after this (timestamp, id) in (timestamp desc, id desc) order (B5). */
  after?: CursorPosition;
}

@Injectable()
export class AuditLogsRepository {
  constructor(private readonly ds: DataSource) {}

  /** Up to `take` entries of one team, newest first; served by the (team_id, timestamp desc, id desc) index. */
  find(filter: AuditLogFilter, take: number): Promise<AuditLogEntity[]> {
    const q = this.ds.getRepository(AuditLogEntity).createQueryBuilder('a').where('a.teamId = :teamId', { teamId: filter.teamId });
    if (filter.resourceType !== undefined) q.andWhere('a.resourceType = :resourceType', { resourceType: filter.resourceType });
    if (filter.resourceId !== undefined) q.andWhere('a.resourceId = :resourceId', { resourceId: filter.resourceId });
    if (filter.actorId !== undefined) q.andWhere('a.actorId = :actorId', { actorId: filter.actorId });
    if (filter.action !== undefined) q.andWhere('a.action = :action', { action: filter.action });
    if (filter.since) q.andWhere('a.timestamp >= :since', { since: filter.since });
    if (filter.until) q.andWhere('a.timestamp <= :until', { until: filter.until });
    if (filter.after?.id) {
      q.andWhere('(a.timestamp, a.id) < (:afterTs, :afterId)', { afterTs: filter.after.timestamp, afterId: filter.after.id });
    } else if (filter.after) {
      // The bare-timestamp cursor of §1.5: strictly older than the instant.
      q.andWhere('a.timestamp < :afterTs', { afterTs: filter.after.timestamp });
    }
    return q.orderBy('a.timestamp', 'DESC').addOrderBy('a.id', 'DESC').take(take).getMany();
  }
}
