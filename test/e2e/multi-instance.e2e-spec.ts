import { randomUUID } from 'node:crypto';
import { SmtpSink } from '../utils/smtp-sink';
import { ServerProcess, startServer } from '../utils/server-process';
import { testDatabaseUrl } from '../utils/test-env';

const REDIS_URL = process.env.REDIS_URL_FOR_TESTS ?? 'redis://127.0.0.1:6379';

/** B10: two server processes on one database and one Redis enforce one shared limit per identity. */
describe('rate limits shared through Redis by two server processes', () => {
  let sink: SmtpSink;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    sink = new SmtpSink();
    await sink.start();
  });
  afterAll(async () => {
    for (const s of servers) await s.stop('SIGKILL');
    await sink.stop();
  });

  const post = async (url: string, body: unknown, token?: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any>, headers: res.headers };
  };

  it('the combined burst across both instances is the bucket size, not twice it', async () => {
    const env = {
      DATABASE_URL: testDatabaseUrl(),
      SMTP_URL: sink.url,
      JWT_SECRET: 'multi-instance',
      REDIS_URL,
      RATE_LIMIT_MAX_TOKENS: '100',
      RATE_LIMIT_REFILL_PER_SEC: '0.01',
    };
    servers.push(await startServer(env), await startServer(env));
    const [a, b] = servers.map((s) => s.url);
    const email = `multi-${Date.now()}@example.com`;
    await post(`${a}/v1/auth/send-code`, { email });
    const login = await post(`${a}/v1/auth/verify-code`, { email, code: sink.lastCodeFor(email) });
    const token = login.body.token as string;
    const project = await post(`${b}/v1/projects`, { team_id: login.body.teams[0].id, name: 'P', slug: `p-${Date.now()}` }, token);
    const app = await post(`${b}/v1/apps`, { name: 'Backend', platform: 'backend', project_id: project.body.id }, token);
    expect(app.status).toBe(201);

    const statuses: number[] = [];
    for (let round = 0; round < 10; round++) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post(`${i % 2 ? a : b}/v1/ingest`, { events: [{ session_id: randomUUID(), level: 'info', message: 'm' }] }, app.body.client_key),
        ),
      );
      statuses.push(...batch.map((r) => r.status));
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(100);
    const last = await post(`${a}/v1/ingest`, { events: [{ session_id: randomUUID(), level: 'info', message: 'm' }] }, app.body.client_key);
    expect(last.status).toBe(429);
    expect(last.body).toEqual({ error: 'Rate limit exceeded' });
    expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(last.headers.get('retry-after')).toBe('1');
  });
});
