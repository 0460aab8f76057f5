import { Permission } from '../../src/common/auth/permission';
import { AppFixture, insertApp } from '../factories/apps.factory';
import { anEvent, ingest, listEvents } from '../factories/events.factory';
import { Session, loginAs } from '../utils/auth';
import { TestApp, createTestApp } from '../utils/create-test-app';
import { insertKey } from '../factories/keys.factory';

type Reply = { statusCode: number; headers: Record<string, unknown>; json(): unknown };

const limitHeaders = (res: Reply) => ({
  status: res.statusCode,
  limit: res.headers['x-ratelimit-limit'],
  remaining: res.headers['x-ratelimit-remaining'],
  retryAfter: res.headers['retry-after'],
});

describe('rate limiting (§1.10, B10)', () => {
  describe('a bucket of 5 that does not refill during the test', () => {
    let t: TestApp;
    let owner: Session;
    let app: AppFixture;

    beforeAll(async () => {
      t = await createTestApp({ rateLimitMaxTokens: 5, rateLimitRefillPerSec: 0.001 });
    });
    afterAll(async () => {
      await t.close();
    });
    beforeEach(async () => {
      await t.reset();
      owner = await loginAs(t, 'owner@example.com');
      app = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
    });

    it('ingest: 5 requests pass with counting headers, the 6th gets 429 with Retry-After', async () => {
      const seen = [];
      for (let i = 0; i < 5; i++) {
        const res = await ingest(t, app, [anEvent()]);
        expect(res.json()).toEqual({ accepted: 1, rejected: 0 });
        seen.push(limitHeaders(res));
      }
      expect(seen).toEqual([4, 3, 2, 1, 0].map((n) => ({ status: 200, limit: '5', remaining: String(n), retryAfter: undefined })));
      const refused = await ingest(t, app, [anEvent()]);
      expect(limitHeaders(refused)).toEqual({ status: 429, limit: '5', remaining: '0', retryAfter: '1' });
      expect(refused.json()).toEqual({ error: 'Rate limit exceeded' });
      expect(refused.headers['content-type']).toMatch(/^application\/json/);
      const stored: unknown[] = await t.ds.query(`SELECT id FROM events`);
      expect(stored).toHaveLength(5);
    });

    it('GET /v1/events is limited the same way', async () => {
      for (let i = 4; i >= 0; i--) {
        const res = await listEvents(t, owner.headers);
        expect(limitHeaders(res)).toEqual({ status: 200, limit: '5', remaining: String(i), retryAfter: undefined });
        expect(res.json()).toEqual({ events: [], cursor: null, has_more: false });
      }
      const refused = await listEvents(t, owner.headers);
      expect(limitHeaders(refused)).toEqual({ status: 429, limit: '5', remaining: '0', retryAfter: '1' });
      expect(refused.json()).toEqual({ error: 'Rate limit exceeded' });
    });

    it('runs before validation: bad bodies and bad queries use tokens and get the headers, then 429', async () => {
      const bad = await ingest(t, app, 'nope');
      expect(limitHeaders(bad)).toEqual({ status: 400, limit: '5', remaining: '4', retryAfter: undefined });
      expect(bad.json()).toEqual({ error: 'events array is required' });
      const badQuery = await listEvents(t, owner.headers, { level: 'loud' });
      expect(limitHeaders(badQuery)).toEqual({ status: 400, limit: '5', remaining: '4', retryAfter: undefined });
      expect(badQuery.json()).toEqual({ error: 'level must be one of info, debug, warn, error' });
      for (let i = 0; i < 4; i++) await ingest(t, app, 'nope');
      const refused = await ingest(t, app, 'nope');
      expect(limitHeaders(refused)).toEqual({ status: 429, limit: '5', remaining: '0', retryAfter: '1' });
      expect(refused.json()).toEqual({ error: 'Rate limit exceeded' });
    });

    it('failed authentication, missing permissions and body-parsing errors consume no token', async () => {
      for (let i = 0; i < 8; i++) {
        const unauth = await t.app.inject({
          method: 'POST',
          url: '/v1/ingest',
          headers: { authorization: `Bearer owl_client_${'f'.repeat(48)}` },
          payload: { events: [anEvent()] },
        });
        expect(unauth.statusCode).toBe(401);
        expect(unauth.headers['x-ratelimit-remaining']).toBeUndefined();
        const forbidden = await listEvents(t, app.headers);
        expect(forbidden.statusCode).toBe(403);
        expect(forbidden.json()).toEqual({ error: 'Missing permission: events:read' });
        expect(forbidden.headers['x-ratelimit-remaining']).toBeUndefined();
        const malformed = await t.app.inject({
          method: 'POST',
          url: '/v1/ingest',
          headers: { ...app.headers, 'content-type': 'application/json' },
          payload: '{"events":[',
        });
        expect(malformed.statusCode).toBe(400);
        expect(malformed.json()).toEqual({ error: 'Malformed JSON body' });
      }
      const agent = await insertKey(t, { teamId: owner.teamId, createdBy: owner.userId });
      for (let i = 0; i < 8; i++) {
        const res = await ingest(t, app, [anEvent()], { headers: agent.headers });
        expect(res.statusCode).toBe(403);
      }
      expect(limitHeaders(await ingest(t, app, [anEvent()]))).toEqual({ status: 200, limit: '5', remaining: '4', retryAfter: undefined });
      expect(limitHeaders(await listEvents(t, agent.headers))).toEqual({ status: 200, limit: '5', remaining: '4', retryAfter: undefined });
    });

    it('hosts starting with ingest. have their own buckets (port ignored, any case)', async () => {
      for (let i = 0; i < 5; i++) expect((await ingest(t, app, [anEvent()])).statusCode).toBe(200);
      expect((await ingest(t, app, [anEvent()])).statusCode).toBe(429);
      expect((await ingest(t, app, [anEvent()], { headers: { host: 'api.example.com' } })).statusCode).toBe(429);

      const viaIngest = await ingest(t, app, [anEvent()], { headers: { host: 'ingest.example.com' } });
      expect(limitHeaders(viaIngest)).toEqual({ status: 200, limit: '5', remaining: '4', retryAfter: undefined });
      const upper = await ingest(t, app, [anEvent()], { headers: { host: 'INGEST.Example.com:4000' } });
      expect(limitHeaders(upper)).toEqual({ status: 200, limit: '5', remaining: '3', retryAfter: undefined });
      for (let i = 0; i < 3; i++) await ingest(t, app, [anEvent()], { headers: { host: 'ingest.example.com:443' } });
      const drained = await ingest(t, app, [anEvent()], { headers: { host: 'ingest.example.com' } });
      expect(limitHeaders(drained)).toEqual({ status: 429, limit: '5', remaining: '0', retryAfter: '1' });
      // Names that merely contain "ingest" are the api class, which is still empty.
      for (const host of ['ingestion.example.com', 'api.ingest.example.com', 'localhost:4000']) {
        expect((await ingest(t, app, [anEvent()], { headers: { host } })).statusCode).toBe(429);
      }
    });

    it('draining the ingest host leaves the api host untouched', async () => {
      for (let i = 0; i < 5; i++) await listEvents(t, owner.headers, {}, 'ingest.example.com');
      expect((await listEvents(t, owner.headers, {}, 'ingest.example.com')).statusCode).toBe(429);
      expect(limitHeaders(await listEvents(t, owner.headers, {}, 'api.example.com'))).toEqual({
        status: 200,
        limit: '5',
        remaining: '4',
        retryAfter: undefined,
      });
    });

    it('buckets are per identity: keys and users do not share, one identity shares across limited routes', async () => {
      const second = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
      for (let i = 0; i < 5; i++) await ingest(t, app, [anEvent()]);
      expect((await ingest(t, app, [anEvent()])).statusCode).toBe(429);
      expect(limitHeaders(await ingest(t, second, [anEvent()]))).toEqual({
        status: 200,
        limit: '5',
        remaining: '4',
        retryAfter: undefined,
      });

      // A user's ingest attempts (400) and event reads draw on the same bucket.
      for (let i = 0; i < 3; i++) expect((await listEvents(t, owner.headers)).statusCode).toBe(200);
      for (let i = 0; i < 2; i++) {
        const res = await t.app.inject({ method: 'POST', url: '/v1/ingest', headers: owner.headers, payload: { events: [anEvent()] } });
        expect(res.json()).toEqual({ error: 'API key must be scoped to an app' });
      }
      expect((await listEvents(t, owner.headers)).statusCode).toBe(429);
      const other = await loginAs(t, 'other@example.com');
      expect(limitHeaders(await listEvents(t, other.headers))).toEqual({ status: 200, limit: '5', remaining: '4', retryAfter: undefined });
    });

    it('routes outside §1.10 are neither limited nor labelled', async () => {
      await ingest(t, app, [anEvent({ user_id: 'owl_anon_q' })]);
      for (let i = 0; i < 4; i++) await ingest(t, app, [anEvent()]);
      expect((await ingest(t, app, [anEvent()])).statusCode).toBe(429);
      for (let i = 0; i < 5; i++) await listEvents(t, owner.headers);
      expect((await listEvents(t, owner.headers)).statusCode).toBe(429);
      for (let i = 0; i < 7; i++) {
        const byId = await t.app.inject({
          method: 'GET',
          url: `/v1/events/${'0'.repeat(8)}-0000-0000-0000-000000000000`,
          headers: owner.headers,
        });
        expect(byId.statusCode).toBe(404);
        expect(byId.json()).toEqual({ error: 'Event not found' });
        expect(byId.headers['x-ratelimit-limit']).toBeUndefined();
      }
      for (let i = 0; i < 7; i++) {
        const claimRes = await t.app.inject({
          method: 'POST',
          url: '/v1/identity/claim',
          headers: app.headers,
          payload: { anonymous_id: 'owl_anon_q', user_id: 'u' },
        });
        expect(claimRes.statusCode).toBe(200);
        expect(claimRes.json()).toEqual({ claimed: true, events_reassigned_count: i === 0 ? 1 : 0 });
        expect(claimRes.headers['x-ratelimit-limit']).toBeUndefined();
      }
      const health = await t.app.inject({ method: 'GET', url: '/health' });
      expect(health.headers['x-ratelimit-limit']).toBeUndefined();
    });

    it('reset() refills every bucket', async () => {
      for (let i = 0; i < 6; i++) await listEvents(t, owner.headers);
      expect((await listEvents(t, owner.headers)).statusCode).toBe(429);
      await t.reset();
      const fresh = await loginAs(t, 'owner@example.com');
      expect(limitHeaders(await listEvents(t, fresh.headers))).toEqual({ status: 200, limit: '5', remaining: '4', retryAfter: undefined });
    });
  });

  describe('refill', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ rateLimitMaxTokens: 2, rateLimitRefillPerSec: 2 });
    });
    afterAll(async () => {
      await t.close();
    });

    it('a refused caller gets a token back after 1/refill seconds', async () => {
      await t.reset();
      const owner = await loginAs(t, 'refill@example.com');
      const agent = await insertKey(t, { teamId: owner.teamId, createdBy: owner.userId, permissions: [Permission.EventsRead] });
      const answers: number[] = [];
      for (let i = 0; i < 3; i++) answers.push((await listEvents(t, agent.headers)).statusCode);
      // At 2 tokens/s the few milliseconds between these requests refill nothing whole.
      expect(answers).toEqual([200, 200, 429]);
      await new Promise((r) => setTimeout(r, 700));
      // 0.7 s × 2/s = 1.4 tokens: one request passes, leaving no whole token.
      const res = await listEvents(t, agent.headers);
      expect(limitHeaders(res)).toEqual({ status: 200, limit: '2', remaining: '0', retryAfter: undefined });
      expect((await listEvents(t, agent.headers)).statusCode).toBe(429);
    });
  });
});
