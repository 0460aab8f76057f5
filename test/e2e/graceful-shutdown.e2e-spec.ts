import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { SmtpSink } from '../utils/smtp-sink';
import { ServerProcess, startServer } from '../utils/server-process';
import { testDatabaseUrl } from '../utils/test-env';

/** B13: SIGTERM during ingest load loses nothing that was answered 200, and the process exits 0. */
describe('graceful shutdown under ingest load (real server process)', () => {
  let sink: SmtpSink;
  let server: ServerProcess | undefined;
  let db: Client;

  beforeAll(async () => {
    sink = new SmtpSink();
    await sink.start();
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await db.end();
    await sink.stop();
  });

  const json = async (url: string, init: { method?: string; token?: string; body?: unknown }) => {
    const res = await fetch(url, {
      method: init.method ?? 'POST',
      headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('commits every event that got a 200 before the process exits with 0', async () => {
    server = await startServer({
      DATABASE_URL: testDatabaseUrl(),
      SMTP_URL: sink.url,
      JWT_SECRET: 'shutdown-test',
      RATE_LIMIT_MAX_TOKENS: '100000',
    });
    const base = server.url;
    const email = `shutdown-${Date.now()}@example.com`;
    expect((await json(`${base}/v1/auth/send-code`, { body: { email } })).status).toBe(200);
    const login = await json(`${base}/v1/auth/verify-code`, { body: { email, code: sink.lastCodeFor(email) } });
    const token = login.body.token as string;
    const project = await json(`${base}/v1/projects`, {
      token,
      body: { team_id: login.body.teams[0].id, name: 'P', slug: `p-${Date.now()}` },
    });
    expect(project.status).toBe(201);
    const app = await json(`${base}/v1/apps`, { token, body: { name: 'Backend', platform: 'backend', project_id: project.body.id } });
    expect(app.status).toBe(201);
    const key = app.body.client_key as string;

    const acknowledged: string[] = [];
    let stop = false;
    let sent = 0;
    const worker = async () => {
      while (!stop) {
        const ids = Array.from({ length: 20 }, () => randomUUID());
        const events = ids.map((id) => ({ client_event_id: id, session_id: randomUUID(), level: 'info', message: 'load' }));
        sent++;
        try {
          const res = await json(`${base}/v1/ingest`, { token: key, body: { events } });
          if (res.status === 200) {
            expect(res.body).toEqual({ accepted: 20, rejected: 0 });
            acknowledged.push(...ids);
          }
        } catch {
          // Connection refused or reset once the server stops: such a batch never got a 200.
          await new Promise((r) => setTimeout(r, 20));
          if (server!.proc.exitCode !== null) stop = true;
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await new Promise((r) => setTimeout(r, 1_500));
    const exitCode = server.stop('SIGTERM');
    const code = await exitCode;
    stop = true;
    await Promise.all(workers);

    expect(code).toBe(0);
    expect(sent).toBeGreaterThan(10);
    expect(acknowledged.length).toBeGreaterThan(100);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM events WHERE client_event_id = ANY($1::uuid[])`, [acknowledged]);
    expect(rows[0].n).toBe(acknowledged.length);
  });
});
