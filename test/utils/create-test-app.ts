import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp, fastifyOptions } from '../../src/app.setup';
import { BUCKET_STORE } from '../../src/common/rate-limit/rate-limit.constants';
import { BucketStore } from '../../src/common/rate-limit/token-bucket';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { ApiKeyStoreService } from '../../src/modules/keys/api-key-store.service';
import { RETENTION_LOCK_KEY } from '../../src/modules/retention/retention.repository';
import { SmtpSink } from './smtp-sink';
import { testDatabaseUrl } from './test-env';

export const TEST_JWT_SECRET = 'e2e-test-secret-not-for-production';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Who calls: a session or key fixture (anything with `headers`), or raw headers. */
export interface CallOptions {
  as?: { headers: Record<string, string> };
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

/** An answer as tests compare it: status and parsed JSON body (null when empty); `headers` is there but not enumerable. */
export interface CallResult {
  status: number;
  body: any;
  headers: Record<string, string | string[] | number | undefined>;
}

export interface TestApp {
  app: NestFastifyApplication;
  sink: SmtpSink;
  ds: DataSource;
  config: AppConfig;
  /** One request through the real HTTP stack (Fastify inject): `t.call('GET', '/v1/apps', { as: owner })`. */
  call(method: HttpMethod, url: string, options?: CallOptions): Promise<CallResult>;
  /** Truncates every table (not the migrations), empties the mail sink, refills every rate-limit bucket and forgets cached keys. */
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
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(fastifyOptions()), {
    logger: false,
    bodyParser: false,
  });
  await configureApp(app, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const ds = app.get(DataSource);
  return {
    app,
    sink,
    ds,
    config,
    call: async (method, url, options = {}) => {
      const qs = options.query ? new URLSearchParams(options.query).toString() : '';
      const res = await app.inject({
        method,
        url: qs ? `${url}?${qs}` : url,
        headers: { ...options.as?.headers, ...options.headers },
        ...(options.body === undefined ? {} : { payload: options.body as Record<string, unknown> }),
      });
      const result = { status: res.statusCode, body: res.body === '' ? null : res.json<unknown>() } as CallResult;
      // Not enumerable: `expect(await t.call(…)).toEqual({ status, body })` compares just those two.
      Object.defineProperty(result, 'headers', { value: res.headers, enumerable: false });
      return result;
    },
    reset: async () => {
      const tables: { tablename: string }[] = await ds.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' AND tablename NOT LIKE 'events_%'`,
      );
      await ds.transaction(async (m) => {
        // The retention job (10 s after boot, then daily) locks several of these tables, in its own order, inside a
        // transaction that holds its advisory lock: waiting for that lock first, the TRUNCATE can never deadlock with it.
        await m.query(`SELECT pg_advisory_xact_lock($1)`, [RETENTION_LOCK_KEY]);
        await m.query(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
      });
      sink.clear();
      // In-memory state never leaks between tests: every bucket full again, no key remembered.
      await app.get<BucketStore>(BUCKET_STORE).reset();
      app.get(ApiKeyStoreService).forgetCached();
    },
    close: async () => {
      await app.close();
      await sink.stop();
    },
  };
}

/**
 * The app of one suite: started before its tests, closed after them (the preamble every suite shares).
 * Returns a handle that reads the running app, so `const t = useTestApp();` stands at the top of a `describe`.
 */
export function useTestApp(overrides: Partial<AppConfig> = {}, providers: ProviderOverride[] = []): TestApp {
  let current: TestApp | undefined;
  beforeAll(async () => {
    current = await createTestApp(overrides, providers);
  });
  afterAll(async () => {
    await current?.close();
  });
  const running = (): TestApp => {
    if (!current) throw new Error('useTestApp: the app starts in beforeAll; use it inside hooks and tests');
    return current;
  };
  return new Proxy({} as TestApp, { get: (_target, key) => Reflect.get(running(), key) as unknown });
}
