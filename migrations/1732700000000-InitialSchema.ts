import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The schema of SPEC §3. Hand-written: `events` is range-partitioned by month on "timestamp"
 * (monthly partitions are created ahead of time by EventsRepository.ensurePartitions; the default
 * partition only catches rows that arrive before their month exists), which TypeORM cannot generate.
 */
export class InitialSchema1732700000000 implements MigrationInterface {
  name = 'InitialSchema1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(255) NOT NULL,
        name varchar(255) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT users_email_key UNIQUE (email)
      )`);
    await q.query(`
      CREATE TABLE email_verification_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(255) NOT NULL,
        code_hash varchar(64) NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        used_at timestamptz(3),
        voided_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX email_verification_codes_email_idx ON email_verification_codes (email, created_at)`);
    await q.query(`
      CREATE TABLE email_login_failures (
        email varchar(255) PRIMARY KEY,
        failed_count integer NOT NULL DEFAULT 0,
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE teams (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(255) NOT NULL,
        slug varchar(255) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        deleted_at timestamptz(3),
        CONSTRAINT teams_slug_key UNIQUE (slug)
      )`);
    await q.query(`
      CREATE TABLE team_members (
        team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role varchar(16) NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
        joined_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, user_id)
      )`);
    await q.query(`CREATE INDEX team_members_user_idx ON team_members (user_id, joined_at)`);
    await q.query(`
      CREATE TABLE team_invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        email varchar(255) NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
        token uuid NOT NULL,
        invited_by_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        expires_at timestamptz(3) NOT NULL,
        accepted_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT team_invitations_token_key UNIQUE (token),
        CONSTRAINT team_invitations_team_email_key UNIQUE (team_id, email)
      )`);
    await q.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        name varchar(255) NOT NULL,
        slug varchar(255) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        deleted_at timestamptz(3),
        CONSTRAINT projects_team_slug_key UNIQUE (team_id, slug)
      )`);
    await q.query(`
      CREATE TABLE apps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        name varchar(255) NOT NULL,
        platform varchar(16) NOT NULL CHECK (platform IN ('apple', 'android', 'web', 'backend')),
        bundle_id varchar(255),
        client_key varchar(64) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        deleted_at timestamptz(3)
      )`);
    await q.query(`CREATE INDEX apps_team_idx ON apps (team_id, created_at)`);
    await q.query(`CREATE INDEX apps_project_idx ON apps (project_id, created_at)`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key_hash varchar(64) NOT NULL,
        key_prefix varchar(16) NOT NULL,
        key_type varchar(16) NOT NULL CHECK (key_type IN ('client', 'agent')),
        app_id uuid REFERENCES apps (id) ON DELETE CASCADE,
        team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        name varchar(255) NOT NULL,
        created_by uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        permissions jsonb NOT NULL,
        last_used_at timestamptz(3),
        expires_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        deleted_at timestamptz(3),
        CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
      )`);
    await q.query(`CREATE INDEX api_keys_team_idx ON api_keys (team_id, created_at)`);
    await q.query(`CREATE INDEX api_keys_app_idx ON api_keys (app_id)`);

    // Events: no foreign keys (ingest speed; apps are soft-deleted and purged by retention).
    await q.query(`
      CREATE TABLE events (
        id uuid NOT NULL,
        app_id uuid NOT NULL,
        client_event_id uuid,
        session_id uuid NOT NULL,
        user_id varchar(512),
        api_key_id uuid,
        level varchar(8) NOT NULL,
        source_module varchar(512),
        message text NOT NULL,
        screen_name varchar(512),
        custom_attributes jsonb,
        environment varchar(16),
        os_version varchar(512),
        app_version varchar(512),
        build_number varchar(512),
        device_model varchar(512),
        locale varchar(512),
        is_dev boolean NOT NULL DEFAULT false,
        experiments jsonb,
        "timestamp" timestamptz(3) NOT NULL,
        received_at timestamptz(3) NOT NULL,
        PRIMARY KEY (id, "timestamp")
      ) PARTITION BY RANGE ("timestamp")`);
    await q.query(`CREATE TABLE events_default PARTITION OF events DEFAULT`);
    await q.query(`CREATE INDEX events_app_ts_idx ON events (app_id, "timestamp" DESC, id DESC)`);
    await q.query(`CREATE INDEX events_app_level_ts_idx ON events (app_id, level, "timestamp" DESC, id DESC)`);
    await q.query(`CREATE INDEX events_app_user_ts_idx ON events (app_id, user_id, "timestamp" DESC, id DESC)`);
    await q.query(`CREATE INDEX events_app_session_idx ON events (app_id, session_id)`);
    await q.query(`CREATE INDEX events_app_screen_idx ON events (app_id, screen_name)`);

    await q.query(`
      CREATE TABLE event_dedup (
        app_id uuid NOT NULL,
        client_event_id uuid NOT NULL,
        received_at timestamptz(3) NOT NULL,
        PRIMARY KEY (app_id, client_event_id)
      )`);
    await q.query(`CREATE INDEX event_dedup_received_idx ON event_dedup (received_at)`);

    await q.query(`
      CREATE TABLE app_users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL,
        user_id varchar(512) NOT NULL,
        is_anonymous boolean NOT NULL,
        claimed_from jsonb,
        first_seen_at timestamptz(3) NOT NULL,
        last_seen_at timestamptz(3) NOT NULL,
        CONSTRAINT app_users_app_user_key UNIQUE (app_id, user_id)
      )`);
    await q.query(`CREATE INDEX app_users_app_seen_idx ON app_users (app_id, last_seen_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE audit_logs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id uuid NOT NULL,
        actor_type varchar(16) NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system')),
        actor_id text NOT NULL,
        action varchar(16) NOT NULL CHECK (action IN ('create', 'update', 'delete')),
        resource_type varchar(32) NOT NULL,
        resource_id text NOT NULL,
        changes jsonb,
        metadata jsonb,
        "timestamp" timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_logs_team_ts_idx ON audit_logs (team_id, "timestamp" DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'audit_logs',
      'app_users',
      'event_dedup',
      'events',
      'api_keys',
      'apps',
      'projects',
      'team_invitations',
      'team_members',
      'teams',
      'email_login_failures',
      'email_verification_codes',
      'users',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t} CASCADE`);
    }
  }
}
