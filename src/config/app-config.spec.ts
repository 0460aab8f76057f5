import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: '0.0.0.0',
      databaseUrl: null,
      dataDir: './.owlmetry',
      nodeEnv: 'development',
      isProduction: false,
      jwtSecret: null,
      cookieDomain: null,
      corsOrigins: ['http://localhost:3000'],
      smtpUrl: null,
      emailFrom: 'noreply@owlmetry.com',
      webAppUrl: 'http://localhost:3000',
      redisUrl: null,
      rateLimitMaxTokens: 100,
      rateLimitRefillPerSec: 10,
      logLevel: 'info',
      metricsToken: null,
      eventRetentionDays: null,
      databaseReplicaUrls: [],
      replicaMaxLagMs: 5000,
      replicaWaitMs: 200,
    });
  });

  it('reads and converts values', () => {
    const c = loadConfig({
      PORT: '8080',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      RATE_LIMIT_REFILL_PER_SEC: '2.5',
      LOG_LEVEL: 'debug',
      WEB_APP_URL: 'https://app.example/',
    });
    expect(c.port).toBe(8080);
    expect(c.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(c.rateLimitRefillPerSec).toBe(2.5);
    expect(c.logLevel).toBe('debug');
    expect(c.webAppUrl).toBe('https://app.example');
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(/PORT must be an integer.*LOG_LEVEL must be one of/);
    expect(() => loadConfig({ RATE_LIMIT_MAX_TOKENS: '0' })).toThrow(/RATE_LIMIT_MAX_TOKENS/);
  });

  it('reports each bad variable once', () => {
    for (const PORT of ['70000', '-1', '-1.5', '99999.5']) {
      const message = (() => {
        try {
          loadConfig({ PORT });
          return '';
        } catch (err) {
          return (err as Error).message;
        }
      })();
      expect(message.match(/PORT/g)).toHaveLength(1);
    }
  });

  it('reads the replica settings', () => {
    const c = loadConfig({
      DATABASE_REPLICA_URLS: 'postgres://r1:5433/owl, postgresql://u:p@r2/owl',
      REPLICA_MAX_LAG_MS: '2000',
      REPLICA_WAIT_MS: '0',
    });
    expect(c).toMatchObject({
      databaseReplicaUrls: ['postgres://r1:5433/owl', 'postgresql://u:p@r2/owl'],
      replicaMaxLagMs: 2000,
      replicaWaitMs: 0,
    });
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'r1:5433' })).toThrow(/DATABASE_REPLICA_URLS must be a comma-separated list/);
    expect(() => loadConfig({ REPLICA_MAX_LAG_MS: '0', REPLICA_WAIT_MS: '-1' })).toThrow(/REPLICA_MAX_LAG_MS.*REPLICA_WAIT_MS/);
  });

  it('requires JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('JWT_SECRET is required when NODE_ENV=production');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's' }).isProduction).toBe(true);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' })).toMatchObject({ databaseUrl: null, port: 4000 });
  });
});
