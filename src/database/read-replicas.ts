import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DatabaseError, Pool, PoolClient, types } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/** What a read needs of a connection: `EntityManager.query` on the primary, a pg client on a replica. */
export interface ReadQuerier {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same loose default as EntityManager.query
  query<T = any>(sql: string, params?: unknown[]): Promise<T>;
}

/** Why a replica-routed read ran on the primary (label of owlmetry_replica_fallbacks_total). */
export type FallbackReason = 'unavailable' | 'lagging' | 'error';

/** One replica as /health/ready reports it (no credentials). */
export interface ReplicaState {
  name: string;
  state: 'ok' | 'down';
  /** Replay lag at the last probe (ms); null before the first successful probe. */
  lagMs: number | null;
  problem?: string;
}

/** How often each replica (and the primary's WAL position) is probed. */
export const REPLICA_PROBE_INTERVAL_MS = 1_000;
/** A probe that takes longer marks the replica down. */
const PROBE_TIMEOUT_MS = 2_000;
/** Poll interval while a read waits for the replica to replay the primary's WAL position. */
const REPLAY_POLL_MS = 5;
const APPLICATION_NAME = 'owlmetry-read';

/** `X/Y` (pg_lsn as text) → a comparable number of bytes. */
export const parseLsn = (lsn: string): bigint => {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
};

/** host:port/database of a URL (what logs and /health/ready may show). */
export const replicaName = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'replica';
  }
};

/** pg's parser lookup with plain oids (its typings know only the scalar built-ins). */
const parserOf = types.getTypeParser as (oid: number, format?: string) => (value: string) => unknown;

/**
 * bigint (and bigint[]) as JS numbers on the replica pools too, as TypeORM's parseInt8 makes pg do for the primary
 * (int4's parsers, exactly like pg's own `defaults.parseInt8`), whichever pool was created first. numeric stays a string.
 */
const replicaTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? parserOf(23, 'text') : oid === 1016 ? parserOf(1007, 'text') : parserOf(oid, format)) as typeof types.getTypeParser,
};

/**
 * SQLSTATE classes that say "this server cannot answer now" rather than "this statement is wrong": connection (08),
 * resources (53), operator intervention incl. shutdown (57), system (58), and 40001 (a standby cancels a query that
 * conflicts with recovery). The primary may well answer such a read.
 */
const replicaTrouble = (err: unknown): boolean => {
  if (!(err instanceof DatabaseError)) return true;
  const code = err.code ?? '';
  return ['08', '53', '57', '58'].includes(code.slice(0, 2)) || code === '40001';
};
/** …and of those, the ones that say the server is going away (the others are one statement's bad luck). */
const replicaDown = (err: unknown): boolean =>
  !(err instanceof DatabaseError) || ['08', '53', '57', '58'].includes((err.code ?? '').slice(0, 2));

class Replica {
  healthy = false;
  lagMs: number | null = null;
  problem: string | null = 'not probed yet';
  /** The highest replay position seen on this replica (replay only moves forward). */
  replayed = 0n;
  /** True once the outage was logged, until the replica recovers (one warning per outage). */
  warned = false;

