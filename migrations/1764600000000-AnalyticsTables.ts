import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Metrics and funnels (SPEC §2.12, §2.13, §3): the two definition tables and the two row tables that ingest
 * fills in the same statement as the events (B15).
 *
 * - Definitions are soft-deleted; the slug is unique among live definitions only, so a deleted slug is free at
 *   once (B21).
 * - `metric_events` / `funnel_events` have no foreign keys (like `events`); rows of deleted apps are hidden by
 *   the queries' app scope and removed by retention with their app.
 * - `funnel_events.seq` is the arrival order (B17): an identity filled in the order ingest inserts the rows
 *   (requests in arrival order, each batch in array order).
 * - Indexes: metric rows are read by (app, slug, time) — the event list pages on (timestamp, id) and the
 *   aggregation reads a time range; funnel rows are read by (app, time) for the candidate set. Both carry the
 *   columns the aggregations need (INCLUDE) so those can run as index-only scans on a vacuumed table.
 */
export class AnalyticsTables1764600000000 implements MigrationInterface {
  name = 'AnalyticsTables1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE metric_definitions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL,
        name varchar(255) NOT NULL,
        slug varchar(255) NOT NULL,
        description text,
        documentation text,
        schema_definition jsonb,
        aggregation_rules jsonb,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        deleted_at timestamptz(3)
      )`);
    await q.query(`
      CREATE UNIQUE INDEX metric_definitions_project_slug_key ON metric_definitions (project_id, slug)
        WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX metric_definitions_project_created_idx ON metric_definitions (project_id, created_at, id)`);

    await q.query(`
      CREATE TABLE funnel_definitions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL,
        name varchar(255) NOT NULL,
        slug varchar(255) NOT NULL,
        description text,
        steps jsonb NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        deleted_at timestamptz(3)
      )`);
    await q.query(`
      CREATE UNIQUE INDEX funnel_definitions_project_slug_key ON funnel_definitions (project_id, slug)
        WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX funnel_definitions_project_created_idx ON funnel_definitions (project_id, created_at, id)`);

    await q.query(`
      CREATE TABLE metric_events (
        id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
        app_id uuid NOT NULL,
        session_id uuid,
        user_id varchar(512),
        api_key_id uuid,
        metric_slug varchar(255) NOT NULL,
        phase varchar(16) NOT NULL CHECK (phase IN ('start', 'complete', 'fail', 'cancel', 'record')),
        tracking_id uuid,
        duration_ms integer,
        error text,
        attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
        environment varchar(16),
        os_version varchar(512),
        app_version varchar(512),
        device_model varchar(512),
        build_number varchar(512),
        is_dev boolean NOT NULL DEFAULT false,
        client_event_id uuid,
        "timestamp" timestamptz(3) NOT NULL,
        received_at timestamptz(3) NOT NULL
      )`);
    await q.query(`
      CREATE INDEX metric_events_app_slug_ts_idx ON metric_events (app_id, metric_slug, "timestamp" DESC, id DESC)
        INCLUDE (phase, duration_ms, is_dev)`);
    await q.query(`CREATE INDEX metric_events_app_tracking_idx ON metric_events (app_id, tracking_id) WHERE tracking_id IS NOT NULL`);
    await q.query(`CREATE INDEX metric_events_app_user_idx ON metric_events (app_id, user_id)`);

    await q.query(`
      CREATE TABLE funnel_events (
        id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        app_id uuid NOT NULL,
        session_id uuid,
        user_id varchar(512),
        api_key_id uuid,
        step_name text NOT NULL,
        message text NOT NULL,
        screen_name varchar(512),
        custom_attributes jsonb,
        experiments jsonb,
        environment varchar(16),
        os_version varchar(512),
        app_version varchar(512),
        device_model varchar(512),
        build_number varchar(512),
        is_dev boolean NOT NULL DEFAULT false,
        client_event_id uuid,
        "timestamp" timestamptz(3) NOT NULL,
        received_at timestamptz(3) NOT NULL
      )`);
    await q.query(`
      CREATE INDEX funnel_events_app_ts_idx ON funnel_events (app_id, "timestamp")
        INCLUDE (user_id, message, screen_name, seq, is_dev)`);
    await q.query(`CREATE INDEX funnel_events_app_user_ts_idx ON funnel_events (app_id, user_id, "timestamp", seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['funnel_events', 'metric_events', 'funnel_definitions', 'metric_definitions']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
