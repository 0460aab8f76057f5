import { sign } from 'jsonwebtoken';
import { TEST_JWT_SECRET, useTestApp } from '../utils/create-test-app';
import { bearer, postKey, loginAs } from '../utils/auth';
import { DEFAULT_AGENT_PERMISSIONS_WIRE, aUuid, anIsoTimestamp } from '../utils/matchers';

const ISO = anIsoTimestamp();
const UUID = aUuid();

describe('auth: email-code login, sessions, whoami, profile', () => {
  const t = useTestApp();
  beforeEach(async () => {
    await t.reset();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload: payload as object, headers });
  const sendCode = (email: unknown) => post('/v1/auth/send-code', { email });
  const verify = (email: unknown, code: unknown) => post('/v1/auth/verify-code', { email, code });

  describe('POST /v1/auth/send-code', () => {
    it('mails a 6-digit code to the normalised address', async () => {
      const res = await sendCode('  Ada@Example.COM ');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ message: 'Verification code sent' });
      expect(t.sink.lastCodeFor('ada@example.com')).toMatch(/^\d{6}$/);
      const rows = await t.ds.query(`SELECT email, code_hash FROM email_verification_codes`);
      expect(rows).toHaveLength(1);
      expect(rows[0].email).toBe('ada@example.com');
      expect(rows[0].code_hash).not.toContain(t.sink.lastCodeFor('ada@example.com'));
    });

    it.each([
      ['missing', undefined],
      ['not a string', 42],
      ['without @', 'ada.example.com'],
      ['longer than 255', `${'a'.repeat(250)}@example.com`],
    ])('rejects an email that is %s', async (_, email) => {
      const res = await sendCode(email);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'Valid email is required' });
    });

    it('allows 5 codes per email per hour, then answers 429', async () => {
      for (let i = 0; i < 5; i++) expect((await sendCode('quota@example.com')).statusCode).toBe(200);
      const res = await sendCode('quota@example.com');
      expect(res.statusCode).toBe(429);
      expect(res.json()).toEqual({ error: 'Too many verification codes requested. Try again later.' });
      expect((await sendCode('other@example.com')).statusCode).toBe(200);
    });

    it('answers 502 when delivery fails, and the failed code does not count', async () => {
      t.sink.failDeliveries = true;
      const res = await sendCode('bounce@example.com');
      expect(res.statusCode).toBe(502);
      expect(res.json()).toEqual({ error: 'Failed to send email' });
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM email_verification_codes`);
      expect(n).toBe(0);
    });
  });

  describe('POST /v1/auth/verify-code', () => {
    it('creates a new user with a personal team (201), sets the session cookie', async () => {
      await sendCode('ada.l@example.com');
      const res = await verify('ADA.L@example.com ', t.sink.lastCodeFor('ada.l@example.com'));
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toEqual({
        token: expect.any(String),
        user: { id: UUID, email: 'ada.l@example.com', name: 'Ada.l', created_at: ISO, updated_at: ISO },
        teams: [{ id: UUID, name: "Ada.l's Team", slug: `ada-l-${body.user.id.slice(0, 8)}`, role: 'owner' }],
        is_new_user: true,
      });
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toContain(`token=${body.token}`);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Lax');
      expect(cookie).toContain('Path=/');
      expect(cookie).toContain('Max-Age=604800');
      expect(cookie).not.toContain('Secure');
      const audit = await t.ds.query(
        `SELECT resource_type, action, resource_id, metadata, actor_id FROM audit_logs ORDER BY resource_type`,
      );
      expect(audit).toEqual([
        { resource_type: 'team', action: 'create', resource_id: body.teams[0].id, metadata: null, actor_id: body.user.id },
        { resource_type: 'team_member', action: 'create', resource_id: body.user.id, metadata: { role: 'owner' }, actor_id: body.user.id },
        { resource_type: 'user', action: 'create', resource_id: body.user.id, metadata: null, actor_id: body.user.id },
      ]);
    });

    it('signs an existing user in with 200 and is_new_user false', async () => {
      const first = await loginAs(t, 'bob@example.com');
      await sendCode('bob@example.com');
      const res = await verify('bob@example.com', t.sink.lastCodeFor('bob@example.com'));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ is_new_user: false, user: { id: first.userId }, teams: [{ id: first.teamId, role: 'owner' }] });
    });

    it('requires email and code, as strings', async () => {
      expect((await verify('a@b.c', '')).json()).toEqual({ error: 'email and code required' });
      expect((await verify(null, '123456')).statusCode).toBe(400);
      const wrongType = await verify(5, '123456');
      expect(wrongType.statusCode).toBe(400);
      expect(wrongType.json()).toEqual({ error: 'email must be a string' });
      expect((await verify('a@b.c', 123456)).json()).toEqual({ error: 'code must be a string' });
    });

    it('rejects a wrong code and a reused code with 401', async () => {
      await sendCode('carol@example.com');
      const code = t.sink.lastCodeFor('carol@example.com');
      const wrong = await verify('carol@example.com', code === '111111' ? '222222' : '111111');
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toEqual({ error: 'Invalid or expired code' });
      expect((await verify('carol@example.com', code)).statusCode).toBe(201);
      const reused = await verify('carol@example.com', code);
      expect(reused.statusCode).toBe(401);
      expect(reused.json()).toEqual({ error: 'Invalid or expired code' });
    });

    it('rejects an expired code', async () => {
      await sendCode('late@example.com');
      await t.ds.query(`UPDATE email_verification_codes SET expires_at = now() - interval '1 second'`);
      const res = await verify('late@example.com', t.sink.lastCodeFor('late@example.com'));
      expect(res.statusCode).toBe(401);
    });

    it('voids outstanding codes on the 5th wrong attempt (B3)', async () => {
      await sendCode('guess@example.com');
      const code = t.sink.lastCodeFor('guess@example.com');
      const wrong = code === '000000' ? '999999' : '000000';
      for (let i = 0; i < 4; i++) expect((await verify('guess@example.com', wrong)).statusCode).toBe(401);
      expect((await verify('guess@example.com', 'abc')).statusCode).toBe(401);
      const correct = await verify('guess@example.com', code);
      expect(correct.statusCode).toBe(401);
      expect(correct.json()).toEqual({ error: 'Invalid or expired code' });
      await sendCode('guess@example.com');
      expect((await verify('guess@example.com', t.sink.lastCodeFor('guess@example.com'))).statusCode).toBe(201);
    });

    it('a correct code resets the failure counter', async () => {
      await loginAs(t, 'reset@example.com');
      await sendCode('reset@example.com');
      const code = t.sink.lastCodeFor('reset@example.com');
      const wrong = code === '000000' ? '999999' : '000000';
      for (let i = 0; i < 4; i++) await verify('reset@example.com', wrong);
      expect((await verify('reset@example.com', code)).statusCode).toBe(200);
      const [row] = await t.ds.query(`SELECT failed_count FROM email_login_failures WHERE email = 'reset@example.com'`);
      expect(row.failed_count).toBe(0);
    });

    it('a code used by concurrent requests succeeds exactly once', async () => {
      await sendCode('race@example.com');
      const code = t.sink.lastCodeFor('race@example.com');
      const results = await Promise.all(Array.from({ length: 5 }, () => verify('race@example.com', code)));
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 401, 401, 401, 401]);
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM users`);
      expect(n).toBe(1);
    });
  });

  describe('POST /v1/auth/agent-login', () => {
    const agentLogin = (payload: object) => post('/v1/auth/agent-login', payload);

    it('issues a CLI agent key for the only team (201)', async () => {
      await sendCode('agent@example.com');
      const res = await agentLogin({ email: 'agent@example.com', code: t.sink.lastCodeFor('agent@example.com') });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toEqual({
        api_key: expect.stringMatching(/^owl_agent_[0-9a-f]{48}$/),
        team: { id: UUID, name: "Agent's Team", slug: expect.any(String) },
      });
      expect(res.headers['set-cookie']).toBeUndefined();
      const who = await t.app.inject({ method: 'GET', url: '/v1/auth/whoami', headers: bearer(body.api_key) });
      expect(who.json()).toEqual({
        type: 'api_key',
        key_type: 'agent',
        team: body.team,
        permissions: DEFAULT_AGENT_PERMISSIONS_WIRE,
      });
      const [key] = await t.ds.query(`SELECT name, app_id, expires_at, key_hash FROM api_keys`);
      expect(key).toMatchObject({ name: 'CLI Agent Key', app_id: null, expires_at: null });
      expect(key.key_hash).not.toContain(body.api_key);
      const audit = await t.ds.query(`SELECT metadata FROM audit_logs WHERE resource_type = 'api_key'`);
      expect(audit).toEqual([{ metadata: { key_type: 'agent', name: 'CLI Agent Key' } }]);
    });

    it('asks for team_id when the user has several teams, leaving the code usable', async () => {
      const s = await loginAs(t, 'multi@example.com');
      const [team] = await t.ds.query(`INSERT INTO teams (name, slug) VALUES ('Second', 'second') RETURNING id`);
      await t.ds.query(
        `INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES ($1, $2, 'member', now() + interval '1 second')`,
        [team.id, s.userId],
      );
      await sendCode('multi@example.com');
      const code = t.sink.lastCodeFor('multi@example.com');
      const ask = await agentLogin({ email: 'multi@example.com', code });
      expect(ask.statusCode).toBe(400);
      expect(ask.json()).toEqual({
        error: 'Multiple teams found. Specify team_id.',
        teams: [
          { id: s.teamId, name: "Multi's Team", slug: expect.any(String), role: 'owner' },
          { id: team.id, name: 'Second', slug: 'second', role: 'member' },
        ],
      });
      const foreign = await agentLogin({ email: 'multi@example.com', code, team_id: '00000000-0000-0000-0000-000000000001' });
      expect(foreign.statusCode).toBe(403);
      expect(foreign.json()).toEqual({ error: 'Not a member of this team' });
      const ok = await agentLogin({ email: 'multi@example.com', code, team_id: team.id });
      expect(ok.statusCode).toBe(201);
      expect(ok.json().team).toEqual({ id: team.id, name: 'Second', slug: 'second' });
      expect((await agentLogin({ email: 'multi@example.com', code, team_id: team.id })).statusCode).toBe(401);
    });

    it('validates its body', async () => {
      expect((await agentLogin({ email: 'x@y.z' })).json()).toEqual({ error: 'email and code required' });
      expect((await agentLogin({ email: 'x@y.z', code: '123456', team_id: 7 })).json()).toEqual({ error: 'team_id must be a string' });
      const bad = await agentLogin({ email: 'x@y.z', code: '123456' });
      expect(bad.statusCode).toBe(401);
      expect(bad.json()).toEqual({ error: 'Invalid or expired code' });
    });
  });

  describe('credentials', () => {
    const whoami = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/v1/auth/whoami', headers });

    it('whoami describes a user, by bearer JWT or by cookie', async () => {
      const s = await loginAs(t, 'who@example.com');
      const expected = {
        type: 'user',
        email: 'who@example.com',
        teams: [{ id: s.teamId, name: "Who's Team", slug: expect.any(String), role: 'owner' }],
      };
      const byHeader = await whoami(s.headers);
      expect(byHeader.statusCode).toBe(200);
      expect(byHeader.json()).toEqual(expected);
      expect((await whoami({ cookie: `token=${s.token}` })).json()).toEqual(expected);
    });

    it.each([
      ['no credentials', {}, 'Missing authorization'],
      ['a non-Bearer scheme', { authorization: 'Basic abc' }, 'Invalid authorization format'],
      ['a lower-case scheme', { authorization: 'bearer abc' }, 'Invalid authorization format'],
      ['an empty token', { authorization: 'Bearer ' }, 'Invalid authorization format'],
      ['a garbage JWT', { authorization: 'Bearer not.a.jwt' }, 'Invalid or expired token'],
      ['an unknown API key', { authorization: `Bearer owl_agent_${'0'.repeat(48)}` }, 'Invalid API key'],
      ['an unknown client key', { authorization: `Bearer owl_client_${'0'.repeat(48)}` }, 'Invalid API key'],
    ])('answers 401 for %s', async (_, headers, error) => {
      const res = await whoami(headers);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error });
    });

    it('an Authorization header wins over a valid cookie', async () => {
      const s = await loginAs(t, 'both@example.com');
      const res = await whoami({ cookie: `token=${s.token}`, authorization: 'Token x' });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: 'Invalid authorization format' });
    });

    it('rejects expired and wrongly signed JWTs', async () => {
      const s = await loginAs(t, 'jwt@example.com');
      const expired = sign({ sub: s.userId, email: s.email }, TEST_JWT_SECRET, { expiresIn: -10 });
      expect((await whoami(bearer(expired))).json()).toEqual({ error: 'Invalid or expired token' });
      const forged = sign({ sub: s.userId, email: s.email }, 'another-secret', { expiresIn: 60 });
      expect((await whoami(bearer(forged))).statusCode).toBe(401);
      const noneAlg = sign({ sub: s.userId, email: s.email }, '', { algorithm: 'none' });
      expect((await whoami(bearer(noneAlg))).statusCode).toBe(401);
    });

    it('rejects an expired API key with its own text', async () => {
      const s = await loginAs(t, 'exp@example.com');
      const { key, id } = await postKey(t, s, { key_type: 'agent', expires_in_days: 1 });
      expect((await whoami(bearer(key))).statusCode).toBe(200);
      await t.ds.query(`UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1`, [id]);
      t.app.get((await import('../../src/modules/keys/api-key-store.service')).ApiKeyStoreService).forgetCached();
      const res = await whoami(bearer(key));
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: 'API key expired' });
    });

    it('records last_used_at on use', async () => {
      const s = await loginAs(t, 'used@example.com');
      const { key, id } = await postKey(t, s, { key_type: 'agent' });
      await whoami(bearer(key));
      await new Promise((r) => setTimeout(r, 100));
      const [row] = await t.ds.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [id]);
      expect(row.last_used_at).toBeInstanceOf(Date);
    });

    it('logout expires the cookie', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/logout' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ success: true });
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toContain('token=;');
      expect(cookie).toContain('Max-Age=0');
      expect(cookie).toContain('Path=/');
    });
  });

  describe('GET /v1/auth/teams, GET|PATCH /v1/auth/me', () => {
    it('lists the user teams and refuses API keys', async () => {
      const s = await loginAs(t, 'teams@example.com');
      const res = await t.app.inject({ method: 'GET', url: '/v1/auth/teams', headers: s.headers });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ teams: [{ id: s.teamId, name: "Teams's Team", slug: expect.any(String), role: 'owner' }] });
      const { key } = await postKey(t, s, { key_type: 'agent' });
      const denied = await t.app.inject({ method: 'GET', url: '/v1/auth/teams', headers: bearer(key) });
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toEqual({ error: 'Only users can list teams' });
    });

    it('GET /me returns the profile and teams', async () => {
      const s = await loginAs(t, 'me@example.com');
      const res = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: s.headers });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        user: { id: s.userId, email: 'me@example.com', name: 'Me', created_at: ISO, updated_at: ISO },
        teams: [{ id: s.teamId, name: "Me's Team", slug: expect.any(String), role: 'owner' }],
      });
      const { key } = await postKey(t, s, { key_type: 'agent' });
      const denied = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(key) });
      expect(denied.json()).toEqual({ error: 'Only users can access this endpoint' });
    });

    it('PATCH /me renames the user and audits it in each team', async () => {
      const s = await loginAs(t, 'rename@example.com');
      const before = (await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: s.headers })).json().user;
      await new Promise((r) => setTimeout(r, 5));
      const res = await t.app.inject({
        method: 'PATCH',
        url: '/v1/auth/me',
        headers: s.headers,
        payload: { name: 'Renée', email: 'ignored@x.y' },
      });
      expect(res.statusCode).toBe(200);
      const user = res.json().user;
      expect(user).toEqual({ ...before, name: 'Renée', updated_at: ISO });
      expect(Date.parse(user.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
      const audit = await t.ds.query(`SELECT team_id, changes FROM audit_logs WHERE resource_type = 'user' AND action = 'update'`);
      expect(audit).toEqual([{ team_id: s.teamId, changes: { name: { before: 'Rename', after: 'Renée' } } }]);
    });

    it.each([
      [{}, 'At least one field to update is required'],
      [{ name: '' }, 'At least one field to update is required'],
      [{ name: 12 }, 'name must be a string'],
      [{ name: 'x'.repeat(256) }, 'name must be at most 255 characters'],
    ])('PATCH /me rejects %j', async (payload, error) => {
      const s = await loginAs(t, 'badpatch@example.com');
      const res = await t.app.inject({ method: 'PATCH', url: '/v1/auth/me', headers: s.headers, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error });
    });

    it('stores U+0000 and lone surrogates (which PostgreSQL cannot hold) as U+FFFD instead of failing', async () => {
      const s = await loginAs(t, 'nul@example.com');
      const res = await t.app.inject({
        method: 'PATCH',
        url: '/v1/auth/me',
        headers: { ...s.headers, 'content-type': 'application/json' },
        payload: '{"name":"a\\u0000b\\ud800"}',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().user.name).toBe('a\uFFFDb\uFFFD');
      const q = await t.app.inject({ method: 'GET', url: '/v1/auth/keys?team_id=%00', headers: s.headers });
      expect([q.statusCode, q.json()]).toEqual([400, { error: 'team_id must be a valid UUID' }]);
    });

    it('counts names in code points', async () => {
      const s = await loginAs(t, 'emoji@example.com');
      const res = await t.app.inject({ method: 'PATCH', url: '/v1/auth/me', headers: s.headers, payload: { name: '🦉'.repeat(255) } });
      expect(res.statusCode).toBe(200);
    });
  });
});
