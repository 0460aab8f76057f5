import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { FunnelDefinitionEntity } from './entities/funnel-definition.entity';
import { ExperimentFilter, FunnelGroupBy, FunnelMode } from './funnel-query';
import { FunnelStep } from './funnel-steps';


/** What a funnel query selects and how it counts (already validated, SPEC §2.13.4). */
export interface FunnelCountQuery {
  projectId: string;
  steps: readonly FunnelStep[];
  since: Date;
  until: Date;
  appId?: string;
  appVersion?: string;
  environment?: string;
  experiment?: ExperimentFilter;
  /** is_dev filter of the data mode; undefined = all rows. */
  isDev?: boolean;
  mode: FunnelMode;
  groupBy?: FunnelGroupBy;
  /** Closed mode only: seconds from the step-0 row (B18). */
  conversionWindowS?: number;
}

/** `users[i]` per step, overall and (with a group_by) per group value in code-point order. */
export interface FunnelCounts {
  users: number[];
  groups: { value: string; users: number[] }[];
}

/** Builds `$n` placeholders while collecting their values. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

@Injectable()
export class FunnelsRepository {
  constructor(private readonly ds: DataSource) {}

  private repo(m?: EntityManager) {
    return (m ?? this.ds.manager).getRepository(FunnelDefinitionEntity);
  }

  /** Live definitions of a project, oldest first (then id, so equal creation times keep one order). */
  listLive(projectId: string): Promise<FunnelDefinitionEntity[]> {
    return this.repo().find({ where: { projectId, deletedAt: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findLiveBySlug(projectId: string, slug: string, m?: EntityManager): Promise<FunnelDefinitionEntity | null> {
    return this.repo(m).findOneBy({ projectId, slug, deletedAt: IsNull() });
  }

  /** The live definition, row-locked until the transaction ends (PATCH/DELETE compare and write it). */
  lockLiveBySlug(projectId: string, slug: string, m: EntityManager): Promise<FunnelDefinitionEntity | null> {
    return this.repo(m)
      .createQueryBuilder('f')
      .setLock('pessimistic_write')
      .where('f.projectId = :projectId AND f.slug = :slug AND f.deletedAt IS NULL', { projectId, slug })
      .getOne();
  }

  findLiveById(id: string): Promise<FunnelDefinitionEntity | null> {
    return this.repo().findOneBy({ id, deletedAt: IsNull() });
  }

  /** Inserts a definition; the partial unique index over live slugs answers the 409 (also under a race). */
  async insert(
    row: { projectId: string; name: string; slug: string; description: string | null; steps: FunnelStep[] },
    m: EntityManager,
  ): Promise<FunnelDefinitionEntity> {
    const now = new Date();
    const entity = this.repo(m).create({ ...row, createdAt: now, updatedAt: now, deletedAt: null });
    return this.repo(m).save(entity); // a live holder of the slug → 409 via FUNNELS_CONSTRAINTS
  }

  async update(
    id: string,
    fields: { name: string; description: string | null; steps: FunnelStep[]; updatedAt: Date },
    m: EntityManager,
  ): Promise<void> {
    await this.repo(m).update({ id }, fields);
  }

  async softDelete(id: string, at: Date, m: EntityManager): Promise<void> {
    await this.repo(m).update({ id, deletedAt: IsNull() }, { deletedAt: at });
  }

  /** Project deletion (§2.5): the project's live definitions go with it, with the operation's timestamp. */
  async softDeleteForProjects(projectIds: string[], at: Date, m: EntityManager): Promise<void> {
    await this.repo(m).update({ projectId: In(projectIds), deletedAt: IsNull() }, { deletedAt: at });
  }

  /** Permanent removal with purged projects. */
  async purgeForProjects(projectIds: string[], m: EntityManager): Promise<void> {
    await this.repo(m).delete({ projectId: In(projectIds) });
  }

  /**
   * The funnel counts of §2.13.4 in ONE statement (B22): the app scope, the candidate rows, the step matches
   * and the chains are all resolved by PostgreSQL, so no user id ever travels as a bind parameter and no
   * step costs a round trip.
   *
   * - Candidate rows carry `mask`, the set of steps whose filter they match (bit i = step i); rows matching no
   *   step are dropped at the scan. A row may match several steps; it still satisfies at most one step of a
   *   chain because every chain link moves strictly forward in the user's order.
   * - Open mode ORs each user's masks (per group value when grouped) and counts users per bit.
   * - Closed mode numbers each user's rows by (timestamp, seq) — seq is the arrival order (B17) — and builds
   *   chains one step at a time: from each start, the next link is the user's first later row matching the
   *   next step. Greedy earliest links are optimal for a fixed start, so without a window the user's
   *   earliest step-0 row is the only start needed; with a window (B18) every step-0 row starts a chain whose
   *   links must lie within the window of that start, and the best chain counts.
   * - Breakdowns (B20): closed mode puts a user in the group of their earliest step-0 row and judges them on
   *   all their rows; open mode counts per value per step. Top-level counts never depend on grouping.
   */
  async countFunnel(q: FunnelCountQuery): Promise<FunnelCounts> {
    const p = new Params();
    const n = q.steps.length;
    const project = p.add(q.projectId, 'uuid');
    const appFilter = q.appId !== undefined ? ` AND a.id = ${p.add(q.appId, 'uuid')}` : '';
    const filters: string[] = [
      `f."timestamp" >= ${p.add(q.since, 'timestamptz')}`,
      `f."timestamp" <= ${p.add(q.until, 'timestamptz')}`,
    ];
    if (q.isDev !== undefined) filters.push(`f.is_dev = ${p.add(q.isDev, 'boolean')}`);
    if (q.appVersion !== undefined) filters.push(`f.app_version = ${p.add(q.appVersion, 'text')}`);
    if (q.environment !== undefined) filters.push(`f.environment = ${p.add(q.environment, 'text')}`);
    if (q.experiment !== undefined) {
      filters.push(`f.experiments @> jsonb_build_object(${p.add(q.experiment.name, 'text')}, ${p.add(q.experiment.variant, 'text')})`);
    }

    const matches = q.steps.map((s) => {
      const parts: string[] = [];
      if (s.event_filter.message !== undefined) parts.push(`f.message = ${p.add(s.event_filter.message, 'text')}`);
      if (s.event_filter.screen_name !== undefined) parts.push(`f.screen_name = ${p.add(s.event_filter.screen_name, 'text')}`);
      return `(${parts.join(' AND ')})`;
    });
    const mask = matches.map((cond, i) => `(CASE WHEN ${cond} THEN ${2 ** i} ELSE 0 END)`).join(' | ');

    let group = 'NULL::text';
    if (q.groupBy?.kind === 'environment') group = 'f.environment::text';
    else if (q.groupBy?.kind === 'app_version') group = 'f.app_version::text';
    else if (q.groupBy?.kind === 'experiment') {
      const name = p.add(q.groupBy.name, 'text');
      group = `CASE WHEN jsonb_typeof(f.experiments -> ${name}) = 'string' THEN f.experiments ->> ${name} END`;
    }

    const candidates = `
      scope AS (
        SELECT a.id FROM apps a WHERE a.project_id = ${project} AND a.deleted_at IS NULL${appFilter}
      ),
      cand AS (
        SELECT f.user_id, f."timestamp" AS ts, f.seq, (${mask}) AS mask, ${group} AS grp
          FROM funnel_events f
         WHERE f.app_id IN (SELECT id FROM scope)
           AND f.user_id IS NOT NULL
           AND ${filters.join('\n           AND ')}
           AND (${matches.join(' OR ')})
      )`;
    const bit = (i: number) => `mask & ${2 ** i} <> 0`;

    let sql: string;
    if (q.mode === FunnelMode.Open) {
      // One hash aggregate per user (and per group value): the union of the steps their rows match.
      const counts = `ARRAY[${q.steps.map((_, i) => `count(*) FILTER (WHERE m & ${2 ** i} <> 0)`).join(', ')}]::int[]`;
      sql = `
        WITH ${candidates}
        SELECT grp, users FROM (
          SELECT false AS grouped, NULL::text AS grp, ${counts} AS users
            FROM (SELECT bit_or(mask) AS m FROM cand GROUP BY user_id) u
          ${
            q.groupBy
              ? `UNION ALL
          SELECT true, grp, ${counts}
            FROM (SELECT grp, bit_or(mask) AS m FROM cand WHERE grp IS NOT NULL GROUP BY grp, user_id) g
           GROUP BY grp`
              : ''
          }
        ) x
        ORDER BY grouped, grp COLLATE "C"`;
    } else {
      const windowed = q.conversionWindowS !== undefined;
      const within = windowed ? ` AND r.ts <= s.t0 + ${p.add(q.conversionWindowS, 'int')} * interval '1 second'` : '';
      const chains: string[] = [];
      chains.push(
        windowed
          ? `s0 AS (SELECT user_id, pos AS start, pos AS p, ts AS t0 FROM ranked WHERE ${bit(0)})`
          : `s0 AS (SELECT user_id, p AS start, p, NULL::timestamptz AS t0 FROM first0)`,
      );
      for (let i = 1; i < n; i++) {
        chains.push(`s${i} AS (
          SELECT s.user_id, s.start, s.t0, min(r.pos) AS p
            FROM s${i - 1} s
            JOIN ranked r ON r.user_id = s.user_id AND r.pos > s.p AND r.${bit(i)}${within}
           GROUP BY s.user_id, s.start, s.t0)`);
      }
      const reached = q.steps.map((_, i) => `SELECT user_id, ${i} AS k FROM s${i}`).join(' UNION ALL ');
      const counts = `ARRAY[${q.steps.map((_, i) => `count(*) FILTER (WHERE k >= ${i})`).join(', ')}]::int[]`;
      sql = `
        WITH ${candidates},
        ranked AS (
          SELECT user_id, ts, mask, grp, row_number() OVER (PARTITION BY user_id COLLATE "C" ORDER BY ts, seq) AS pos FROM cand
        ),
        first0 AS (SELECT user_id, min(pos) AS p FROM ranked WHERE ${bit(0)} GROUP BY user_id),
        ${chains.join(',\n        ')},
        reach AS (SELECT user_id, max(k) AS k FROM (${reached}) x GROUP BY user_id)
        SELECT grp, users FROM (
          SELECT false AS grouped, NULL::text AS grp, ${counts} AS users FROM reach
          ${
            q.groupBy
              ? `UNION ALL
          SELECT true, r.grp, ${counts}
            FROM reach
            JOIN first0 USING (user_id)
            JOIN ranked r ON r.user_id = first0.user_id AND r.pos = first0.p
           WHERE r.grp IS NOT NULL
           GROUP BY r.grp`
              : ''
          }
        ) x
        ORDER BY grouped, grp COLLATE "C"`;
    }

    const rows: { grp: string | null; users: number[] }[] = await this.ds.query(sql, p.values);
    const [total, ...groups] = rows;
    return {
      users: total?.users ?? q.steps.map(() => 0),
      groups: groups.map((g) => ({ value: g.grp as string, users: g.users })),
    };
  }
}
