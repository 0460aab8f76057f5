import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './app-config';
import { loadEnvFile } from './env-file';

describe('loadEnvFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'owl-env-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fills in variables from the file; exported variables win', () => {
    const file = join(dir, '.env');
    writeFileSync(
      file,
      '# comment\nPORT=5001\nLOG_LEVEL=debug\nexport EMAIL_FROM="Owl <owl@example.com>"\nCORS_ORIGINS=\'https://a.example\' # trailing\n',
    );
    const env: NodeJS.ProcessEnv = { PORT: '6000' };
    const res = loadEnvFile(file, env);
    expect({ ...res, applied: [...res.applied].sort() }).toEqual({
      file,
      applied: ['CORS_ORIGINS', 'EMAIL_FROM', 'LOG_LEVEL'],
      overridden: ['PORT'],
    });
    expect(env).toEqual({ PORT: '6000', LOG_LEVEL: 'debug', EMAIL_FROM: 'Owl <owl@example.com>', CORS_ORIGINS: 'https://a.example' });
    expect(loadConfig(env)).toMatchObject({
      port: 6000,
      logLevel: 'debug',
      emailFrom: 'Owl <owl@example.com>',
      corsOrigins: ['https://a.example'],
    });
  });

  it('an empty exported variable still wins (it means "unset" to the config)', () => {
    const file = join(dir, '.env');
    writeFileSync(file, 'DATABASE_URL=postgres://x@db/owl\n');
    const env: NodeJS.ProcessEnv = { DATABASE_URL: '' };
    expect(loadEnvFile(file, env).overridden).toEqual(['DATABASE_URL']);
    expect(loadConfig(env).databaseUrl).toBeNull();
  });

  it('a missing file is not an error', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadEnvFile(join(dir, 'nope.env'), env)).toEqual({ file: null, applied: [], overridden: [] });
    expect(env).toEqual({});
  });

  it('reads .env.example as shipped without complaint', () => {
    const env: NodeJS.ProcessEnv = {};
    loadEnvFile(join(__dirname, '..', '..', '.env.example'), env);
    expect(() => loadConfig(env)).not.toThrow();
  });
});
