import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export const RETENTION_LOCK_KEY = 0x6f776c_0002; // "owl" + 2

/**
 * The maintenance job's own statements. It is the one place that removes rows of several modules'
 * tables for good; the app purge (keys, app users, events) goes through AppsService instead.
 */
@Injectable()
export class RetentionRepository {
  /** One instance at a time; the others skip this round (the job is idempotent). */
  async tryLock(m: EntityManager): Promise<boolean> {
    const rows: { locked: boolean }[] = await m.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [RETENTION_LOCK_KEY]);
    return rows[0].locked;
  }

  /**
   * Keys, projects and teams soft-deleted before `cutoff` (their apps were purged first), and metric/funnel
   * definitions deleted before it or belonging to a project that is purged now or was purged earlier.
   */
  async purgeSoftDeleted(cutoff: Date, m: EntityManager): Promise<{ keys: number; projects: number; teams: number }> {
    for (const table of ['metric_definitions', 'funnel_definitions']) {
      await m.query(
        `DELETE FROM ${table} d
          WHERE d.deleted_at < $1
             OR NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = d.project_id AND (p.deleted_at IS NULL OR p.deleted_at >= $1))`,
        [cutoff],
      );
    }
    const [, keys]: [unknown, number] = await m.query(`DELETE FROM api_keys WHERE deleted_at < $1`, [cutoff]);
    const [, projects]: [unknown, number] = await m.query(`DELETE FROM projects WHERE deleted_at < $1`, [cutoff]);
    const [, teams]: [unknown, number] = await m.query(`DELETE FROM teams WHERE deleted_at < $1`, [cutoff]);
    return { keys, projects, teams };
  }

  /** Verification codes that can no longer be used (§3: "may be deleted at any time"). */
  async deleteStaleCodes(before: Date, m: EntityManager): Promise<number> {
    const [, n]: [unknown, number] = await m.query(
      `DELETE FROM email_verification_codes WHERE expires_at < $1 OR used_at < $1 OR voided_at < $1`,
      [before],
    );
    return n;
  }
}
