import { randomUUID } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import { Permission } from '../../src/common/auth/permission';
import { AppFixture, insertApp, softDeleteAppOnly } from '../factories/apps.factory';
import { RawEvent, SESSION_ID, aFullEvent, anEvent, ingest, listEvents, storedEvents } from '../factories/events.factory';
import { Session } from '../utils/auth';
import { useTestApp } from '../utils/create-test-app';
import { freshIngestWorld, ownerEventsViaApi } from '../utils/ingest-world';
import { insertKey } from '../factories/keys.factory';

const DAY_MS = 24 * 60 * 60_000;
const iso = (offsetMs: number): string => new Date(Date.now() + offsetMs).toISOString();

/** Request-level checks, per-event rules, partial acceptance and storage, compressed and hostile bodies. */
describe('POST /v1/ingest', () => {
  const t = useTestApp();
  let owner: Session;
  let apple: AppFixture;

  /** Fresh database, a signed-in owner and an apple app with its client key. */
  async function freshWorld(): Promise<void> {
    ({ owner, apple } = await freshIngestWorld(t));
  }

  /** Every stored event of the owner's apps through the API, newest first. */
  const eventsViaApi = (query?: Record<string, string>): Promise<Record<string, unknown>[]> => ownerEventsViaApi(t, owner, query);

  describe('request-level checks, in contract order', () => {
    beforeEach(freshWorld);

    it('401 without credentials, 401 for an unknown key', async () => {
      const none = await t.app.inject({ method: 'POST', url: '/v1/ingest', payload: { events: [anEvent()] } });
      expect(none.statusCode).toBe(401);
      expect(none.json()).toEqual({ error: 'Missing authorization' });
      const bad = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        headers: { authorization: `Bearer owl_client_${'0'.repeat(48)}` },
        payload: { events: [anEvent()] },
      });
      expect(bad.statusCode).toBe(401);
      expect(bad.json()).toEqual({ error: 'Invalid API key' });
    });

    it('403 for agent keys, even with a valid batch', async () => {
      const agent = await insertKey(t, { teamId: owner.teamId, createdBy: owner.userId });
      const res = await t.app.inject({ method: 'POST', url: '/v1/ingest', headers: agent.headers, payload: { events: [anEvent()] } });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: 'Missing permission: events:write' });
      const scoped = await insertKey(t, {
        teamId: owner.teamId,
        createdBy: owner.userId,
        appId: apple.id,
        permissions: [Permission.EventsRead],
      });
      const res2 = await t.app.inject({ method: 'POST', url: '/v1/ingest', headers: scoped.headers, payload: { events: [anEvent()] } });
      expect(res2.statusCode).toBe(403);
      expect(res2.json()).toEqual({ error: 'Missing permission: events:write' });
    });

    it.each<[string, unknown]>([
      ['absent', undefined],
      ['null', null],
      ['empty string', ''],
      ['an empty array', []],
      ['a string', 'events'],
      ['a number', 5],
      ['a boolean', true],
      ['an object', { 0: anEvent() }],
    ])('events %s → 400 "events array is required"', async (_label, events) => {
      const payload: Record<string, unknown> = { bundle_id: apple.bundleId };
      if (events !== undefined) payload.events = events;
      const res = await t.app.inject({ method: 'POST', url: '/v1/ingest', headers: apple.headers, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'events array is required' });
    });

    it('an empty body and no body count as {}', async () => {
      const empty = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        headers: { ...apple.headers, 'content-type': 'application/json' },
        payload: '',
      });
      expect(empty.statusCode).toBe(400);
      expect(empty.json()).toEqual({ error: 'events array is required' });
      const none = await t.app.inject({ method: 'POST', url: '/v1/ingest', headers: apple.headers });
      expect(none.statusCode).toBe(400);
      expect(none.json()).toEqual({ error: 'events array is required' });
    });

    it('accepts 100 events, refuses 101 with "Maximum batch size is 100"', async () => {
      const hundred = Array.from({ length: 100 }, () => anEvent());
      const ok = await ingest(t, apple, hundred);
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ accepted: 100, rejected: 0 });
      const tooMany = await ingest(t, apple, [...hundred, anEvent()]);
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.json()).toEqual({ error: 'Maximum batch size is 100' });
      expect(await storedEvents(t)).toHaveLength(100);
    });

    it('users pass the permission step, then get the batch checks, then "API key must be scoped to an app"', async () => {
      const noEvents = await t.app.inject({ method: 'POST', url: '/v1/ingest', headers: owner.headers, payload: {} });
      expect(noEvents.statusCode).toBe(400);
      expect(noEvents.json()).toEqual({ error: 'events array is required' });
      const tooMany = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        headers: owner.headers,
        payload: { events: Array.from({ length: 101 }, () => anEvent()) },
      });
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.json()).toEqual({ error: 'Maximum batch size is 100' });
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        headers: owner.headers,
        payload: { events: [anEvent()], bundle_id: apple.bundleId },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'API key must be scoped to an app' });
      expect(await storedEvents(t)).toEqual([]);
    });

    it('a key whose app was deleted → 400 (after the batch checks)', async () => {
      await softDeleteAppOnly(t, apple.id);
      const empty = await ingest(t, apple, []);
      expect(empty.statusCode).toBe(400);
      expect(empty.json()).toEqual({ error: 'events array is required' });
      const res = await ingest(t, apple, [anEvent()]);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'App associated with this API key no longer exists' });
      expect(await storedEvents(t)).toEqual([]);
    });

    it.each<[string, unknown]>([
      ['absent', undefined],
      ['null', null],
      ['empty', ''],
      ['a number', 42],
      ['a boolean', true],
      ['an array', ['com.acme.ios']],
      ['an object', { id: 'com.acme.ios' }],
    ])('bundle_id %s → 400 "bundle_id is required"', async (_label, bundleId) => {
      const res = await ingest(t, apple, [anEvent()], { bundle_id: bundleId });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'bundle_id is required' });
    });

    it('bundle_id longer than 255 characters → 400', async () => {
      const res = await ingest(t, apple, [anEvent()], { bundle_id: 'x'.repeat(256) });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'bundle_id must be at most 255 characters' });
      const huge = await ingest(t, apple, [anEvent()], { bundle_id: 'x'.repeat(100_000) });
      expect(huge.statusCode).toBe(400);
      expect(huge.json()).toEqual({ error: 'bundle_id must be at most 255 characters' });
    });

    it('a different bundle_id → 403; the comparison is exact and case-sensitive', async () => {
      for (const other of ['com.other.app', 'COM.ACME.IOS', 'com.acme.ios ', ' com.acme.ios']) {
        const res = await ingest(t, apple, [anEvent()], { bundle_id: other });
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ error: 'bundle_id does not match the app associated with this API key' });
      }
      expect(await storedEvents(t)).toEqual([]);
    });

    it('android and web apps check their bundle_id too', async () => {
      for (const platform of ['android', 'web'] as const) {
        const app = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform });
        const missing = await ingest(t, app, [anEvent()], { bundle_id: undefined });
        expect(missing.statusCode).toBe(400);
        expect(missing.json()).toEqual({ error: 'bundle_id is required' });
        const wrong = await ingest(t, app, [anEvent()], { bundle_id: 'nope' });
        expect(wrong.statusCode).toBe(403);
        expect(wrong.json()).toEqual({ error: 'bundle_id does not match the app associated with this API key' });
        const ok = await ingest(t, app, [anEvent({ environment: platform })]);
        expect(ok.statusCode).toBe(200);
        expect(ok.json()).toEqual({ accepted: 1, rejected: 0 });
      }
    });

    it('backend apps ignore bundle_id (absent, wrong, wrong type or too long)', async () => {
      const backend = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'backend' });
      for (const bundleId of [undefined, 'com.whatever', 7, 'x'.repeat(300)]) {
        const res = await ingest(t, backend, [anEvent({ environment: 'backend' })], { bundle_id: bundleId });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ accepted: 1, rejected: 0 });
      }
      expect(await storedEvents(t, backend.id)).toHaveLength(4);
    });

    it('the batch checks come before the bundle_id checks', async () => {
      const res = await ingest(t, apple, 'not-an-array', { bundle_id: 'wrong' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'events array is required' });
    });
  });

  describe('per-event rules (each alone in a batch)', () => {
    beforeAll(freshWorld);

    const str = (n: number): string => 'x'.repeat(n);
    const manyKeys = (n: number, value: unknown = 'v'): Record<string, unknown> =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));
    const without = (field: string): RawEvent => {
      const e = anEvent();
      delete e[field];
      return e;
    };
    const stringFields = ['user_id', 'source_module', 'screen_name', 'os_version', 'app_version', 'build_number', 'device_model', 'locale'];

    const cases: [string, () => unknown, string][] = [
      ['event null', () => null, 'event must be an object'],
      ['event string', () => 'event', 'event must be an object'],
      ['event number', () => 42, 'event must be an object'],
      ['event array', () => [anEvent()], 'event must be an object'],
      ['message absent', () => without('message'), 'message is required and must be a string'],
      ['message empty', () => anEvent({ message: '' }), 'message is required and must be a string'],
      ['message null', () => anEvent({ message: null }), 'message is required and must be a string'],
      ['message number', () => anEvent({ message: 5 }), 'message is required and must be a string'],
      ['message object', () => anEvent({ message: { text: 'hi' } }), 'message is required and must be a string'],
      ['message 10 001 chars', () => anEvent({ message: str(10_001) }), 'message must be at most 10000 characters'],
      ['message 100 000 chars', () => anEvent({ message: str(100_000) }), 'message must be at most 10000 characters'],
      ['level absent', () => without('level'), 'level must be one of info, debug, warn, error'],
      ['level empty', () => anEvent({ level: '' }), 'level must be one of info, debug, warn, error'],
      ['level upper-case', () => anEvent({ level: 'INFO' }), 'level must be one of info, debug, warn, error'],
      ['level unknown', () => anEvent({ level: 'fatal' }), 'level must be one of info, debug, warn, error'],
      ['level number', () => anEvent({ level: 1 }), 'level must be one of info, debug, warn, error'],
      ['session_id absent', () => without('session_id'), 'session_id is required and must be a string'],
      ['session_id number', () => anEvent({ session_id: 123 }), 'session_id is required and must be a string'],
      ['session_id array', () => anEvent({ session_id: [SESSION_ID] }), 'session_id is required and must be a string'],
      ['session_id not a UUID', () => anEvent({ session_id: 'abc' }), 'session_id must be a valid UUID'],
      ['session_id 100 000 chars', () => anEvent({ session_id: str(100_000) }), 'session_id must be a valid UUID'],
      ['timestamp number', () => anEvent({ timestamp: Date.now() }), 'timestamp must be a valid ISO 8601 date'],
      ['timestamp object', () => anEvent({ timestamp: {} }), 'timestamp must be a valid ISO 8601 date'],
      ['timestamp words', () => anEvent({ timestamp: 'yesterday' }), 'timestamp must be a valid ISO 8601 date'],
      ['timestamp impossible date', () => anEvent({ timestamp: '2024-02-30' }), 'timestamp must be a valid ISO 8601 date'],
      ['timestamp 10 min ahead', () => anEvent({ timestamp: iso(10 * 60_000) }), 'timestamp cannot be more than 5 minutes in the future'],
      ['timestamp 31 days ago', () => anEvent({ timestamp: iso(-31 * DAY_MS) }), 'timestamp cannot be more than 30 days in the past'],
      ['environment number', () => anEvent({ environment: 5 }), 'environment must be a string'],
      ['environment array', () => anEvent({ environment: ['ios'] }), 'environment must be a string'],
      [
        'environment of another platform',
        () => anEvent({ environment: 'android' }),
        'environment "android" is not allowed for apple apps (allowed: ios, ipados, macos)',
      ],
      [
        'environment in another case',
        () => anEvent({ environment: 'iOS' }),
        'environment "iOS" is not allowed for apple apps (allowed: ios, ipados, macos)',
      ],
      ['client_event_id not a UUID', () => anEvent({ client_event_id: 'abc' }), 'client_event_id must be a valid UUID'],
      ['client_event_id number', () => anEvent({ client_event_id: 123 }), 'client_event_id must be a valid UUID'],
      ...stringFields.flatMap((f): [string, () => unknown, string][] => [
        [`${f} number`, () => anEvent({ [f]: 1 }), `${f} must be a string`],
        [`${f} object`, () => anEvent({ [f]: { a: 1 } }), `${f} must be a string`],
        [`${f} 513 chars`, () => anEvent({ [f]: str(513) }), `${f} must be at most 512 characters`],
        [`${f} 100 000 chars`, () => anEvent({ [f]: str(100_000) }), `${f} must be at most 512 characters`],
      ]),
      ['is_dev string', () => anEvent({ is_dev: 'true' }), 'is_dev must be a boolean'],
      ['is_dev number', () => anEvent({ is_dev: 1 }), 'is_dev must be a boolean'],
      ['custom_attributes array', () => anEvent({ custom_attributes: ['a'] }), 'custom_attributes must be an object'],
      ['custom_attributes string', () => anEvent({ custom_attributes: 'a=b' }), 'custom_attributes must be an object'],
      ['custom_attributes 51 keys', () => anEvent({ custom_attributes: manyKeys(51) }), 'custom_attributes must have at most 50 keys'],
      [
        'custom_attributes 101-char key',
        () => anEvent({ custom_attributes: { [str(101)]: 'v' } }),
        'custom_attributes keys must be at most 100 characters',
      ],
      [
        'custom_attributes object value',
        () => anEvent({ custom_attributes: { a: { b: 'c' } } }),
        'custom_attributes values must be strings, numbers or booleans',
      ],
      [
        'custom_attributes array value',
        () => anEvent({ custom_attributes: { a: ['b'] } }),
        'custom_attributes values must be strings, numbers or booleans',
      ],
      ['experiments array', () => anEvent({ experiments: [] }), 'experiments must be an object'],
      ['experiments number', () => anEvent({ experiments: 3 }), 'experiments must be an object'],
      ['experiments 51 keys', () => anEvent({ experiments: manyKeys(51) }), 'experiments must have at most 50 keys'],
      ['experiments 101-char key', () => anEvent({ experiments: { [str(101)]: 'a' } }), 'experiments keys must be at most 100 characters'],
      [
        'experiments number value',
        () => anEvent({ experiments: { paywall: 2 } }),
        'experiments values must be strings of at most 512 characters',
      ],
      [
        'experiments 513-char value',
        () => anEvent({ experiments: { paywall: str(513) } }),
        'experiments values must be strings of at most 512 characters',
      ],
      [
        'first failing rule wins',
        () => anEvent({ message: '', level: 'nope', session_id: 'x' }),
        'message is required and must be a string',
      ],
    ];

    it.each(cases)('%s → rejected with its problem text', async (_label, build, problem) => {
      const res = await ingest(t, apple, [build()]);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ accepted: 0, rejected: 1, errors: [{ index: 0, message: `events[0]: ${problem}` }] });
    });

    it('stored nothing for any of them', async () => {
      expect(await storedEvents(t)).toEqual([]);
    });

    it('accepts the limits themselves', async () => {
      const res = await ingest(t, apple, [
        anEvent({ message: str(10_000) }),
        anEvent({ timestamp: iso(4 * 60_000) }),
        anEvent({ timestamp: iso(-29 * DAY_MS) }),
        anEvent({ custom_attributes: manyKeys(50), experiments: manyKeys(50) }),
        anEvent({ custom_attributes: { [str(100)]: 'v' }, experiments: { [str(100)]: str(512) } }),
        anEvent(Object.fromEntries(stringFields.map((f) => [f, str(512)]))),
        anEvent({ level: 'debug', environment: 'macos' }),
        anEvent({ level: 'warn', environment: 'ipados' }),
        anEvent({ level: 'error', is_dev: true }),
      ]);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ accepted: 9, rejected: 0 });
    });
  });

  describe('partial acceptance, normalisation and storage', () => {
    beforeEach(freshWorld);

    it('stores the valid events and reports each rejected one, ordered by index', async () => {
      const res = await ingest(t, apple, [
        anEvent({ message: 'first' }),
        anEvent({ session_id: 'nope' }),
        anEvent({ message: 'third' }),
        'junk',
        anEvent({ timestamp: iso(-40 * DAY_MS) }),
        anEvent({ message: 'sixth' }),
      ]);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        accepted: 3,
        rejected: 3,
        errors: [
          { index: 1, message: 'events[1]: session_id must be a valid UUID' },
          { index: 3, message: 'events[3]: event must be an object' },
          { index: 4, message: 'events[4]: timestamp cannot be more than 30 days in the past' },
        ],
      });
      expect((await eventsViaApi()).map((e) => e.message).sort()).toEqual(['first', 'sixth', 'third']);
    });

    it('a batch with every event rejected is still a 200', async () => {
      const res = await ingest(t, apple, [anEvent({ level: 'x' }), anEvent({ message: 1 })]);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        accepted: 0,
        rejected: 2,
        errors: [
          { index: 0, message: 'events[0]: level must be one of info, debug, warn, error' },
          { index: 1, message: 'events[1]: message is required and must be a string' },
        ],
      });
    });

    it('stores a full event exactly as the Event object shows it', async () => {
      const day = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
      const sent = aFullEvent({
        client_event_id: '3B8F2C71-9D4E-4A6B-8C15-7E2F0A9D6C34',
        session_id: 'C7D1E9A2-4B6F-4F38-9E20-1A5C7B3D8E64',
        timestamp: `${day}T00:00:00Z`,
        future_field: { ignored: true },
      });
      const res = await ingest(t, apple, [sent]);
      expect(res.json()).toEqual({ accepted: 1, rejected: 0 });
      const [event] = await eventsViaApi();
      expect(event).toEqual({
        id: expect.any(String),
        app_id: apple.id,
        client_event_id: '3b8f2c71-9d4e-4a6b-8c15-7e2f0a9d6c34',
        session_id: 'c7d1e9a2-4b6f-4f38-9e20-1a5c7b3d8e64',
        user_id: 'owl_anon_7QkP2v',
        api_key_id: apple.clientKeyId,
        level: 'info',
        source_module: 'CartScreen',
        message: 'checkout_started',
        screen_name: 'Cart',
        custom_attributes: { cart_items: '3' },
        environment: 'ios',
        os_version: '18.1',
        app_version: '3.4.1',
        build_number: '311',
        device_model: 'iPhone16,1',
        locale: 'de_DE',
        is_dev: false,
        experiments: { paywall: 'b' },
        timestamp: `${day}T00:00:00.000Z`,
        received_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });
      const byId = await t.app.inject({ method: 'GET', url: `/v1/events/${event.id as string}`, headers: owner.headers });
      expect(byId.statusCode).toBe(200);
      expect(byId.json()).toEqual(event);
    });

    it('fills defaults: null strings and maps, is_dev false, timestamp = receive time', async () => {
      const before = Date.now();
      await ingest(t, apple, [anEvent()]);
      const after = Date.now();
      const [event] = await eventsViaApi();
      expect(event).toEqual({
        id: expect.any(String),
        app_id: apple.id,
        client_event_id: null,
        session_id: SESSION_ID,
        user_id: null,
        api_key_id: apple.clientKeyId,
        level: 'info',
        source_module: null,
        message: 'checkout_started',
        screen_name: null,
        custom_attributes: null,
        environment: null,
        os_version: null,
        app_version: null,
        build_number: null,
        device_model: null,
        locale: null,
        is_dev: false,
        experiments: null,
        timestamp: event.received_at,
        received_at: expect.any(String),
      });
      const received = Date.parse(event.received_at as string);
      expect(received).toBeGreaterThanOrEqual(before);
      expect(received).toBeLessThanOrEqual(after);
    });

    it('normalises custom_attributes: numbers and booleans to text, nulls dropped, values cut to 200, {} kept', async () => {
      await ingest(t, apple, [
        anEvent({
          message: 'attrs',
          custom_attributes: { n: 3, f: 1.5, yes: true, no: false, gone: null, long: 'y'.repeat(100_000), s: '' },
        }),
        anEvent({ message: 'empty', custom_attributes: {}, experiments: {} }),
      ]);
      const events = await eventsViaApi();
      const byMessage = Object.fromEntries(events.map((e) => [e.message, e]));
      expect(byMessage.attrs.custom_attributes).toEqual({ n: '3', f: '1.5', yes: 'true', no: 'false', long: 'y'.repeat(200), s: '' });
      expect(byMessage.empty.custom_attributes).toEqual({});
      expect(byMessage.empty.experiments).toEqual({});
    });

    it('truncates finer timestamps to milliseconds and converts offsets to UTC', async () => {
      const day = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
      await ingest(t, apple, [anEvent({ timestamp: `${day}T13:00:00.123456+01:00` })]);
      const [event] = await eventsViaApi();
      expect(event.timestamp).toBe(`${day}T12:00:00.123Z`);
    });

    it('stores metric: and track: messages as ordinary events', async () => {
      const res = await ingest(t, apple, [anEvent({ message: 'metric:checkout:start' }), anEvent({ message: 'track:step-1' })]);
      expect(res.json()).toEqual({ accepted: 2, rejected: 0 });
      expect((await eventsViaApi()).map((e) => e.message).sort()).toEqual(['metric:checkout:start', 'track:step-1']);
    });

    it('creates app users for new user ids and only moves last_seen_at of known ones', async () => {
      await ingest(t, apple, [
        anEvent({ user_id: 'owl_anon_a' }),
        anEvent({ user_id: 'user-1' }),
        anEvent({ user_id: 'user-1' }),
        anEvent(),
      ]);
      const first = await t.app.inject({ method: 'GET', url: `/v1/apps/${apple.id}/users`, headers: owner.headers });
      expect(first.statusCode).toBe(200);
      const users = first.json().users as Record<string, unknown>[];
      expect(users).toHaveLength(2);
      const byId = Object.fromEntries(users.map((u) => [u.user_id, u]));
      expect(byId.owl_anon_a).toEqual({
        id: expect.any(String),
        app_id: apple.id,
        user_id: 'owl_anon_a',
        is_anonymous: true,
        claimed_from: null,
        first_seen_at: expect.any(String),
        last_seen_at: expect.any(String),
      });
      expect(byId['user-1']).toEqual({ ...byId['user-1'], is_anonymous: false, claimed_from: null });
      expect(byId['user-1'].first_seen_at).toBe(byId['user-1'].last_seen_at);

      await new Promise((r) => setTimeout(r, 5));
      await ingest(t, apple, [anEvent({ user_id: 'user-1' }), anEvent({ user_id: 'user-2' })]);
      const second = await t.app.inject({ method: 'GET', url: `/v1/apps/${apple.id}/users`, headers: owner.headers });
      const after = Object.fromEntries((second.json().users as Record<string, unknown>[]).map((u) => [u.user_id, u]));
      expect(Object.keys(after).sort()).toEqual(['owl_anon_a', 'user-1', 'user-2']);
      expect(after['user-1'].id).toBe(byId['user-1'].id);
      expect(after['user-1'].first_seen_at).toBe(byId['user-1'].first_seen_at);
      expect(Date.parse(after['user-1'].last_seen_at as string)).toBeGreaterThan(Date.parse(byId['user-1'].last_seen_at as string));
      expect(after.owl_anon_a).toEqual(byId.owl_anon_a);
    });

    it('rejected and duplicate events create no app users', async () => {
      const id = randomUUID();
      await ingest(t, apple, [anEvent({ client_event_id: id, user_id: 'kept' })]);
      await ingest(t, apple, [anEvent({ user_id: 'bad', level: 'nope' }), anEvent({ client_event_id: id, user_id: 'dup' })]);
      const res = await t.app.inject({ method: 'GET', url: `/v1/apps/${apple.id}/users`, headers: owner.headers });
      expect((res.json().users as { user_id: string }[]).map((u) => u.user_id)).toEqual(['kept']);
    });

    it('a failing write stores nothing from the batch, answers 500, and a retry succeeds', async () => {
      // A real database failure inside the one ingest statement: the app-user insert raises for one id.
      await t.ds.query(`CREATE FUNCTION owl_test_refuse_user() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.user_id = 'u-refused' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$`);
      await t.ds.query(`CREATE TRIGGER owl_test_refuse BEFORE INSERT ON app_users FOR EACH ROW EXECUTE FUNCTION owl_test_refuse_user()`);
      const id = randomUUID();
      const batch = [anEvent({ client_event_id: id, user_id: 'u1' }), anEvent({ user_id: 'u-refused' })];
      try {
        const failed = await ingest(t, apple, batch);
        expect(failed.statusCode).toBe(500);
        expect(failed.json()).toEqual({ error: 'Internal server error' });
        expect(await storedEvents(t)).toEqual([]);
        expect(await t.ds.query(`SELECT * FROM event_dedup`)).toEqual([]);
        expect(await t.ds.query(`SELECT * FROM app_users`)).toEqual([]);
      } finally {
        await t.ds.query(`DROP TRIGGER owl_test_refuse ON app_users`);
        await t.ds.query(`DROP FUNCTION owl_test_refuse_user()`);
      }
      const retry = await ingest(t, apple, batch);
      expect(retry.json()).toEqual({ accepted: 2, rejected: 0 });
    });
  });

  describe('compressed bodies (B6)', () => {
    beforeEach(freshWorld);

    const body = (): string => JSON.stringify({ bundle_id: 'com.acme.ios', events: [anEvent({ message: 'zipped' })] });

    it.each([
      ['gzip', (b: string) => gzipSync(b)],
      ['x-gzip', (b: string) => gzipSync(b)],
      ['deflate', (b: string) => deflateSync(b)],
      ['GZip ', (b: string) => gzipSync(b)],
    ])('accepts Content-Encoding %p', async (encoding, encode) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        payload: encode(body()),
        headers: { ...apple.headers, 'content-type': 'application/json', 'content-encoding': encoding },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ accepted: 1, rejected: 0 });
      expect((await eventsViaApi()).map((e) => e.message)).toEqual(['zipped']);
    });

    it('a gzip bomb answers 413 "Decompressed payload too large" and stores nothing', async () => {
      const bomb = gzipSync(Buffer.concat([Buffer.from('{"events":['), Buffer.alloc(11 * 1_048_576, 0x20), Buffer.from(']}')]));
      expect(bomb.length).toBeLessThan(1_048_576);
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        payload: bomb,
        headers: { ...apple.headers, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({ error: 'Decompressed payload too large' });
      expect(await storedEvents(t)).toEqual([]);
    });

    it('a compressed body over 1 MiB answers 413 "Compressed payload too large"', async () => {
      const noise = Buffer.from(Array.from({ length: 1_200_000 }, () => Math.floor(Math.random() * 256)));
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        payload: gzipSync(noise),
        headers: { ...apple.headers, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({ error: 'Compressed payload too large' });
    });

    it('an uncompressed body over 1 MiB answers 413 "Payload too large"', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        headers: { ...apple.headers, 'content-type': 'application/json' },
        payload: JSON.stringify({ events: [anEvent({ message: 'x'.repeat(1_100_000) })] }),
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual({ error: 'Payload too large' });
    });

    it('corrupt gzip → 400, an unknown coding → 415', async () => {
      const corrupt = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        payload: Buffer.from('definitely not gzip'),
        headers: { ...apple.headers, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
      expect(corrupt.statusCode).toBe(400);
      expect(corrupt.json()).toEqual({ error: 'Invalid compressed body' });
      const br = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        payload: gzipSync(body()),
        headers: { ...apple.headers, 'content-type': 'application/json', 'content-encoding': 'br' },
      });
      expect(br.statusCode).toBe(415);
      expect(br.json()).toEqual({ error: 'Unsupported content encoding' });
    });
  });

  describe('hostile input (B7)', () => {
    beforeEach(freshWorld);

    async function assertStillServing(expectedEvents: number): Promise<void> {
      const health = await t.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
      expect(await storedEvents(t)).toHaveLength(expectedEvents);
    }

    it('drops __proto__ and constructor.prototype keys everywhere; nothing is polluted', async () => {
      const raw =
        '{"__proto__":{"polluted":"yes"},"bundle_id":"com.acme.ios","events":[' +
        '{"__proto__":{"message":"from proto"},"level":"info","session_id":"' +
        SESSION_ID +
        '"},' +
        '{"message":"ok","level":"info","session_id":"' +
        SESSION_ID +
        '",' +
        '"custom_attributes":{"__proto__":{"x":"1"},"constructor":{"prototype":{"y":"2"}},"kept":"1"},' +
        '"experiments":{"__proto__":"a","variant":"b"}}]}';
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        headers: { ...apple.headers, 'content-type': 'application/json' },
        payload: raw,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        accepted: 1,
        rejected: 1,
        errors: [{ index: 0, message: 'events[0]: message is required and must be a string' }],
      });
      const [event] = await eventsViaApi();
      expect(event.custom_attributes).toEqual({ kept: '1' });
      expect(event.experiments).toEqual({ variant: 'b' });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).message).toBeUndefined();
      await assertStillServing(1);
    });

    it('wrong types in every top-level field get a 4xx envelope and store nothing', async () => {
      const bodies: [string, number, string][] = [
        ['[]', 400, 'Request body must be a JSON object'],
        ['"events"', 400, 'Request body must be a JSON object'],
        ['null', 400, 'Request body must be a JSON object'],
        ['{"events":', 400, 'Malformed JSON body'],
        ['{"events":{"0":{}}}', 400, 'events array is required'],
        ['{"events":123}', 400, 'events array is required'],
        [`{"events":[{}],"bundle_id":123}`, 400, 'bundle_id is required'],
        [`{"events":[{}],"bundle_id":{"a":1}}`, 400, 'bundle_id is required'],
        [`{"events":[{}],"bundle_id":["com.acme.ios"]}`, 400, 'bundle_id is required'],
      ];
      for (const [payload, status, error] of bodies) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/ingest',
          headers: { ...apple.headers, 'content-type': 'application/json' },
          payload,
        });
        expect([payload, res.statusCode, res.json()]).toEqual([payload, status, { error }]);
      }
      const text = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        headers: { ...apple.headers, 'content-type': 'text/plain' },
        payload: 'x',
      });
      expect(text.statusCode).toBe(415);
      expect(text.json()).toEqual({ error: 'Unsupported media type' });
      await assertStillServing(0);
    });

    it('wrong types and 100 000-character strings in every event field are rejected per event', async () => {
      const huge = 'z'.repeat(100_000);
      const fields = [
        'message',
        'level',
        'session_id',
        'timestamp',
        'environment',
        'client_event_id',
        'user_id',
        'source_module',
        'screen_name',
        'os_version',
        'app_version',
        'build_number',
        'device_model',
        'locale',
        'is_dev',
        'custom_attributes',
        'experiments',
      ];
      const hostile: RawEvent[] = [];
      for (const f of fields) {
        for (const v of [huge, 12345, true, [], { a: { nested: [1] } }]) {
          if (f === 'message' && typeof v === 'string') continue; // covered (10 000 cap) above
          if (f === 'is_dev' && v === true) continue; // the one valid value
          hostile.push(anEvent({ [f]: v }));
        }
      }
      for (let i = 0; i < hostile.length; i += 50) {
        const res = await ingest(t, apple, hostile.slice(i, i + 50));
        expect(res.statusCode).toBe(200);
        expect(res.json().accepted).toBe(0);
        expect(res.json().rejected).toBe(Math.min(50, hostile.length - i));
      }
      await assertStillServing(0);
    });

    it('stores text PostgreSQL cannot hold (NUL, lone surrogates) with U+FFFD instead of failing', async () => {
      const raw =
        '{"bundle_id":"com.acme.ios","events":[{"message":"a\\u0000b","level":"info","session_id":"' +
        SESSION_ID +
        '",' +
        '"user_id":"u\\ud800","screen_name":"\\udc00","custom_attributes":{"k\\u0000":"v\\ud800"},"experiments":{"e":"\\u0000"}}]}';
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/ingest',
        headers: { ...apple.headers, 'content-type': 'application/json' },
        payload: raw,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ accepted: 1, rejected: 0 });
      const [event] = await eventsViaApi();
      expect(event).toEqual(
        expect.objectContaining({
          message: 'a\uFFFDb',
          user_id: 'u\uFFFD',
          screen_name: '\uFFFD',
          custom_attributes: { 'k\uFFFD': 'v\uFFFD' },
          experiments: { e: '\uFFFD' },
        }),
      );
      const byUser = await listEvents(t, owner.headers, { user_id: 'u\ud800' });
      expect(byUser.statusCode).toBe(200);
      expect(byUser.json().events).toHaveLength(1);
      await assertStillServing(1);
    });
  });
});
