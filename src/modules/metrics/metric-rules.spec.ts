import { MetricErrors } from './metrics.errors';
import { MetricStatus, isGroupBy, isMetricSlug, parseDefinitionPatch, round2, round2OrNull, sameJson, successRate } from './metric-rules';
import { resolveTimeZone, zoneIndexOf } from './time-zones';

describe('metric slug', () => {
  it.each(['photo-upload', 'a', '0', 'a-b-9', '-'])('accepts %j', (s) => expect(isMetricSlug(s)).toBe(true));
  it.each(['Photo', 'a_b', 'a b', '', 'ä', 'a:b', 'a\n'])('rejects %j', (s) => expect(isMetricSlug(s)).toBe(false));
});

describe('parseDefinitionPatch', () => {
  const err = (body: Record<string, unknown>) => {
    const r = parseDefinitionPatch(body);
    return r.ok ? null : r.error;
  };
  const patch = (body: Record<string, unknown>) => {
    const r = parseDefinitionPatch(body);
    if (!r.ok) throw new Error(r.error);
    return r.patch;
  };

  it('needs one of the six fields; null/"" name or status do not count, unknown fields and slug are ignored', () => {
    for (const body of [{}, { slug: 'x' }, { name: null }, { name: '' }, { status: '' }, { status: null, foo: 1 }]) {
      expect(err(body)).toBe(MetricErrors.updateRequired);
    }
  });

  it('treats null and "" as values of the nullable fields', () => {
    expect(patch({ description: null })).toEqual({ description: null });
    expect(patch({ description: '' })).toEqual({ description: '' });
    expect(patch({ documentation: null, schema_definition: null, aggregation_rules: null })).toEqual({
      documentation: null,
      schemaDefinition: null,
      aggregationRules: null,
    });
    expect(patch({ name: 'N', status: 'paused', schema_definition: { a: [1] } })).toEqual({
      name: 'N',
      status: MetricStatus.Paused,
      schemaDefinition: { a: [1] },
    });
    expect(patch({ name: null, description: 'd' })).toEqual({ description: 'd' });
  });

  it('checks types and lengths in field order, then the status enum', () => {
    expect(err({ name: 5, description: 5 })).toBe('name must be a string');
    expect(err({ name: 'x'.repeat(256) })).toBe('name must be at most 255 characters');
    expect(err({ name: '🦉'.repeat(255) })).toBeNull();
    expect(err({ description: 5, documentation: 5 })).toBe('description must be a string');
    expect(err({ description: 'x'.repeat(10_001) })).toBe('description must be at most 10000 characters');
    expect(err({ documentation: 'x'.repeat(100_001) })).toBe('documentation must be at most 100000 characters');
    expect(err({ documentation: 'x'.repeat(100_000) })).toBeNull();
    expect(err({ schema_definition: [], aggregation_rules: 1 })).toBe('schema_definition must be an object');
    expect(err({ schema_definition: '' })).toBe('schema_definition must be an object');
    expect(err({ aggregation_rules: 'x' })).toBe('aggregation_rules must be an object');
    expect(err({ status: 'archived', name: 5 })).toBe('name must be a string');
    expect(err({ status: 5 })).toBe('status must be a string');
    expect(err({ status: 'archived' })).toBe(MetricErrors.status);
    expect(err({ status: 'Active' })).toBe(MetricErrors.status);
  });
});

describe('arithmetic', () => {
  it('rounds like Math.round(x * 100) / 100 (halves toward +∞)', () => {
    expect(round2(250.7142857)).toBe(250.71);
    expect(round2(1.005)).toBe(1); // 1.005 * 100 = 100.49999999999999 in doubles
    expect(round2(0.125)).toBe(0.13);
    expect(round2(-0.125)).toBe(-0.12);
    expect(round2OrNull(null)).toBeNull();
    expect(round2OrNull(0)).toBe(0);
  });

  it('success rate is a percentage with 2 decimals, null without complete or fail rows', () => {
    expect(successRate(0, 0)).toBeNull();
    expect(successRate(3, 3)).toBe(50);
    expect(successRate(2, 1)).toBe(66.67);
    expect(successRate(1, 2)).toBe(33.33);
    expect(successRate(0, 4)).toBe(0);
    expect(successRate(5, 0)).toBe(100);
  });

  it('compares JSON regardless of key order', () => {
    expect(sameJson({ a: 1, b: [1, { c: 2, d: null }] }, { b: [1, { d: null, c: 2 }], a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson('x', 'x')).toBe(true);
    expect(sameJson({}, [])).toBe(false);
  });

  it('knows the group_by keys', () => {
    for (const g of ['app_id', 'app_version', 'device_model', 'os_version', 'environment', 'time:hour', 'time:day', 'time:week']) {
      expect(isGroupBy(g)).toBe(true);
    }
    for (const g of ['time:month', 'user_id', 'Time:day', '', 'time']) expect(isGroupBy(g)).toBe(false);
  });
});

describe('tz validation', () => {
  // A slice of pg_timezone_names, with PostgreSQL's non-IANA extras.
  const index = zoneIndexOf([
    'UTC',
    'Europe/Berlin',
    'Asia/Kathmandu',
    'America/Sao_Paulo',
    'EST5EDT',
    'posix/Europe/Berlin',
    'Factory',
    'localtime',
    'posixrules',
  ]);

  it('accepts IANA names PostgreSQL knows, case-insensitively, in PostgreSQL spelling', () => {
    expect(resolveTimeZone('Europe/Berlin', index)).toBe('Europe/Berlin');
    expect(resolveTimeZone('europe/berlin', index)).toBe('Europe/Berlin');
    expect(resolveTimeZone('UTC', index)).toBe('UTC');
    expect(resolveTimeZone('Asia/Kathmandu', index)).toBe('Asia/Kathmandu');
    expect(resolveTimeZone('EST5EDT', index)).toBe('EST5EDT');
  });

  it.each([
    'posix/Europe/Berlin',
    'Factory',
    'localtime',
    'posixrules', // PostgreSQL-only names Intl refuses
    'Mars/Olympus',
    'UTC+3',
    '+05:00',
    'Europe/Berlin ',
    "UTC'; DROP TABLE x; --",
    '',
    'x'.repeat(200),
    'America/New_York', // a real zone, but not in this (test) PostgreSQL list
  ])('refuses %j', (tz) => expect(resolveTimeZone(tz, index)).toBeNull());
});
