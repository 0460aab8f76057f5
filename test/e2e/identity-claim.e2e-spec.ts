import { Permission } from '../../src/common/auth/permission';
import { AppFixture, insertApp } from '../factories/apps.factory';
import { anEvent, ingestOk, listEvents } from '../factories/events.factory';
import { Session, loginAs } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';
import { insertKey } from '../factories/keys.factory';

const HOUR_MS = 60 * 60_000;

describe('POST /v1/identity/claim', () => {
  const t = useTestApp();
  let owner: Session;
  let app: AppFixture;
  let sibling: AppFixture;

  beforeEach(async () => {
    await t.reset();
    owner = await loginAs(t, 'owner@example.com');
    app = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
    sibling = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
  });

  const claim = (headers: Record<string, string>, payload: unknown) =>
    t.app.inject({ method: 'POST', url: '/v1/identity/claim', headers, payload: payload as Record<string, unknown> });

  async function appUsers(a: AppFixture): Promise<Record<string, Record<string, unknown>>> {
    const res = await t.app.inject({ method: 'GET', url: `/v1/apps/${a.id}/users`, headers: owner.headers });
    expect(res.statusCode).toBe(200);
    return Object.fromEntries((res.json().users as Record<string, unknown>[]).map((u) => [u.user_id as string, u]));
  }

  async function userIdsOfEvents(a: AppFixture): Promise<string[]> {
    const res = await listEvents(t, owner.headers, { app_id: a.id, data_mode: 'all', limit: '200' });
    return (res.json().events as { user_id: string | null; message: string }[]).map((e) => `${e.message}:${e.user_id}`).sort();
  }

  it('401 without credentials; 403 for agent keys', async () => {
    const none = await claim({}, { anonymous_id: 'owl_anon_a', user_id: 'u' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: 'Missing authorization' });
    const agent = await insertKey(t, {
      teamId: owner.teamId,
      createdBy: owner.userId,
      appId: app.id,
      permissions: [Permission.EventsRead],
    });
    const res = await claim(agent.headers, { anonymous_id: 'owl_anon_a', user_id: 'u' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: 'Missing permission: events:write' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['nothing', {}, 'anonymous_id is required'],
    ['anonymous_id null', { anonymous_id: null, user_id: 'u' }, 'anonymous_id is required'],
    ['anonymous_id empty', { anonymous_id: '', user_id: 'u' }, 'anonymous_id is required'],
    ['anonymous_id number', { anonymous_id: 42, user_id: 'u' }, 'anonymous_id is required'],
    ['anonymous_id array', { anonymous_id: ['owl_anon_a'], user_id: 'u' }, 'anonymous_id is required'],
    ['anonymous_id object', { anonymous_id: { a: 1 }, user_id: 42 }, 'anonymous_id is required'],
    ['user_id absent', { anonymous_id: 'owl_anon_a' }, 'user_id is required'],
    ['user_id number', { anonymous_id: 'bad-prefix', user_id: 7 }, 'user_id is required'],
    ['user_id boolean', { anonymous_id: 'owl_anon_a', user_id: true }, 'user_id is required'],
    ['anonymous_id without the prefix', { anonymous_id: 'anon_a', user_id: 'owl_anon_b' }, 'anonymous_id must start with "owl_anon_"'],
    ['anonymous_id prefix is case-sensitive', { anonymous_id: 'OWL_ANON_a', user_id: 'u' }, 'anonymous_id must start with "owl_anon_"'],
    [
      'user_id with the anonymous prefix',
      { anonymous_id: 'owl_anon_a', user_id: 'owl_anon_b' },
      'user_id must not start with anonymous prefix',
    ],
    [
      'anonymous_id too long',
      { anonymous_id: `owl_anon_${'a'.repeat(504)}`, user_id: 'u'.repeat(513) },
      'anonymous_id must be at most 512 characters',
    ],
    ['user_id too long', { anonymous_id: 'owl_anon_a', user_id: 'u'.repeat(513) }, 'user_id must be at most 512 characters'],
    [
      '100 000-character ids',
      { anonymous_id: `owl_anon_${'a'.repeat(100_000)}`, user_id: 'u'.repeat(100_000) },
      'anonymous_id must be at most 512 characters',
    ],
  ])('400 in contract order: %s', async (_label, body, error) => {
    const res = await claim(app.headers, body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error });
  });

  it('users get the body checks first, then "Client key must be scoped to an app"', async () => {
    const bad = await claim(owner.headers, { anonymous_id: 'x', user_id: 'u' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'anonymous_id must start with "owl_anon_"' });
    const res = await claim(owner.headers, { anonymous_id: 'owl_anon_a', user_id: 'u' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'Client key must be scoped to an app' });
  });

  it('404 when the app has no event with that anonymous id; nothing changes', async () => {
    await ingestOk(t, sibling, [anEvent({ user_id: 'owl_anon_elsewhere' })]);
    const res = await claim(app.headers, { anonymous_id: 'owl_anon_elsewhere', user_id: 'user-1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'No events found for this anonymous_id' });
    expect(Object.keys(await appUsers(sibling))).toEqual(['owl_anon_elsewhere']);
    expect(await appUsers(app)).toEqual({});
  });

  it("relabels the anonymous id's events of the key's app only and converts its app user in place", async () => {
    await ingestOk(t, app, [
      anEvent({ message: 'a1', user_id: 'owl_anon_x' }),
      anEvent({ message: 'a2', user_id: 'owl_anon_x', is_dev: true }),
      anEvent({ message: 'a3', user_id: 'owl_anon_x', timestamp: new Date(Date.now() - 20 * 24 * HOUR_MS).toISOString() }),
      anEvent({ message: 'other', user_id: 'owl_anon_y' }),
    ]);
    await ingestOk(t, sibling, [anEvent({ message: 's1', user_id: 'owl_anon_x' })]);
    const before = await appUsers(app);

    const res = await claim(app.headers, { anonymous_id: 'owl_anon_x', user_id: 'user-1' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ claimed: true, events_reassigned_count: 3 });

    expect(await userIdsOfEvents(app)).toEqual(['a1:user-1', 'a2:user-1', 'a3:user-1', 'other:owl_anon_y']);
    expect(await userIdsOfEvents(sibling)).toEqual(['s1:owl_anon_x']);
    const after = await appUsers(app);
    expect(Object.keys(after).sort()).toEqual(['owl_anon_y', 'user-1']);
    expect(after['user-1']).toEqual({
      ...before.owl_anon_x,
      user_id: 'user-1',
      is_anonymous: false,
      claimed_from: ['owl_anon_x'],
    });
    expect(Object.keys(await appUsers(sibling))).toEqual(['owl_anon_x']);
  });

  it('merges into an existing user row: claimed_from appended, earlier first_seen_at kept, anonymous row deleted', async () => {
    await ingestOk(t, app, [anEvent({ message: 'anon', user_id: 'owl_anon_x' })]);
    await new Promise((r) => setTimeout(r, 5));
    await ingestOk(t, app, [anEvent({ message: 'known', user_id: 'user-1' })]);
    const before = await appUsers(app);
    expect(Date.parse(before.owl_anon_x.first_seen_at as string)).toBeLessThan(Date.parse(before['user-1'].first_seen_at as string));

    const res = await claim(app.headers, { anonymous_id: 'owl_anon_x', user_id: 'user-1' });
    expect(res.json()).toEqual({ claimed: true, events_reassigned_count: 1 });
    const after = await appUsers(app);
    expect(after).toEqual({
      'user-1': {
        ...before['user-1'],
        claimed_from: ['owl_anon_x'],
        first_seen_at: before.owl_anon_x.first_seen_at,
      },
    });

    await ingestOk(t, app, [anEvent({ message: 'anon2', user_id: 'owl_anon_z' })]);
    const second = await claim(app.headers, { anonymous_id: 'owl_anon_z', user_id: 'user-1' });
    expect(second.json()).toEqual({ claimed: true, events_reassigned_count: 1 });
    const merged = await appUsers(app);
    expect(Object.keys(merged)).toEqual(['user-1']);
    expect(merged['user-1'].claimed_from).toEqual(['owl_anon_x', 'owl_anon_z']);
    expect(merged['user-1'].first_seen_at).toBe(before.owl_anon_x.first_seen_at);
    expect(await userIdsOfEvents(app)).toEqual(['anon2:user-1', 'anon:user-1', 'known:user-1']);
  });

  it('is idempotent: a repeated claim answers 0 and changes nothing, even after new anonymous events', async () => {
    await ingestOk(t, app, [anEvent({ message: 'a1', user_id: 'owl_anon_x' }), anEvent({ message: 'a2', user_id: 'owl_anon_x' })]);
    expect((await claim(app.headers, { anonymous_id: 'owl_anon_x', user_id: 'user-1' })).json()).toEqual({
      claimed: true,
      events_reassigned_count: 2,
    });
    const users = await appUsers(app);
    await ingestOk(t, app, [anEvent({ message: 'late', user_id: 'owl_anon_x' })]);
    const again = await claim(app.headers, { anonymous_id: 'owl_anon_x', user_id: 'user-1' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ claimed: true, events_reassigned_count: 0 });
    expect(await userIdsOfEvents(app)).toEqual(['a1:user-1', 'a2:user-1', 'late:owl_anon_x']);
    const now = await appUsers(app);
    expect(now['user-1']).toEqual(users['user-1']);
    expect(now.owl_anon_x).toEqual(expect.objectContaining({ is_anonymous: true, claimed_from: null }));
  });

  it('claims the same anonymous id for another user after a first claim only if events remain', async () => {
    await ingestOk(t, app, [anEvent({ user_id: 'owl_anon_x' })]);
    await claim(app.headers, { anonymous_id: 'owl_anon_x', user_id: 'user-1' });
    const other = await claim(app.headers, { anonymous_id: 'owl_anon_x', user_id: 'user-2' });
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual({ error: 'No events found for this anonymous_id' });
  });

  it('concurrent identical claims: one moves the events, the others answer 0', async () => {
    await ingestOk(
      t,
      app,
      Array.from({ length: 25 }, (_, i) => anEvent({ message: `m${i}`, user_id: 'owl_anon_race' })),
    );
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => claim(app.headers, { anonymous_id: 'owl_anon_race', user_id: 'winner' })),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(Array(6).fill(200));
    expect(answers.map((r) => r.json().events_reassigned_count).sort((a, b) => b - a)).toEqual([25, 0, 0, 0, 0, 0]);
    const users = await appUsers(app);
    expect(Object.keys(users)).toEqual(['winner']);
    expect(users.winner.claimed_from).toEqual(['owl_anon_race']);
  });

  it('hostile bodies get a 4xx envelope and change nothing', async () => {
    await ingestOk(t, app, [anEvent({ message: 'kept', user_id: 'owl_anon_x' })]);
    for (const [payload, status, error] of [
      ['[]', 400, 'Request body must be a JSON object'],
      ['{"anonymous_id":', 400, 'Malformed JSON body'],
      ['{"__proto__":{"anonymous_id":"owl_anon_x","user_id":"u"}}', 400, 'anonymous_id is required'],
      ['{"anonymous_id":{"__proto__":"owl_anon_x"},"user_id":"u"}', 400, 'anonymous_id is required'],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/identity/claim',
        headers: { ...app.headers, 'content-type': 'application/json' },
        payload,
      });
      expect([payload, res.statusCode, res.json()]).toEqual([payload, status, { error }]);
    }
    const nul = await t.app.inject({
      method: 'POST',
      url: '/v1/identity/claim',
      headers: { ...app.headers, 'content-type': 'application/json' },
      payload: '{"anonymous_id":"owl_anon_\\u0000","user_id":"u\\ud800"}',
    });
    expect(nul.statusCode).toBe(404);
    expect(nul.json()).toEqual({ error: 'No events found for this anonymous_id' });
    expect(await userIdsOfEvents(app)).toEqual(['kept:owl_anon_x']);
  });
});
