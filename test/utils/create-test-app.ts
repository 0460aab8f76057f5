import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp, fastifyOptions } from '../../src/app.setup';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { SmtpSink } from './smtp-sink';
import { testDatabaseUrl } from './test-env';

export const TEST_JWT_SECRET = 'e2e-test-secret-not-for-production';

export interface TestApp {
  app: NestFastifyApplication;
  sink: SmtpSink;
  ds: DataSource;
  config: AppConfig;
  /** Truncates every table (not the migrations) and forgets in-memory state between tests. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** A provider of the app replaced by a value for one test app (e.g. the ingest writer's options). */
export interface ProviderOverride {
  provide: string | symbol | (abstract new (...args: never[]) => unknown);
  useValue: unknown;
}

/**
 * The real AppModule on the Fastify adapter, configured exactly like main.ts, on the run's database;
 * `providers` replace the named providers in this app only.
 */
export async function createTestApp(overrides: Partial<AppConfig> = {}, providers: ProviderOverride[] = []): Promise<TestApp> {
  const sink = new SmtpSink();
  await sink.start();
  const config: AppConfig = {
    ...loadConfig({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' }),
    databaseUrl: testDatabaseUrl(),
    jwtSecret: TEST_JWT_SECRET,
    smtpUrl: sink.url,
    webAppUrl: 'http://dashboard.test',
    ...overrides,
  };
  const builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] });
  for (const { provide, useValue } of providers) builder.overrideProvider(provide).useValue(useValue);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(fastifyOptions()), { logger: false, bodyParser: false });
  await configureApp(app, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const ds = app.get(DataSource);
  return {
    app,
    sink,
    ds,
    config,
    reset: async () => {
      const tables: { tablename: string }[] = await ds.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' AND tablename NOT LIKE 'events_%'`,
      );
      await ds.query(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
      sink.clear();
      await resetInMemoryState(app);
    },
    close: async () => {
      await app.close();
      await sink.stop();
    },
  };
}

/** Hooks for in-memory state (key cache, rate-limit buckets) registered by modules that have some. */
const resetters: ((app: NestFastifyApplication) => Promise<void> | void)[] = [];
export const onReset = (fn: (app: NestFastifyApplication) => Promise<void> | void): void => {
  resetters.push(fn);
};

async function resetInMemoryState(app: NestFastifyApplication): Promise<void> {
  for (const fn of resetters) await fn(app);
}
