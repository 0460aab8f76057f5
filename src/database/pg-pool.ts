import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** A connection borrowed from the pool; `release` must be called exactly once. */
export interface PooledPgClient {
  /** pg's own client: the only API that can name a prepared statement (`{ name, text, values }`). */
  readonly client: PoolClient;
  /**
   * Gives the connection back. Pass the error when the connection may be broken (a socket or protocol
   * failure), so the pool drops it instead of handing it out again; an error the server reported leaves
   * it usable, so release that without one.
   */
  readonly release: (err?: unknown) => void;
}

/** Connections of the pool by state (the Prometheus pool gauge). */
export interface PgPoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/**
 * The one place that reaches into TypeORM's PostgreSQL driver for its pg pool: everything else talks to
 * the database through TypeORM (DataSource, EntityManager). Needed where TypeORM has no API — a named
 * prepared statement on a pooled connection (the ingest write), and the pool's counters.
 */
@Injectable()
export class PgPool {
  constructor(private readonly ds: DataSource) {}

  /** Borrows a connection of the app's pool (the same pool TypeORM's queries use). */
  async connect(): Promise<PooledPgClient> {
    const [client, done] = (await this.driver().obtainMasterConnection()) as [PoolClient, (err?: unknown) => void];
    // The pool stops listening for 'error' on a connection it hands out: one the database ends meanwhile (a restart,
    // pg_terminate_backend) would emit an unheard 'error' and crash the process. Heard, it fails the statement on it
    // (pg does that itself) and makes the pool drop the connection at release.
    let broken: Error | undefined;
    const onError = (err: Error) => (broken ??= err);
    client.on('error', onError);
    let released = false;
    const release = (err?: unknown): void => {
      if (released) return;
      released = true;
      client.removeListener('error', onError);
      done(err ?? broken);
    };
    return { client, release };
  }

  /** The pool's connection counts, or null while the data source is not connected. */
  stats(): PgPoolStats | null {
    const pool = this.driver().master as Pool | undefined;
    if (!pool) return null;
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  }

  private driver(): PostgresDriver {
    return this.ds.driver as PostgresDriver;
  }
}
