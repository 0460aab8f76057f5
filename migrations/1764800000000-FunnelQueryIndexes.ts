import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The funnel query (§2.13.4) walks each user's rows in event order. The (app_id, user_id, timestamp, seq) index
 * already delivered that order (and served the identity relabel by app and user); it now also carries the columns
 * the step match and the data mode read (message, screen_name, is_dev), so the query is an index-only scan that
 * needs no sort: rows arrive grouped by (app, user) and ordered by (timestamp, seq) within each group. Ingest still
 * maintains the same two indexes on funnel_events.
 */
export class FunnelQueryIndexes1764800000000 implements MigrationInterface {
  name = 'FunnelQueryIndexes1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS funnel_events_app_user_ts_idx`);
    await q.query(`
      CREATE INDEX funnel_events_app_user_ts_idx ON funnel_events (app_id, user_id, "timestamp", seq)
        INCLUDE (message, screen_name, is_dev)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS funnel_events_app_user_ts_idx`);
    await q.query(`CREATE INDEX funnel_events_app_user_ts_idx ON funnel_events (app_id, user_id, "timestamp", seq)`);
  }
}
