import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import pino from 'pino';
import { AppModule } from './app.module';
import { configureApp, fastifyOptions } from './app.setup';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { loadEnvFile } from './config/env-file';
import { devPrettyStream, QuietNestLogger } from './logger-options';
import { HealthService } from './modules/health/health.service';
import { prepareRuntime, Runtime } from './runtime';
import { StartupError } from './config/startup-error';

/** In-flight requests get this long after SIGTERM before the process gives up on them (B13). */
const SHUTDOWN_GRACE_MS = 30_000;

function makeLogger(level: string, isProduction: boolean): pino.Logger {
  const stream = devPrettyStream({ isProduction });
  return stream ? pino({ level }, stream) : pino({ level });
}

/** One fatal line: what went wrong and what to do (a StartupError), or the unexpected error with its stack. */
function describeStartupFailure(err: unknown, config: AppConfig): { fields: Record<string, unknown>; message: string } {
  if (err instanceof StartupError) return { fields: err.details, message: err.message };
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') {
    return {
      fields: { port: config.port, host: config.host },
      message: `Port ${config.port} on ${config.host} is already in use: stop the other server or set PORT to a free port`,
    };
  }
  if (code === 'EACCES' && (err as { syscall?: string }).syscall === 'listen') {
    return { fields: { port: config.port }, message: `Not allowed to listen on port ${config.port}: use a port above 1023 (PORT)` };
  }
  return { fields: { err }, message: 'startup failed' };
}

async function bootstrap(): Promise<void> {
  // .env first: exported variables win over the file (loadEnvFile never overwrites them).
  const envFile = loadEnvFile();
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    // LOG_LEVEL itself may be the bad value, so this line uses the default level.
    const log = makeLogger('info', process.env.NODE_ENV === 'production');
    if (err instanceof ConfigError) {
      log.fatal(err.message);
      process.exit(1);
    }
    throw err;
  }
  const bootLog = makeLogger(config.logLevel, config.isProduction);
  if (envFile.file)
    bootLog.info({ file: envFile.file, variables: envFile.applied.length }, 'read .env (exported variables take precedence)');

  let runtime: Runtime | undefined;
  let app: NestFastifyApplication | undefined;
  // A signal during startup (Ctrl+C while the database initialises, a supervisor giving up) must not kill the process
  // before it can stop the embedded database it may be starting: note it, and stop once startup settles.
  let earlySignal: string | null = null;
  const onEarlySignal = (signal: string) => {
    earlySignal ??= signal;
    bootLog.info({ signal }, 'stopping once startup settles');
  };
  const earlySignals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  for (const sig of earlySignals) process.on(sig, onEarlySignal);
  const stopIfSignalled = async () => {
    if (!earlySignal) return;
    await app?.close().catch(() => undefined);
    await runtime?.stop().catch(() => undefined);
    process.exit(0);
  };
  try {
    runtime = await prepareRuntime(config, bootLog.child({ component: 'runtime' }));
    await stopIfSignalled();
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(runtime.config), new FastifyAdapter(fastifyOptions()), {
      bufferLogs: true,
      abortOnError: false, // throw to the catch below instead of process.abort()
      bodyParser: false, // body-handling registers the only parsers (JSON, strict)
    });
    app.useLogger(new QuietNestLogger(app.get(Logger)));
    await configureApp(app, runtime.config);
    await stopIfSignalled();
    await app.listen(runtime.config.port, runtime.config.host);
  } catch (err) {
    const { fields, message } = describeStartupFailure(err, config);
    bootLog.fatal(fields, message);
    await app?.close().catch(() => undefined);
    await runtime?.stop().catch(() => undefined);
    process.exit(1);
  }
  for (const sig of earlySignals) process.removeListener(sig, onEarlySignal);
  await stopIfSignalled();
  const shownHost = ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(config.host) ? 'localhost' : config.host;
  const base = `http://${shownHost}:${config.port}`;
  bootLog.info({ port: config.port, host: config.host }, `OwlMetry API listening on ${base} (health: ${base}/health, docs: ${base}/docs)`);

  const running = app;
  const started = runtime;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    bootLog.info({ signal }, 'shutting down');
    running.get(HealthService).markShuttingDown();
    const deadline = setTimeout(() => {
      bootLog.error('in-flight requests did not finish in time; exiting');
      void started.stop().finally(() => process.exit(1));
    }, SHUTDOWN_GRACE_MS);
    deadline.unref();
    try {
      // Nest closes the HTTP server (in-flight requests finish, idle keep-alives close), then the pool, and only
      // then the embedded database stops: no connection is cut from under a request.
      await running.close();
      await started.stop();
      clearTimeout(deadline);
      process.exit(0);
    } catch (err) {
      bootLog.error({ err }, 'shutdown failed');
      await started.stop();
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // A closed terminal: stop cleanly too, or the embedded database would be left running.
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
}

void bootstrap();
