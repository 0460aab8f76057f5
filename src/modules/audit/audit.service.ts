import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { actorOf } from '../../common/auth/principal';
import { AuditLogEntity } from './entities/audit-log.entity';
import { AuditEntry } from './audit.types';

/**
 * Writes audit entries inside the caller's transaction (§2.10: visible as soon as the triggering
 * response is sent, and rolled back with the change they describe).
 */
@Injectable()
export class AuditService {
  async record(m: EntityManager, ...entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const now = new Date();
    await m.getRepository(AuditLogEntity).insert(
      entries.map((e): Partial<AuditLogEntity> => ({
        teamId: e.teamId,
        ...actorOf(e.actor),
        action: e.action,
        resourceType: e.resourceType,
        resourceId: e.resourceId,
        changes: e.changes ?? null,
        metadata: e.metadata ?? null,
        timestamp: now,
      })) as never,
    );
  }
}
