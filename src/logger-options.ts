import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoggerService, RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { DestinationStream, LoggerOptions } from 'pino';
import { AppConfig } from './config/app-config';

let prettyStream: DestinationStream | null | undefined;

/**
 * Human-readable lines (pino-pretty, synchronous, in this thread) in development when stdout is a terminal;
 * JSON lines otherwise (production, pipes, log collectors). One stream shared by every logger of the process.
 */
export function devPrettyStream(config: Pick<AppConfig, 'isProduction'>, isTty = !!process.stdout.isTTY): DestinationStream | null {
  if (config.isProduction || !isTty) return null;
  if (prettyStream !== undefined) return prettyStream;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as (opts: Record<string, unknown>) => DestinationStream;
    prettyStream = pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
  } catch {
    prettyStream = null; // not installed: JSON it is
  }
  return prettyStream;
}

/** pino with a request id on every line; credentials and key material never reach the log. */
export function loggerOptions(config: AppConfig): Params {
  const options = {
    level: config.logLevel,
    // Fastify assigns the id (app.setup.ts genReqId); pino-http reuses it.
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? randomUUID(),
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.api_key', '*.key', '*.token', '*.code'],
      censor: '[redacted]',
    },
    // A line per request at info costs ingest throughput; successful requests log at debug.
    customLogLevel: (_req: unknown, res: { statusCode: number }, err?: unknown) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  } satisfies LoggerOptions & Record<string, unknown>;
  const stream = devPrettyStream(config);
  return {
    // Nest 11 path syntax: the default `*` is auto-converted with a warning at every boot.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    pinoHttp: stream ? [options, stream] : options,
  };
}

/** Nest's own boot chatter that is noise at info: one line per module and per route. */
const CHATTY_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * Wraps the application logger: Nest's module/route lines go to debug, and "Nest application successfully started"
 * is dropped (Nest prints it before the port is bound, so it would appear even when listen fails with EADDRINUSE;
 * main.ts logs the real "listening" line after listen succeeds, or one line saying why it failed).
 */
export class QuietNestLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (context === 'NestApplication' && typeof message === 'string' && message.includes('successfully started')) return;
    if (typeof context === 'string' && CHATTY_CONTEXTS.has(context)) {
      this.inner.debug?.(message, ...rest);
      return;
    }
    this.inner.log(message, ...rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    // A failed listen (EADDRINUSE, EACCES) reaches main.ts, which logs it once with what to do.
    if (rest[rest.length - 1] === 'NestApplication' && /\blisten E[A-Z]+/.test(String(message))) return;
    this.inner.error(message, ...rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(message, ...rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(message, ...rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...rest);
  }
}
