import { gzipSync } from 'node:zlib';
import { createTestApp, useTestApp } from '../utils/create-test-app';
import { PgPool } from '../../src/database/pg-pool';
import { HealthService } from '../../src/modules/health/health.service';
import { TcpProxy } from '../utils/tcp-proxy';
import { testDatabaseUrl } from '../utils/test-env';

describe('foundation: envelope, routing, body handling, health', () => {
  const t = useTestApp();

  it('GET /health answers 200 ok', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /health/ready answers 200 ok with the database up', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('unknown routes answer 404 "Not found" as JSON', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ error: 'Not found' });
  });

  it('paths are case-sensitive', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/HEALTH' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'Not found' });
  });

  it('a known path with another method answers 405 with Allow', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/v1/auth/send-code' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.json()).toEqual({ error: 'Method not allowed' });
  });

  it('malformed JSON answers 400 "Malformed JSON body"', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/send-code',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'Malformed JSON body' });
  });

  it('a body that is not an object answers 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/send-code',
      headers: { 'content-type': 'application/json' },
      payload: '[1,2]',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'Request body must be a JSON object' });
  });

  it('a wrong content type answers 415 on a body-reading route', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/send-code',
      headers: { 'content-type': 'text/plain' },
      payload: 'email=a@b.c',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ error: 'Unsupported media type' });
  });

  it('routes that read no body ignore the content type', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: { 'content-type': 'text/plain' },
      payload: 'whatever',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true });
  });

  it('a body over 1 MiB answers 413 "Payload too large"', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/send-code',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.c', pad: 'x'.repeat(1_100_000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'Payload too large' });
  });

  it('gzip bodies are decoded; an unknown encoding answers 415', async () => {
    const body = gzipSync(JSON.stringify({ email: 'not-an-email' }));
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/send-code',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: body,
    });
    expect(ok.statusCode).toBe(400);
    expect(ok.json()).toEqual({ error: 'Valid email is required' });
    const br = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/send-code',
      headers: { 'content-type': 'application/json', 'content-encoding': 'br' },
      payload: body,
    });
    expect(br.statusCode).toBe(415);
    expect(br.json()).toEqual({ error: 'Unsupported content encoding' });
  });

  it('an unexpected failure answers 500 with only the generic text', async () => {
    const spy = jest.spyOn(t.ds, 'query').mockRejectedValueOnce(new Error('relation "secret_table" does not exist'));
    const res = await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email: 'boom@example.com' } });
    spy.mockRestore();
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'Internal server error' });
  });

  it('GET /health/ready answers 503 "Database unavailable" when the database cannot be reached; /health stays 200', async () => {
    const db = new URL(testDatabaseUrl());
    const proxy = new TcpProxy(db.hostname, Number(db.port || 5432));
    await proxy.start();
    db.hostname = '127.0.0.1';
    db.port = String(proxy.port);
    const cut = await createTestApp({ databaseUrl: db.toString() });
    try {
      expect((await cut.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      await proxy.cut();
      const res = await cut.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ error: 'Database unavailable' });
      const live = await cut.app.inject({ method: 'GET', url: '/health' });
      expect([live.statusCode, live.json()]).toEqual([200, { status: 'ok' }]);
    } finally {
      await cut.close().catch(() => undefined);
    }
  });

  it('database connections the database ends under the server (a restart, pg_terminate_backend), borrowed or idle, cost no crash: the next requests are answered', async () => {
    const pool = t.app.get(PgPool);
    const borrowed = await pool.connect(); // as the ingest write and the event list hold one
    const pid = (borrowed.client as unknown as { processID: number }).processID;
    const ended = new Promise((r) => borrowed.client.once('end', r));
    // Every other connection of the test database: the app's pool, idle or borrowed (the filter first, then the kill).
    const killed: { pid: number }[] = await t.ds.query(
      `SELECT pid, pg_terminate_backend(pid, 5000) FROM (SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) others`,
    );
    expect(killed.map((k) => k.pid)).toContain(pid);
    await ended;
    borrowed.release();
    // The pool drops every ended connection as it hears of it; left is the one that ran the kill.
    const deadline = Date.now() + 5_000;
    while (pool.stats()?.total !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(pool.stats()).toEqual({ total: 1, idle: 1, waiting: 0 });
    const next = await pool.connect();
    expect(next.client).not.toBe(borrowed.client); // the broken one was dropped, not handed out again
    expect((await next.client.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    next.release();
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect([ready.statusCode, ready.json()]).toEqual([200, { status: 'ok' }]);
    const write = await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email: 'after-restart@example.com' } });
    expect([write.statusCode, write.json()]).toEqual([200, { message: 'Verification code sent' }]);
  });

  it('GET /health/ready answers 503 "Shutting down" once shutdown has begun', async () => {
    const other = await createTestApp();
    try {
      other.app.get(HealthService).markShuttingDown();
      const res = await other.app.inject({ method: 'GET', url: '/health/ready' });
      expect([res.statusCode, res.json()]).toEqual([503, { error: 'Shutting down' }]);
    } finally {
      await other.close();
    }
  });
});
