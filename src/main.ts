import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import pino from 'pino';
import { AppModule } from './app.module';
import { configureApp, fastifyOptions } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';
import { HealthService } from './modules/health/health.service';
import { prepareRuntime } from './runtime';

/** In-flight requests get this long after SIGTERM before the process gives up on them (B13). */
const SHUTDOWN_GRACE_MS = 30_000;

async function bootstrap(): Promise<void> {
  const bootLog = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      bootLog.fatal(err.message);
      process.exit(1);
    }
    throw err;
  }
  const runtime = await prepareRuntime(config, bootLog.child({ component: 'runtime' }));
  let app: NestFastifyApplication;
  try {
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(runtime.config), new FastifyAdapter(fastifyOptions()), {
      bufferLogs: true,
      bodyParser: false, // body-handling registers the only parsers (JSON, strict)
    });
    app.useLogger(app.get(Logger));
    await configureApp(app, runtime.config);
    await app.listen(runtime.config.port, runtime.config.host);
  } catch (err) {
    bootLog.fatal({ err }, 'startup failed');
    await runtime.stop();
    process.exit(1);
  }
  bootLog.info({ port: runtime.config.port, host: runtime.config.host }, 'OwlMetry API listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    bootLog.info({ signal }, 'shutting down');
    app.get(HealthService).markShuttingDown();
    const deadline = setTimeout(() => {
      bootLog.error('in-flight requests did not finish in time; exiting');
      void runtime.stop().finally(() => process.exit(1));
    }, SHUTDOWN_GRACE_MS);
    deadline.unref();
    try {
      // Nest closes the HTTP server (in-flight requests finish, idle keep-alives close), then the pool.
      await app.close();
      await runtime.stop();
      clearTimeout(deadline);
      process.exit(0);
    } catch (err) {
      bootLog.error({ err }, 'shutdown failed');
      await runtime.stop();
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void bootstrap();
