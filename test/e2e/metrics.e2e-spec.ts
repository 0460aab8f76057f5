import { TestApp, createTestApp } from '../utils/create-test-app';

describe('GET /metrics (B12)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

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
});
