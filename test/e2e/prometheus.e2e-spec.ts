import { randomUUID } from 'node:crypto';
import { insertApp } from '../factories/apps.factory';
import { anEvent, ingest } from '../factories/events.factory';
import { loginAs } from '../utils/auth';
import { createTestApp, useTestApp } from '../utils/create-test-app';

const metricValue = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : NaN;
};

describe('GET /metrics (B12)', () => {
  const t = useTestApp();

  it('serves Prometheus text with request, ingest, rate-limit, pool and process metrics', async () => {
    await t.app.inject({ method: 'GET', url: '/health' });
    await t.app.inject({ method: 'GET', url: '/v1/no-such-route' });
    await t.app.inject({ method: 'GET', url: '/v1/auth/keys/123' });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toContain('http_requests_total{method="GET",route="/health",status="200"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/v1/auth/keys/:id",status="401"} 1');
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/health",status="200"\} \d/);
    expect(text).toContain('owlmetry_ingest_events_total{outcome="accepted"}');
    expect(text).toContain('owlmetry_ingest_events_total{outcome="deduplicated"}');
    expect(text).toContain('owlmetry_rate_limit_rejections_total{host_class="ingest"}');
    expect(text).toMatch(/owlmetry_db_pool_connections\{state="total"\} \d+/);
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('can be protected by METRICS_TOKEN', async () => {
    const locked = await createTestApp({ metricsToken: 's3cret' });
    try {
      const denied = await locked.app.inject({ method: 'GET', url: '/metrics' });
      expect([denied.statusCode, denied.json()]).toEqual([401, { error: 'Invalid metrics token' }]);
      const ok = await locked.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer s3cret' } });
      expect(ok.statusCode).toBe(200);
    } finally {
      await locked.close();
    }
  });

  it('counts ingest outcomes (with rejection reasons) and rate-limit rejections by host class', async () => {
    const small = await createTestApp({ rateLimitMaxTokens: 2, rateLimitRefillPerSec: 0.001 });
    try {
      const owner = await loginAs(small, 'metrics@example.com');
      const app = await insertApp(small, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
      const dup = randomUUID();
      const res = await ingest(small, app, [
        anEvent({ client_event_id: dup }),
        anEvent({ client_event_id: dup }),
        anEvent({ session_id: 'x' }),
      ]);
      expect(res.json()).toEqual({
        accepted: 1,
        rejected: 1,
        errors: [{ index: 2, message: 'events[2]: session_id must be a valid UUID' }],
      });
      expect((await ingest(small, app, [anEvent()])).statusCode).toBe(200);
      expect((await ingest(small, app, [anEvent()], { headers: { host: 'ingest.example.com' } })).statusCode).toBe(200);
      expect((await ingest(small, app, [anEvent()])).statusCode).toBe(429);
      const text = (await small.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metricValue(text, 'owlmetry_ingest_events_total{outcome="accepted"}')).toBe(3);
      expect(metricValue(text, 'owlmetry_ingest_events_total{outcome="rejected"}')).toBe(1);
      expect(metricValue(text, 'owlmetry_ingest_events_total{outcome="deduplicated"}')).toBe(1);
      expect(metricValue(text, 'owlmetry_ingest_rejections_total{reason="session_id"}')).toBe(1);
      expect(metricValue(text, 'owlmetry_rate_limit_rejections_total{host_class="api"}')).toBe(1);
      expect(metricValue(text, 'owlmetry_rate_limit_rejections_total{host_class="ingest"}')).toBe(0);
      expect(metricValue(text, 'http_requests_total{method="POST",route="/v1/ingest",status="429"}')).toBe(1);
    } finally {
      await small.close();
    }
  });
});