  constructor(
    readonly name: string,
    /** The heavy reads. */
    readonly pool: Pool,
    /** One connection of its own for the health probe, so that probes never queue behind reads. */
    readonly probePool: Pool,
  ) {}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Routes the heavy analytics reads (event lists, app-user lists, metric and funnel queries) to hot standbys
 * (DATABASE_REPLICA_URLS), round-robin over the healthy ones, and to the primary when none is healthy. Without
 * replicas every call is exactly `DataSource.query` / `DataSource.transaction` on the primary.
 *
 * Consistency (read-your-acknowledged-writes, across instances): before a replica read, the primary's current WAL
 * position (`pg_current_wal_lsn()`, one trivial query) is read, and the replica is used only once its
 * `pg_last_wal_replay_lsn()` has reached it — polled for at most REPLICA_WAIT_MS, after which the read runs on the
 * primary. Every write committed (and so every ingest acknowledged, by any instance) before the read started is
 * therefore visible to it, as on the primary alone.
 *
 * Failure: a replica whose query fails for a server/connection reason is marked down at once and the read is
 * retried on the primary; a probe every second (replay position against the primary's recent WAL positions)
 * marks it down when unreachable, not a standby, or more than REPLICA_MAX_LAG_MS behind, and up again when it
 * is fine. One warning per outage; every fallback is counted (onFallback → /metrics).
 */
@Injectable()
export class ReadReplicas implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ReadReplicas.name);
  private readonly replicas: Replica[];
  private readonly fallbackListeners: ((reason: FallbackReason) => void)[] = [];
  /** The primary's WAL position at recent probes, oldest first (to turn a replay position into a lag in ms). */
  private samples: { at: number; lsn: bigint }[] = [];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.replicas = config.databaseReplicaUrls.map((url) => {
      const common = { connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS, types: replicaTypes };
      const replica = new Replica(
        replicaName(url),
        new Pool({ ...common, max: 10, idleTimeoutMillis: 30_000, application_name: APPLICATION_NAME }),
        new Pool({ ...common, max: 1, idleTimeoutMillis: 0, application_name: `${APPLICATION_NAME}-probe` }),
      );
      // An idle connection that breaks (the standby stopped) must not crash the process; the probe notices.
      for (const pool of [replica.pool, replica.probePool]) pool.on('error', (err) => this.markDown(replica, err.message));
      return replica;
    });
  }

  get configured(): boolean {
    return this.replicas.length > 0;
  }

  /** One read statement, on a caught-up replica when there is one. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same loose default as DataSource.query
  async query<T = any>(sql: string, params: unknown[] = []): Promise<T> {
    if (!this.configured) return this.ds.query(sql, params);
    return this.route((q) => q.query<T>(sql, params), false);
  }

  /**
   * Several read statements in one read-only transaction (for `SET LOCAL`), on one replica or on the primary.
   * `work` must only read.
   */
  async transaction<T>(work: (q: ReadQuerier) => Promise<T>): Promise<T> {
    if (!this.configured) return this.ds.transaction((m) => work(m));
    return this.route(work, true);
  }

  onFallback(listener: (reason: FallbackReason) => void): void {
    this.fallbackListeners.push(listener);
  }

  /** For /health/ready; empty when no replica is configured. */
  state(): ReplicaState[] {
    return this.replicas.map((r) => ({
      name: r.name,
      state: r.healthy ? 'ok' : 'down',
      lagMs: r.lagMs,
      ...(r.problem !== null ? { problem: r.problem } : {}),
    }));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.configured) return;
    // The first probe before serving (bounded by the connect timeout), so a fresh instance uses its replicas at once.
    await this.probe();
    this.timer = setInterval(() => void this.probe(), REPLICA_PROBE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.probing;
    await Promise.all(this.replicas.flatMap((r) => [r.pool.end(), r.probePool.end()]));
  }

  /** Probes every replica once (exposed for tests that must not wait for the timer). */
  probe(): Promise<void> {
    this.probing ??= this.probeAll().finally(() => (this.probing = null));
    return this.probing;
  }

  private async route<T>(work: (q: ReadQuerier) => Promise<T>, tx: boolean): Promise<T> {
    const target = await this.acquire();
    if (typeof target === 'string') return this.onPrimary(work, tx, target);
    const { replica, client } = target;
    const querier: ReadQuerier = {
      query: async (sql, params) => {
        try {
          return (await client.query(sql, params)).rows as never;
        } catch (err) {
          // The same error type as DataSource.query, so error translation sees no difference.
          throw err instanceof DatabaseError ? new QueryFailedError(sql, params, err) : err;
        }
      },
    };
    let result: T;
    try {
      if (tx) await client.query('BEGIN READ ONLY');
      result = await work(querier);
      if (tx) await client.query('COMMIT');
    } catch (err) {
      const cause = err instanceof QueryFailedError ? (err.driverError as unknown) : err;
      // A failed transaction or a broken connection is not worth keeping; a failed plain statement leaves it usable.
      client.release(tx || !(cause instanceof DatabaseError) ? (cause as Error) : undefined);
      if (!replicaTrouble(cause)) throw err;
      if (replicaDown(cause)) this.markDown(replica, (cause as Error).message);
      return this.onPrimary(work, tx, 'error');
    }
    client.release();
    return result;
  }

  private onPrimary<T>(work: (q: ReadQuerier) => Promise<T>, tx: boolean, reason: FallbackReason): Promise<T> {
    for (const listener of this.fallbackListeners) listener(reason);
    return tx ? this.ds.transaction((m) => work(m)) : work(this.ds);
  }

  /** A healthy replica's connection once it has replayed the primary's current WAL position, else why not. */
  private async acquire(): Promise<{ replica: Replica; client: PoolClient } | FallbackReason> {
    const healthy = this.replicas.filter((r) => r.healthy);
    if (healthy.length === 0) return 'unavailable';
    const replica = healthy[this.next++ % healthy.length];
    const [lsn, conn] = await Promise.allSettled([this.primaryLsn(), this.checkout(replica)]);
    if (lsn.status === 'rejected') {
      if (conn.status === 'fulfilled') conn.value.release();
      throw lsn.reason; // the primary is unreachable: the read fails as it would without replicas
    }
    if (conn.status === 'rejected') {
      this.markDown(replica, (conn.reason as Error).message);
      return 'error';
    }
    const client = conn.value;
    const target = lsn.value;
    const deadline = Date.now() + this.config.replicaWaitMs;
    try {
      while (replica.replayed < target) {
        const rows = (await client.query<{ lsn: string | null }>('SELECT pg_last_wal_replay_lsn()::text AS lsn')).rows;
        const replayed = rows[0].lsn === null ? null : parseLsn(rows[0].lsn);
        if (replayed === null) {
          client.release();
          this.markDown(replica, 'not a standby (pg_last_wal_replay_lsn() is null)');
          return 'error';
        }
        if (replayed > replica.replayed) replica.replayed = replayed;
        if (replica.replayed >= target) break;
        if (Date.now() >= deadline) {
          client.release();
          return 'lagging';
        }
        await sleep(REPLAY_POLL_MS);
      }
    } catch (err) {
      client.release(err as Error);
      this.markDown(replica, (err as Error).message);
      return 'error';
    }
    return { replica, client };
  }

  /**
   * A connection of the replica's read pool, listened to from the moment the pool hands it out: the pool stops
   * listening for 'error' on a checked-out connection, and one that breaks while it waits for the primary's WAL
   * position (the standby stops) would otherwise emit an unheard 'error' and crash the process. The statement
   * running on a broken connection fails too, and route() falls back.
   */
  private async checkout(replica: Replica): Promise<PoolClient> {
    const client = await replica.pool.connect();
    const onError = (err: Error) => this.markDown(replica, err.message);
    client.on('error', onError);
    const release = client.release.bind(client);
    client.release = (err?: Error | boolean) => {
      client.removeListener('error', onError);
      return release(err);
    };
    return client;
  }

  private async primaryLsn(): Promise<bigint> {
    const rows: { lsn: string }[] = await this.ds.query('SELECT pg_current_wal_lsn()::text AS lsn');
    return parseLsn(rows[0].lsn);
  }

  private async probeAll(): Promise<void> {
    if (this.closed) return;
    const now = Date.now();
    try {
      this.samples.push({ at: now, lsn: await this.primaryLsn() });
    } catch {
      // The primary's own trouble is /health/ready's business; the replicas' lag is unknown meanwhile.
    }
    // Enough history to tell "further behind than the bound" from "a little behind".
    const keepFrom = now - 2 * this.config.replicaMaxLagMs - 2 * REPLICA_PROBE_INTERVAL_MS;
    this.samples = this.samples.filter((s) => s.at >= keepFrom);
    await Promise.all(this.replicas.map((r) => this.probeOne(r)));
  }

  private async probeOne(replica: Replica): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const probe = replica.probePool.query<{ standby: boolean; lsn: string | null }>(
        'SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS lsn',
      );
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      });
      probe.catch(() => undefined); // settled later than the timeout: nobody waits for it any more
      const { standby, lsn } = (await Promise.race([probe, timeout])).rows[0];
      if (!standby || lsn === null) return this.markDown(replica, 'not a standby (pg_is_in_recovery() is false)');
      const replayed = parseLsn(lsn);
      if (replayed > replica.replayed) replica.replayed = replayed;
      replica.lagMs = this.lagOf(replica.replayed);
      if (replica.lagMs > this.config.replicaMaxLagMs) {
        return this.markDown(replica, `replay is ${replica.lagMs} ms behind (REPLICA_MAX_LAG_MS=${this.config.replicaMaxLagMs})`);
      }
      this.markUp(replica);
    } catch (err) {
      this.markDown(replica, (err as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * How long ago the primary had written WAL that the replica has not replayed yet: the age of the oldest probe
   * sample beyond the replay position (0 when the replica has replayed the newest sample). Resolution: one probe
   * interval; an idle primary means no lag, unlike `now() - pg_last_xact_replay_timestamp()`.
   */
  private lagOf(replayed: bigint): number {
    const behind = this.samples.find((s) => s.lsn > replayed);
    return behind ? Date.now() - behind.at : 0;
  }

  private markDown(replica: Replica, problem: string): void {
    replica.healthy = false;
    replica.problem = problem;
    if (this.closed || replica.warned) return;
    replica.warned = true;
    this.log.warn(`Read replica ${replica.name} is skipped, its reads go to the primary until it recovers: ${problem}`);
  }

  private markUp(replica: Replica): void {
    if (replica.warned) this.log.log(`Read replica ${replica.name} is back: it serves reads again`);
    replica.healthy = true;
    replica.problem = null;
    replica.warned = false;
  }
}
