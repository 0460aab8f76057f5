import {
  EVENT_ERRORS,
  EventField,
  NormalizedEvent,
  PLATFORM_ENVIRONMENTS,
  Platform,
  codePointLength,
  exceedsCodePoints,
  truncateCodePoints,
  validateEvent,
} from './ingest-validation';

const NOW = new Date('2024-03-08T12:00:00.000Z');
const NOW_MS = NOW.getTime();
const SESSION = 'c7d1e9a2-4b6f-4f38-9e20-1a5c7b3d8e64';
const EMOJI = '\u{1F989}'; // 🦉: one code point, two UTF-16 units

type Raw = Record<string, unknown>;

const base = (over: Raw = {}): Raw => ({ message: 'hello', level: 'info', session_id: SESSION, ...over });

/** Runs the validator and returns the rejection, failing the test if the event was accepted. */
function rejection(raw: unknown, platform: Platform = 'apple', index = 0): { message: string; field: EventField } {
  const r = validateEvent(raw, index, platform, NOW);
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.event)}`);
  return { message: r.message, field: r.field };
}

/** Runs the validator and returns the problem text, failing the test if the event was accepted. */
function problem(raw: unknown, platform: Platform = 'apple', index = 0): string {
  return rejection(raw, platform, index).message;
}

/** Runs the validator and returns the normalised event, failing the test if it was rejected. */
function accepted(raw: unknown, platform: Platform = 'apple'): NormalizedEvent {
  const r = validateEvent(raw, 0, platform, NOW);
  if (!r.ok) throw new Error(`expected acceptance, got ${r.message}`);
  return r.event;
}

const at = (offsetMs: number): string => new Date(NOW_MS + offsetMs).toISOString();

describe('validateEvent — accepted events', () => {
  it('normalises a full event (the §2.7 example)', () => {
    const event = accepted({
      client_event_id: '3B8F2C71-9D4E-4A6B-8C15-7E2F0A9D6C34',
      session_id: 'C7D1E9A2-4B6F-4F38-9E20-1A5C7B3D8E64',
      user_id: 'owl_anon_7QkP2v',
      level: 'info',
      message: 'checkout_started',
      source_module: 'CartScreen',
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
      timestamp: '2024-03-08T11:22:05.417Z',
      some_future_field: { ignored: true },
    });
    expect(event).toEqual({
      clientEventId: '3b8f2c71-9d4e-4a6b-8c15-7e2f0a9d6c34',
      sessionId: 'c7d1e9a2-4b6f-4f38-9e20-1a5c7b3d8e64',
      userId: 'owl_anon_7QkP2v',
      level: 'info',
      sourceModule: 'CartScreen',
      message: 'checkout_started',
      screenName: 'Cart',
      customAttributes: { cart_items: '3' },
      environment: 'ios',
      osVersion: '18.1',
      appVersion: '3.4.1',
      buildNumber: '311',
      deviceModel: 'iPhone16,1',
      locale: 'de_DE',
      isDev: false,
      experiments: { paywall: 'b' },
      timestamp: new Date('2024-03-08T11:22:05.417Z'),
    });
  });

  it('fills defaults for a minimal event', () => {
    const event = accepted(base());
    expect(event).toEqual({
      clientEventId: null,
      sessionId: SESSION,
      userId: null,
      level: 'info',
      sourceModule: null,
      message: 'hello',
      screenName: null,
      customAttributes: null,
      environment: null,
      osVersion: null,
      appVersion: null,
      buildNumber: null,
      deviceModel: null,
      locale: null,
      isDev: false,
      experiments: null,
      timestamp: NOW,
    });
    expect(event.timestamp).toBe(NOW); // server receive time
  });

  it('treats null and "" as not supplied for every optional field', () => {
    for (const missing of [null, '']) {
      const event = accepted(
        base({
          client_event_id: missing,
          timestamp: missing,
          environment: missing,
          user_id: missing,
          source_module: missing,
          screen_name: missing,
          os_version: missing,
          app_version: missing,
          build_number: missing,
          device_model: missing,
          locale: missing,
          is_dev: missing,
          custom_attributes: missing,
          experiments: missing,
        }),
      );
      expect(event).toEqual(accepted(base()));
    }
  });

  it.each(['info', 'debug', 'warn', 'error'])('accepts level %s', (level) => {
    expect(accepted(base({ level })).level).toBe(level);
  });

  it('stores strings as sent (no trimming)', () => {
    const event = accepted(base({ message: '  spaced  ', user_id: ' u ', locale: 'de_DE ' }));
    expect(event.message).toBe('  spaced  ');
    expect(event.userId).toBe(' u ');
    expect(event.locale).toBe('de_DE ');
  });

  it('accepts is_dev true', () => {
    expect(accepted(base({ is_dev: true })).isDev).toBe(true);
  });

  it('accepts metric:/track: messages as ordinary events', () => {
    expect(accepted(base({ message: 'metric:checkout:start' })).message).toBe('metric:checkout:start');
    expect(accepted(base({ message: 'track:step-1' })).message).toBe('track:step-1');
  });
});

describe('validateEvent — rule 1: event must be an object', () => {
  it.each([null, undefined, 'event', 42, true, [], [base()]])('%p', (raw) => {
    expect(problem(raw)).toBe('events[0]: event must be an object');
  });

  it('puts the index in the message', () => {
    expect(problem(null, 'apple', 7)).toBe('events[7]: event must be an object');
  });
});

describe('validateEvent — rules 2–3: message', () => {
  it.each([undefined, null, '', 42, true, {}, ['hi']])('message %p → required text', (message) => {
    const raw = base({ message });
    if (message === undefined) delete raw.message;
    expect(problem(raw)).toBe('events[0]: message is required and must be a string');
  });

  it('accepts exactly 10 000 characters and rejects 10 001', () => {
    expect(accepted(base({ message: 'a'.repeat(10_000) })).message).toHaveLength(10_000);
    expect(problem(base({ message: 'a'.repeat(10_001) }))).toBe('events[0]: message must be at most 10000 characters');
  });

  it('counts code points, not UTF-16 units', () => {
    const tenThousandOwls = EMOJI.repeat(10_000); // 20 000 UTF-16 units
    expect(accepted(base({ message: tenThousandOwls })).message).toBe(tenThousandOwls);
    expect(problem(base({ message: EMOJI.repeat(10_001) }))).toBe('events[0]: message must be at most 10000 characters');
    expect(problem(base({ message: EMOJI.repeat(5_000) + 'a'.repeat(5_001) }))).toBe('events[0]: message must be at most 10000 characters');
  });
});

describe('validateEvent — rule 4: level', () => {
  it.each([undefined, null, '', 'INFO', 'Info', 'fatal', 'warning', 1, true, ['info'], {}])('level %p → level text', (level) => {
    const raw = base({ level });
    if (level === undefined) delete raw.level;
    expect(problem(raw)).toBe('events[0]: level must be one of info, debug, warn, error');
  });
});

describe('validateEvent — rules 5–6: session_id', () => {
  it.each([undefined, null, '', 123, true, {}, [SESSION]])('session_id %p → required text', (sessionId) => {
    const raw = base({ session_id: sessionId });
    if (sessionId === undefined) delete raw.session_id;
    expect(problem(raw)).toBe('events[0]: session_id is required and must be a string');
  });

  it.each(['abc', 'c7d1e9a24b6f4f389e201a5c7b3d8e64', `${SESSION} `, `{${SESSION}}`])('session_id %p → UUID text', (sessionId) => {
    expect(problem(base({ session_id: sessionId }))).toBe('events[0]: session_id must be a valid UUID');
  });

  it('accepts any version and lower-cases', () => {
    expect(accepted(base({ session_id: '00000000-0000-0000-0000-00000000000A' })).sessionId).toBe('00000000-0000-0000-0000-00000000000a');
  });
});

describe('validateEvent — rules 7–9: timestamp', () => {
  it.each([
    123,
    1709899200000,
    true,
    {},
    ['2024-03-08'],
    'yesterday',
    '2024-02-30',
    '2024-03-08T25:00:00Z',
    '08/03/2024',
    '2024-03-08t12:00:00z',
  ])('timestamp %p → ISO text', (timestamp) => {
    expect(problem(base({ timestamp }))).toBe('events[0]: timestamp must be a valid ISO 8601 date');
  });

  it('accepts the §1.3 forms and truncates to milliseconds', () => {
    expect(accepted(base({ timestamp: '2024-03-08T13:00:00+01:00' })).timestamp).toEqual(NOW);
    expect(accepted(base({ timestamp: '2024-03-08T11:59:59.9999999' })).timestamp).toEqual(new Date('2024-03-08T11:59:59.999Z'));
    expect(accepted(base({ timestamp: '2024-03-08' })).timestamp).toEqual(new Date('2024-03-08T00:00:00.000Z'));
  });

  it('accepts exactly 5 minutes in the future, rejects 5 minutes + 1 s (and + 1 ms)', () => {
    expect(accepted(base({ timestamp: at(5 * 60_000) })).timestamp).toEqual(new Date(NOW_MS + 5 * 60_000));
    expect(problem(base({ timestamp: at(5 * 60_000 + 1_000) }))).toBe('events[0]: timestamp cannot be more than 5 minutes in the future');
    expect(problem(base({ timestamp: at(5 * 60_000 + 1) }))).toBe('events[0]: timestamp cannot be more than 5 minutes in the future');
  });

  it('accepts exactly 30 days in the past, rejects 30 days + 1 ms', () => {
    const thirtyDays = 30 * 24 * 60 * 60_000;
    expect(accepted(base({ timestamp: at(-thirtyDays) })).timestamp).toEqual(new Date(NOW_MS - thirtyDays));
    expect(problem(base({ timestamp: at(-thirtyDays - 1) }))).toBe('events[0]: timestamp cannot be more than 30 days in the past');
    expect(problem(base({ timestamp: '2020-01-01' }))).toBe('events[0]: timestamp cannot be more than 30 days in the past');
  });
});

describe('validateEvent — rules 10–11: environment', () => {
  it.each([5, true, {}, ['ios']])('environment %p → type text', (environment) => {
    expect(problem(base({ environment }))).toBe('events[0]: environment must be a string');
  });

  it('exports the platform table of §2.6', () => {
    expect(PLATFORM_ENVIRONMENTS).toEqual({
      apple: ['ios', 'ipados', 'macos'],
      android: ['android'],
      web: ['web'],
      backend: ['backend'],
    });
  });

  it.each<[Platform, string]>([
    ['apple', 'ios'],
    ['apple', 'ipados'],
    ['apple', 'macos'],
    ['android', 'android'],
    ['web', 'web'],
    ['backend', 'backend'],
  ])('%s accepts %s', (platform, environment) => {
    expect(accepted(base({ environment }), platform).environment).toBe(environment);
  });

  it.each<[Platform, string, string]>([
    ['apple', 'android', 'environment "android" is not allowed for apple apps (allowed: ios, ipados, macos)'],
    ['apple', 'iOS', 'environment "iOS" is not allowed for apple apps (allowed: ios, ipados, macos)'],
    ['android', 'ios', 'environment "ios" is not allowed for android apps (allowed: android)'],
    ['web', 'backend', 'environment "backend" is not allowed for web apps (allowed: web)'],
    ['backend', 'web', 'environment "web" is not allowed for backend apps (allowed: backend)'],
    ['backend', 'toString', 'environment "toString" is not allowed for backend apps (allowed: backend)'],
  ])('%s rejects %s', (platform, environment, text) => {
    expect(problem(base({ environment }), platform)).toBe(`events[0]: ${text}`);
  });
});

describe('validateEvent — rule 12: client_event_id', () => {
  it.each([123, true, {}, ['3b8f2c71-9d4e-4a6b-8c15-7e2f0a9d6c34'], 'abc', '3b8f2c71-9d4e-4a6b-8c15'])(
    'client_event_id %p → UUID text',
    (clientEventId) => {
      expect(problem(base({ client_event_id: clientEventId }))).toBe('events[0]: client_event_id must be a valid UUID');
    },
  );

  it('stores it lower-cased', () => {
    expect(accepted(base({ client_event_id: '3B8F2C71-9D4E-4A6B-8C15-7E2F0A9D6C34' })).clientEventId).toBe(
      '3b8f2c71-9d4e-4a6b-8c15-7e2f0a9d6c34',
    );
  });
});

describe('validateEvent — rule 13: optional strings', () => {
  const fields: [string, keyof NormalizedEvent][] = [
    ['user_id', 'userId'],
    ['source_module', 'sourceModule'],
    ['screen_name', 'screenName'],
    ['os_version', 'osVersion'],
    ['app_version', 'appVersion'],
    ['build_number', 'buildNumber'],
    ['device_model', 'deviceModel'],
    ['locale', 'locale'],
  ];

  describe.each(fields)('%s', (field, prop) => {
    it.each([1, true, {}, ['x']])('non-string %p → type text', (value) => {
      expect(problem(base({ [field]: value }))).toBe(`events[0]: ${field} must be a string`);
    });

    it('accepts 512 characters, rejects 513', () => {
      expect(accepted(base({ [field]: 'x'.repeat(512) }))[prop]).toBe('x'.repeat(512));
      expect(problem(base({ [field]: 'x'.repeat(513) }))).toBe(`events[0]: ${field} must be at most 512 characters`);
    });

    it('counts code points', () => {
      expect(accepted(base({ [field]: EMOJI.repeat(512) }))[prop]).toBe(EMOJI.repeat(512));
      expect(problem(base({ [field]: EMOJI.repeat(513) }))).toBe(`events[0]: ${field} must be at most 512 characters`);
    });
  });

  it('checks the fields in table order', () => {
    expect(problem(base({ locale: 1, user_id: 1 }))).toBe('events[0]: user_id must be a string');
    expect(problem(base({ locale: 1, device_model: 'x'.repeat(513) }))).toBe('events[0]: device_model must be at most 512 characters');
  });
});

describe('validateEvent — rule 14: is_dev', () => {
  it.each(['true', 'false', 1, 0, {}, [true]])('is_dev %p → boolean text', (isDev) => {
    expect(problem(base({ is_dev: isDev }))).toBe('events[0]: is_dev must be a boolean');
  });
});

describe('validateEvent — rule 15: custom_attributes', () => {
  const manyKeys = (n: number, value: unknown = 'v'): Raw => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));

  it.each([[[]], [['a']], ['attrs'], [5], [true]])('%p → object text', (attrs) => {
    expect(problem(base({ custom_attributes: attrs }))).toBe('events[0]: custom_attributes must be an object');
  });

  it('accepts 50 keys, rejects 51', () => {
    expect(Object.keys(accepted(base({ custom_attributes: manyKeys(50) })).customAttributes ?? {})).toHaveLength(50);
    expect(problem(base({ custom_attributes: manyKeys(51) }))).toBe('events[0]: custom_attributes must have at most 50 keys');
  });

  it('counts null-valued keys towards the 50 even though they are dropped', () => {
    expect(problem(base({ custom_attributes: manyKeys(51, null) }))).toBe('events[0]: custom_attributes must have at most 50 keys');
  });

  it('accepts 100-character keys, rejects 101', () => {
    const ok = 'k'.repeat(100);
    expect(accepted(base({ custom_attributes: { [ok]: 'v' } })).customAttributes).toEqual({ [ok]: 'v' });
    expect(problem(base({ custom_attributes: { ['k'.repeat(101)]: 'v' } }))).toBe(
      'events[0]: custom_attributes keys must be at most 100 characters',
    );
    expect(accepted(base({ custom_attributes: { [EMOJI.repeat(100)]: 'v' } })).customAttributes).toEqual({
      [EMOJI.repeat(100)]: 'v',
    });
  });

  it.each([[{}], [[]], [['a']], [{ nested: 'x' }]])('value %p → values text', (value) => {
    expect(problem(base({ custom_attributes: { a: 'ok', b: value } }))).toBe(
      'events[0]: custom_attributes values must be strings, numbers or booleans',
    );
  });

  it('rejects non-finite numbers an untyped caller might pass', () => {
    for (const n of [NaN, Infinity, -Infinity]) {
      expect(problem(base({ custom_attributes: { a: n } }))).toBe(
        'events[0]: custom_attributes values must be strings, numbers or booleans',
      );
    }
  });

  it('converts numbers and booleans to their JSON text and drops nulls', () => {
    expect(
      accepted(
        base({
          custom_attributes: {
            int: 3,
            float: 1.5,
            neg: -2,
            zero: 0,
            big: 1e21,
            small: 1e-7,
            yes: true,
            no: false,
            gone: null,
            text: 'x',
            empty: '',
          },
        }),
      ).customAttributes,
    ).toEqual({
      int: '3',
      float: '1.5',
      neg: '-2',
      zero: '0',
      big: '1e+21',
      small: '1e-7',
      yes: 'true',
      no: 'false',
      text: 'x',
      empty: '',
    });
  });

  it('matches JSON.stringify for every number it converts', () => {
    const nums = [3, 1.5, -0, 0.1 + 0.2, 123456789012345680000, 5e-324, -1.7976931348623157e308];
    const out = accepted(base({ custom_attributes: Object.fromEntries(nums.map((n, i) => [`n${i}`, n])) })).customAttributes as Record<
      string,
      string
    >;
    nums.forEach((n, i) => expect(out[`n${i}`]).toBe(JSON.stringify(n)));
  });

  it('cuts string values to their first 200 code points', () => {
    const out = accepted(
      base({
        custom_attributes: {
          exact: 'a'.repeat(200),
          long: 'b'.repeat(201),
          owls: EMOJI.repeat(250),
          mixed: 'c'.repeat(199) + EMOJI + EMOJI,
        },
      }),
    ).customAttributes;
    expect(out).toEqual({
      exact: 'a'.repeat(200),
      long: 'b'.repeat(200),
      owls: EMOJI.repeat(200),
      mixed: 'c'.repeat(199) + EMOJI,
    });
  });

  it('stores {} as {}', () => {
    expect(accepted(base({ custom_attributes: {} })).customAttributes).toEqual({});
    expect(accepted(base({ custom_attributes: { only: null } })).customAttributes).toEqual({});
  });

  it('does not keep a reference to the input object', () => {
    const attrs = { a: 'x' };
    const out = accepted(base({ custom_attributes: attrs })).customAttributes;
    expect(out).not.toBe(attrs);
    expect(out).toEqual({ a: 'x' });
  });
});

describe('validateEvent — rule 16: experiments', () => {
  const manyKeys = (n: number): Raw => Object.fromEntries(Array.from({ length: n }, (_, i) => [`e${i}`, 'a']));

  it.each([[[]], ['paywall=b'], [3], [false]])('%p → object text', (experiments) => {
    expect(problem(base({ experiments }))).toBe('events[0]: experiments must be an object');
  });

  it('accepts 50 keys, rejects 51', () => {
    expect(Object.keys(accepted(base({ experiments: manyKeys(50) })).experiments ?? {})).toHaveLength(50);
    expect(problem(base({ experiments: manyKeys(51) }))).toBe('events[0]: experiments must have at most 50 keys');
  });

  it('accepts 100-character keys, rejects 101', () => {
    expect(accepted(base({ experiments: { ['e'.repeat(100)]: 'a' } })).experiments).toEqual({
      ['e'.repeat(100)]: 'a',
    });
    expect(problem(base({ experiments: { ['e'.repeat(101)]: 'a' } }))).toBe('events[0]: experiments keys must be at most 100 characters');
  });

  it.each([[1], [true], [null], [{}], [['b']]])('value %p → values text', (value) => {
    expect(problem(base({ experiments: { paywall: value } }))).toBe(
      'events[0]: experiments values must be strings of at most 512 characters',
    );
  });

  it('accepts 512-character values (not truncated), rejects 513', () => {
    expect(accepted(base({ experiments: { x: 'v'.repeat(512) } })).experiments).toEqual({ x: 'v'.repeat(512) });
    expect(problem(base({ experiments: { x: 'v'.repeat(513) } }))).toBe(
      'events[0]: experiments values must be strings of at most 512 characters',
    );
  });

  it('keeps empty-string values and {}', () => {
    expect(accepted(base({ experiments: { x: '' } })).experiments).toEqual({ x: '' });
    expect(accepted(base({ experiments: {} })).experiments).toEqual({});
  });
});

describe('validateEvent — check order', () => {
  it('reports only the first failing rule, in table order 1..16', () => {
    // Every field wrong at once; fix one per step and the next rule's text appears.
    const raw: Raw = {
      message: 'm'.repeat(10_001),
      level: 'loud',
      session_id: 'nope',
      timestamp: 'later',
      environment: 'android',
      client_event_id: 'x',
      user_id: 1,
      is_dev: 'yes',
      custom_attributes: [],
      experiments: [],
    };
    const steps: [string, unknown, string][] = [
      ['message', 'ok', 'message must be at most 10000 characters'],
      ['level', 'warn', 'level must be one of info, debug, warn, error'],
      ['session_id', SESSION, 'session_id must be a valid UUID'],
      ['timestamp', at(0), 'timestamp must be a valid ISO 8601 date'],
      ['environment', 'ios', 'environment "android" is not allowed for apple apps (allowed: ios, ipados, macos)'],
      ['client_event_id', '3b8f2c71-9d4e-4a6b-8c15-7e2f0a9d6c34', 'client_event_id must be a valid UUID'],
      ['user_id', 'u', 'user_id must be a string'],
      ['is_dev', true, 'is_dev must be a boolean'],
      ['custom_attributes', { a: 1 }, 'custom_attributes must be an object'],
      ['experiments', { b: 'c' }, 'experiments must be an object'],
    ];
    for (const [field, fix, text] of steps) {
      expect(rejection(raw, 'apple', 3)).toEqual({ message: `events[3]: ${text}`, field });
      raw[field] = fix;
    }
    expect(accepted(raw).customAttributes).toEqual({ a: '1' });
  });

  it('names the failing field beside the text: `event` for a non-object, the wire name otherwise', () => {
    expect(rejection(null)).toEqual({ message: 'events[0]: event must be an object', field: 'event' });
    expect(rejection(base({ session_id: undefined })).field).toBe('session_id');
    expect(rejection(base({ timestamp: at(10 * 60_000) })).field).toBe('timestamp');
    expect(rejection(base({ environment: 'android' })).field).toBe('environment');
    expect(rejection(base({ locale: 'x'.repeat(513) }))).toEqual({
      message: 'events[0]: locale must be at most 512 characters',
      field: 'locale',
    });
    expect(rejection(base({ custom_attributes: { k: {} } })).field).toBe('custom_attributes');
    expect(rejection(base({ experiments: { k: 1 } })).field).toBe('experiments');
  });

  it('checks message before anything else and timestamp type before its window', () => {
    expect(problem({ level: 'nope' })).toBe('events[0]: message is required and must be a string');
    expect(problem(base({ timestamp: 5, environment: 1 }))).toBe('events[0]: timestamp must be a valid ISO 8601 date');
    expect(problem(base({ timestamp: at(10 * 60_000), environment: 1 }))).toBe(
      'events[0]: timestamp cannot be more than 5 minutes in the future',
    );
  });

  it('checks custom_attributes key count before key length before values', () => {
    const attrs: Raw = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, {}]));
    attrs['k'.repeat(101)] = 'v';
    expect(problem(base({ custom_attributes: attrs }))).toBe('events[0]: custom_attributes must have at most 50 keys');
    expect(problem(base({ custom_attributes: { ['k'.repeat(101)]: {} } }))).toBe(
      'events[0]: custom_attributes keys must be at most 100 characters',
    );
  });
});

describe('validateEvent — hostile input', () => {
  afterEach(() => {
    // Belt and braces: make sure no test leaves Object.prototype dirty for the next one.
    delete (Object.prototype as Raw).polluted;
  });

  it('cannot pollute Object.prototype through __proto__ or constructor keys', () => {
    // JSON.parse creates own "__proto__" properties, which is what an unfiltered parser would hand us.
    const raw: unknown = JSON.parse(`{
      "message": "hi", "level": "info", "session_id": "${SESSION}",
      "__proto__": { "polluted": "top" },
      "constructor": { "prototype": { "polluted": "ctor" } },
      "custom_attributes": {
        "__proto__": { "polluted": "attrs" },
        "constructor": { "prototype": { "polluted": "attrs-ctor" } },
        "ok": "yes"
      },
      "experiments": {
        "__proto__": "b",
        "constructor": { "prototype": { "polluted": "exp-ctor" } },
        "paywall": "a"
      }
    }`);
    const event = accepted(raw);

    expect(({} as Raw).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(event.customAttributes).toEqual({ ok: 'yes' });
    expect(event.experiments).toEqual({ paywall: 'a' });
    for (const map of [event.customAttributes, event.experiments]) {
      expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
      expect(Object.keys(map as object)).not.toContain('__proto__');
      expect(Object.keys(map as object)).not.toContain('constructor');
    }
  });

  it('keeps a harmless "constructor" attribute as an own string property', () => {
    const event = accepted(
      JSON.parse(`{"message":"hi","level":"info","session_id":"${SESSION}",
      "custom_attributes":{"constructor":"x","toString":5,"hasOwnProperty":true}}`),
    );
    expect(event.customAttributes).toEqual({ constructor: 'x', toString: '5', hasOwnProperty: 'true' });
    expect(Object.getPrototypeOf(event.customAttributes)).toBe(Object.prototype);
    expect(({} as Raw).constructor).toBe(Object);
  });

  it('does not count dropped __proto__ keys towards the 50-key limit', () => {
    const pairs = Array.from({ length: 50 }, (_, i) => `"k${i}":"v"`).join(',');
    const raw: unknown = JSON.parse(
      `{"message":"hi","level":"info","session_id":"${SESSION}","custom_attributes":{${pairs},"__proto__":"x"}}`,
    );
    expect(Object.keys(accepted(raw).customAttributes ?? {})).toHaveLength(50);
  });

  it('never reads inherited properties as fields', () => {
    const proto = { message: 'inherited', level: 'info', session_id: SESSION };
    expect(problem(Object.create(proto))).toBe('events[0]: message is required and must be a string');

    const inheritedEnv = Object.assign(Object.create({ environment: 'android', is_dev: 'x' }), base());
    expect(accepted(inheritedEnv)).toMatchObject({ environment: null, isDev: false });
  });

  it('survives Object.prototype already carrying field names', () => {
    (Object.prototype as Raw).polluted = 'x';
    const proto = Object.prototype as Raw;
    proto.level = 'error';
    try {
      expect(problem({ message: 'hi', session_id: SESSION })).toBe('events[0]: level must be one of info, debug, warn, error');
    } finally {
      delete proto.level;
    }
  });
});

describe('code-point helpers', () => {
  it('codePointLength counts astral characters once and lone surrogates once', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength(EMOJI)).toBe(1);
    expect(codePointLength(`a${EMOJI}b`)).toBe(3);
    expect(codePointLength('\uD83E')).toBe(1); // lone high surrogate
    expect(codePointLength('\uDD89x')).toBe(2); // lone low surrogate
    expect(codePointLength('é')).toBe(1); // precomposed
    expect(codePointLength('e\u0301')).toBe(2); // combining mark is its own code point
    const mixed = `x${EMOJI}\uD83E${EMOJI}yz`;
    expect(codePointLength(mixed)).toBe([...mixed].length);
  });

  it('exceedsCodePoints', () => {
    expect(exceedsCodePoints('abc', 3)).toBe(false);
    expect(exceedsCodePoints('abcd', 3)).toBe(true);
    expect(exceedsCodePoints(EMOJI.repeat(3), 3)).toBe(false);
    expect(exceedsCodePoints(EMOJI.repeat(4), 3)).toBe(true);
    expect(exceedsCodePoints('a'.repeat(7), 3)).toBe(true);
  });

  it('truncateCodePoints never splits a surrogate pair', () => {
    expect(truncateCodePoints('abc', 5)).toBe('abc');
    expect(truncateCodePoints('abcdef', 3)).toBe('abc');
    expect(truncateCodePoints(EMOJI.repeat(4), 3)).toBe(EMOJI.repeat(3));
    expect(truncateCodePoints(`ab${EMOJI}`, 3)).toBe(`ab${EMOJI}`);
    expect(truncateCodePoints(`ab${EMOJI}c`, 3)).toBe(`ab${EMOJI}`);
    expect(truncateCodePoints(`a${EMOJI}${EMOJI}`, 2)).toBe(`a${EMOJI}`);
    expect(truncateCodePoints('\uD83Eabc', 2)).toBe('\uD83Ea');
  });
});

describe('EVENT_ERRORS', () => {
  it('holds the exact §2.7 texts', () => {
    expect(EVENT_ERRORS.messageTooLong).toBe('message must be at most 10000 characters');
    expect(EVENT_ERRORS.attributesKeyCount).toBe('custom_attributes must have at most 50 keys');
    expect(EVENT_ERRORS.experimentsValue).toBe('experiments values must be strings of at most 512 characters');
    expect(EVENT_ERRORS.environmentNotAllowed('android', 'apple')).toBe(
      'environment "android" is not allowed for apple apps (allowed: ios, ipados, macos)',
    );
    expect(EVENT_ERRORS.fieldTooLong('locale')).toBe('locale must be at most 512 characters');
  });
});

describe('validateEvent — text as given', () => {
  // Text PostgreSQL cannot store (U+0000, lone surrogates) is replaced by the JSON parser before validation
  // (body-handling.spec.ts, and through HTTP in ingest-validation.e2e-spec.ts); validation stores strings as sent.
  it('keeps every stored string, map key and value as given', () => {
    const event = accepted(base({ message: 'a\uFFFDb', custom_attributes: { 'k\uFFFD': 'v', n: 1 }, experiments: { x: 'y\uFFFD' } }));
    expect(event.message).toBe('a\uFFFDb');
    expect(event.customAttributes).toEqual({ 'k\uFFFD': 'v', n: '1' });
    expect(event.experiments).toEqual({ x: 'y\uFFFD' });
  });

  it('measures lengths in code points', () => {
    expect(accepted(base({ message: '\uFFFD'.repeat(10_000) })).message).toBe('\uFFFD'.repeat(10_000));
    expect(problem(base({ message: '\uFFFD'.repeat(10_001) }))).toBe('events[0]: message must be at most 10000 characters');
  });
});
