import { LoggerService } from '@nestjs/common';
import { devPrettyStream, QuietNestLogger } from './logger-options';

describe('QuietNestLogger', () => {
  const calls: [string, unknown[]][] = [];
  const inner: LoggerService = {
    log: (...a: unknown[]) => calls.push(['log', a]),
    error: (...a: unknown[]) => calls.push(['error', a]),
    warn: (...a: unknown[]) => calls.push(['warn', a]),
    debug: (...a: unknown[]) => calls.push(['debug', a]),
  };
  beforeEach(() => (calls.length = 0));

  it('drops "successfully started" (printed before listen) and the duplicate listen error', () => {
    const log = new QuietNestLogger(inner);
    log.log('Nest application successfully started', 'NestApplication');
    log.error('Error: listen EADDRINUSE: address already in use 127.0.0.1:4000', undefined, 'NestApplication');
    expect(calls).toEqual([]);
  });

  it('moves module and route chatter to debug, passes everything else', () => {
    const log = new QuietNestLogger(inner);
    log.log('AppModule dependencies initialized', 'InstanceLoader');
    log.log('Mapped {/health, GET} route', 'RouterExplorer');
    log.log('something useful', 'MailService');
    log.error('boom', 'trace', 'Other');
    expect(calls.map(([level, [msg]]) => `${level}:${String(msg)}`)).toEqual([
      'debug:AppModule dependencies initialized',
      'debug:Mapped {/health, GET} route',
      'log:something useful',
      'error:boom',
    ]);
  });
});

describe('devPrettyStream', () => {
  it('is used only in development on a terminal', () => {
    expect(devPrettyStream({ isProduction: true }, true)).toBeNull();
    expect(devPrettyStream({ isProduction: false }, false)).toBeNull();
    expect(devPrettyStream({ isProduction: false }, true)).not.toBeNull();
  });
});
