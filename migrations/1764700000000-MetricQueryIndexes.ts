import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The metric query (§2.12.4) reads a time range of one metric and aggregates phase, duration, error, user and the
 * usual group columns. The (app_id, metric_slug, timestamp, id) index already served the event list; it now also
 * carries those columns, so the aggregation is an index-only scan (a third of the heap's width) and ingest still
 * maintains one index for both reads. Group columns not included (os_version, device_model) fall back to heap
 * fetches.
 */
export class MetricQueryIndexes1764700000000 implements MigrationInterface {
  name = 'MetricQueryIndexes1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS metric_events_app_slug_ts_idx`);
    await q.query(`
      CREATE INDEX metric_events_app_slug_ts_idx ON metric_events (app_id, metric_slug, "timestamp" DESC, id DESC)
        INCLUDE (phase, duration_ms, is_dev, user_id, error, app_version, environment)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS metric_events_app_slug_ts_idx`);
    await q.query(`
      CREATE INDEX metric_events_app_slug_ts_idx ON metric_events (app_id, metric_slug, "timestamp" DESC, id DESC)
        INCLUDE (phase, duration_ms, is_dev)`);
  }
}
