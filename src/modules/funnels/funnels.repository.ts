import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { ReadReplicas } from '../../database/read-replicas';
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

/**
 * One character per step-match set in the per-user strings of the closed funnel: printable ASCII without the
 * space, which marks hits after a `translate`.
 */
const ALPHABET = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('');

/** Session settings of the funnel statement (its transaction only). */
const FUNNEL_WORK_MEM = '64MB';

/**
 * Every non-empty set of steps (bit i = step i) that one row can match, ascending. Whether a row matches a step
 * depends only on its message and screen_name, so trying each message and screen name that a step names, plus
 * "any other value" for both, yields every possible set.
 */
function possibleMasks(steps: readonly FunnelStep[]): number[] {
  const named = (key: 'message' | 'screen_name') => [
    ...new Set(steps.flatMap((s) => (s.event_filter[key] !== undefined ? [s.event_filter[key]] : []))),
    undefined,
  ];
  const masks = new Set<number>();
  for (const message of named('message')) {
    for (const screen of named('screen_name')) {
      let mask = 0;
      steps.forEach((s, i) => {
        const f = s.event_filter;
        if ((f.message === undefined || f.message === message) && (f.screen_name === undefined || f.screen_name === screen)) {
          mask |= 2 ** i;
        }
      });
      if (mask !== 0) masks.add(mask);
    }
  }
  return [...masks].sort((a, b) => a - b);
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
  constructor(
    private readonly ds: DataSource,
    /** The funnel query reads a caught-up replica when there is one (ReadReplicas). */
    private readonly reads: ReadReplicas,
  ) {}

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
   *   step are dropped at the scan. They are read from `funnel_events_app_user_ts_idx` (app_id, user_id,
   *   timestamp, seq) INCLUDE (message, screen_name, is_dev): an index-only scan that delivers each (app, user)'s
   *   rows together and in event order — seq is the arrival order (B17) — so nothing is sorted or hashed per row.
   * - Open mode ORs the masks per (app, user) (a streaming group), then per user, and counts users per bit;
   *   with a breakdown, per (group value, user) as well.
   * - Closed mode without a window folds each (app, user)'s rows, in event order, into a string with one
   *   character per row naming its match set (or, when more than 94 sets are possible, one '0'/'1' string per
   *   step). Users seen in several apps of the project are re-read by (app, user) and merged in (timestamp, seq)
   *   order. The greedy chain is then a few string searches per user: step i's link is the first character
   *   after step i−1's link whose set contains i (`strpos`, or `translate` + `strpos` for several sets). Greedy
   *   earliest links are optimal, a link always lies strictly after the previous one (one row never satisfies
   *   two steps), and the earliest step-0 row starts the chain.
   * - Closed mode with a window (B18) numbers each user's rows by (timestamp, seq) and builds chains one step at
   *   a time: every step-0 row starts a chain whose links must lie within the window of that start, the next
   *   link is the user's first later row matching the next step, and the best chain counts.
   * - Breakdowns (B20): closed mode puts a user in the group of their earliest step-0 row and judges them on
   *   all their rows; open mode counts per value per step. Top-level counts never depend on grouping.
   *
   * It runs in a transaction with `SET LOCAL`: no JIT (compiling the expressions costs more than it saves at
   * these sizes), enough work_mem for the hash tables, and no sequential scan — the planner otherwise prefers a
   * parallel scan plus a hash aggregate over a million user ids, which is slower than the ordered index-only scan;
   * open mode also lowers the parallel costs so that workers share that scan.
   */
  async countFunnel(q: FunnelCountQuery): Promise<FunnelCounts> {
    const p = new Params();
    const n = q.steps.length;
    const project = p.add(q.projectId, 'uuid');
    const appFilter = q.appId !== undefined ? ` AND a.id = ${p.add(q.appId, 'uuid')}` : '';
    const filters: string[] = [`f."timestamp" >= ${p.add(q.since, 'timestamptz')}`, `f."timestamp" <= ${p.add(q.until, 'timestamptz')}`];
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

    // Inlined wherever it is read (NOT MATERIALIZED): each reader keeps only the columns it needs, so reads
    // without a breakdown stay index-only.
    const candSelect = `SELECT f.app_id, f.user_id, f."timestamp" AS ts, f.seq, (${mask}) AS mask, ${group} AS grp
          FROM funnel_events f`;
    const rowFilter = `f.user_id IS NOT NULL
           AND ${filters.join('\n           AND ')}
           AND (${matches.join(' OR ')})`;
    const candidates = `
      cand AS NOT MATERIALIZED (
        ${candSelect}
         WHERE f.app_id = ANY(ARRAY(
                 SELECT a.id FROM apps a WHERE a.project_id = ${project} AND a.deleted_at IS NULL${appFilter}))
           AND ${rowFilter}
      )`;
    // The candidate rows of one (app, user) already known to be in scope: one index range, no app list.
    const ofAppUser = (app: string, user: string) => `${candSelect}
         WHERE f.app_id = ${app} AND f.user_id = ${user}
           AND ${rowFilter}`;
    const bit = (i: number) => `mask & ${2 ** i} <> 0`;
    const windowed = q.mode === FunnelMode.Closed && q.conversionWindowS !== undefined;

    let sql: string;
    if (q.mode === FunnelMode.Open) {
      const counts = `ARRAY[${q.steps.map((_, i) => `count(*) FILTER (WHERE m & ${2 ** i} <> 0)`).join(', ')}]::int[]`;
      sql = `
        WITH ${candidates}
        SELECT grp, users FROM (
          SELECT false AS grouped, NULL::text AS grp, ${counts} AS users
            FROM (SELECT bit_or(m) AS m
                    FROM (SELECT user_id, bit_or(mask) AS m FROM cand GROUP BY app_id, user_id) pu
                   GROUP BY user_id) u
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
    } else if (!windowed) {
      sql = this.closedChainSql(q, p, candidates, ofAppUser, bit);
    } else {
      const within = ` AND r.ts <= s.t0 + ${p.add(q.conversionWindowS, 'int')} * interval '1 second'`;
      const chains: string[] = [`s0 AS (SELECT user_id, pos AS start, pos AS p, ts AS t0 FROM ranked WHERE ${bit(0)})`];
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

    const rows: { grp: string | null; users: number[] }[] = await this.reads.transaction(async (m) => {
      await m.query(`SET LOCAL jit = off`);
      await m.query(`SET LOCAL work_mem = '${FUNNEL_WORK_MEM}'`);
      if (!windowed) await m.query(`SET LOCAL enable_seqscan = off`);
      if (q.mode === FunnelMode.Open) {
        // Open mode: workers each fold a share of the index into per-(app, user) masks (a partial streaming
        // group); the default costs keep this plan serial although it is faster with an idle core.
        await m.query(`SET LOCAL parallel_setup_cost = 100`);
        await m.query(`SET LOCAL parallel_tuple_cost = 0.01`);
      }
      return m.query(sql, p.values);
    });
    const [total, ...groups] = rows;
    return {
      users: total?.users ?? q.steps.map(() => 0),
      groups: groups.map((g) => ({ value: g.grp as string, users: g.users })),
    };
  }

  /**
   * Closed mode without a conversion window: per-user match strings in event order and a greedy chain of
   * string searches over them (see countFunnel).
   */
  private closedChainSql(
    q: FunnelCountQuery,
    p: Params,
    candidates: string,
    ofAppUser: (app: string, user: string) => string,
    bit: (i: number) => string,
  ): string {
    const n = q.steps.length;
    const masks = possibleMasks(q.steps);
    const oneString = masks.length <= ALPHABET.length;
    const grouped = q.groupBy !== undefined;

    // What each (app, user) or user folds its rows into, in event order. The ORDER BY inside the aggregates is
    // what guarantees that order (a sorted subquery alone does not: on PostgreSQL 16+ string_agg can be
    // aggregated in parallel parts and combined); on a single app's rows it sorts input that arrives sorted.
    const folds = (order: string): string[] => {
      const cols: string[] = [];
      if (oneString) {
        const chars = masks.map((m, k) => `WHEN ${m} THEN '${ALPHABET[k].replace(/'/g, "''")}'`).join(' ');
        cols.push(`string_agg(CASE mask ${chars} END, ''${order}) AS s`);
      } else {
        q.steps.forEach((_, i) => cols.push(`string_agg(CASE WHEN ${bit(i)} THEN '1' ELSE '0' END, ''${order}) AS s${i}`));
      }
      if (grouped) cols.push(`(array_agg(grp${order}) FILTER (WHERE ${bit(0)}))[1] AS g`);
      return cols;
    };
    const outCols = [...(oneString ? ['s'] : q.steps.map((_, i) => `s${i}`)), ...(grouped ? ['g'] : [])];

    // Position (1-based, in the user's string) of the first row after `from` whose match set contains step i.
    const find = (i: number, from: string): string => {
      const str = oneString ? 's' : `s${i}`;
      const rest = from === '0' ? `x.${str}` : `substr(x.${str}, ${from} + 1)`;
      let hit: string;
      if (!oneString) hit = `strpos(${rest}, '1')`;
      else {
        const set = masks.flatMap((m, k) => (m & (2 ** i) ? [ALPHABET[k]] : [])).join('');
        hit =
          set.length === 1
            ? `strpos(${rest}, ${p.add(set, 'text')})`
            : `strpos(translate(${rest}, ${p.add(set, 'text')}, ${p.add(' '.repeat(set.length), 'text')}), ' ')`;
      }
      return from === '0' ? `NULLIF(${hit}, 0)` : `${from} + NULLIF(${hit}, 0)`;
    };
    let chain = `SELECT ${outCols.join(', ')} FROM seqs`;
    for (let i = 0; i < n; i++) {
      chain = `SELECT x.*, ${find(i, i === 0 ? '0' : `x.p${i - 1}`)} AS p${i} FROM (${chain}) x OFFSET 0`;
    }
    const counts = `ARRAY[${q.steps.map((_, i) => `count(p${i})`).join(', ')}]::int[]`;

    return `
        WITH ${candidates},
        pu AS MATERIALIZED (
          SELECT app_id, user_id, ${folds(' ORDER BY o.ts, o.seq').join(', ')}
            FROM (SELECT app_id, user_id, mask, grp, ts, seq FROM cand ORDER BY app_id, user_id, ts, seq) o
           GROUP BY app_id, user_id
        ),
        multi AS (SELECT user_id, array_agg(app_id) AS apps FROM pu GROUP BY user_id HAVING count(*) > 1),
        seqs AS (
          SELECT ${outCols.join(', ')} FROM pu WHERE NOT EXISTS (SELECT 1 FROM multi WHERE multi.user_id = pu.user_id)
          UNION ALL
          SELECT ${folds(' ORDER BY r.ts, r.seq').join(', ')}
            FROM multi
            CROSS JOIN LATERAL unnest(multi.apps) AS a(app_id)
            CROSS JOIN LATERAL (
              ${ofAppUser('a.app_id', 'multi.user_id')}
              OFFSET 0
            ) r
           GROUP BY multi.user_id
        ),
        chains AS (${chain})
        SELECT grp, users FROM (
          SELECT false AS grouped, NULL::text AS grp, ${counts} AS users FROM chains
          ${
            grouped
              ? `UNION ALL
          SELECT true, g, ${counts} FROM chains WHERE g IS NOT NULL GROUP BY g`
              : ''
          }
        ) x
        ORDER BY grouped, grp COLLATE "C"`;
  }
}
