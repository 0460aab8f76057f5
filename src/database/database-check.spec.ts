import { createServer, Server } from 'node:net';
import pino from 'pino';
import { checkDatabase, explainConnectionError, maskDatabaseUrl } from './database-check';
import { StartupError } from '../config/startup-error';

const silent = pino({ level: 'silent' });

describe('maskDatabaseUrl', () => {
  it('hides the password only', () => {
    expect(maskDatabaseUrl('postgres://owl:s3cr%40t@db.example:5433/owlmetry?sslmode=require')).toBe(
      'postgres://owl:***@db.example:5433/owlmetry?sslmode=require',
    );
    expect(maskDatabaseUrl('postgres://postgres@127.0.0.1/test')).toBe('postgres://postgres@127.0.0.1/test');
  });
});

describe('explainConnectionError', () => {
  const url = 'postgres://u:p@db:5432/owl';
  it('says what to do', () => {
    expect(explainConnectionError({ code: '3D000', message: 'database "owl" does not exist' }, url)).toMatch(/createdb owl/);
    expect(explainConnectionError({ code: 'ECONNREFUSED' }, url)).toMatch(/nothing accepts connections at db:5432 \(ECONNREFUSED\)/);
    expect(explainConnectionError({ code: '28P01', message: 'password authentication failed' }, url)).toMatch(/credentials/);
  });
});

describe('checkDatabase', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    // A port that refuses: bind, note the port, close.
    server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('fails at once, naming DATABASE_URL (masked) and the cause', async () => {
    const started = Date.now();
    const err = await checkDatabase(`postgres://owl:hunter2@127.0.0.1:${port}/owl`, silent).catch((e) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect(err.message).toBe(
      `Cannot use the database at DATABASE_URL=postgres://owl:***@127.0.0.1:${port}/owl: nothing accepts connections at ` +
        `127.0.0.1:${port} (ECONNREFUSED): start PostgreSQL or fix the host/port in DATABASE_URL`,
    );
    expect(err.message).not.toContain('hunter2');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
