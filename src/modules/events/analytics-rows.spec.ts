import { isFunnelMessage, metricFieldsOf, parseDurationMs, parseMetricMessage } from './analytics-rows';

describe('parseMetricMessage (§2.12.6 rule 1)', () => {
  it.each([
    ['metric:photo-upload:start', { slug: 'photo-upload', phase: 'start' }],
    ['metric:a:complete', { slug: 'a', phase: 'complete' }],
    ['metric:x-1:fail', { slug: 'x-1', phase: 'fail' }],
    ['metric:0:cancel', { slug: '0', phase: 'cancel' }],
    ['metric:login:record', { slug: 'login', phase: 'record' }],
    [`metric:${'a'.repeat(255)}:start`, { slug: 'a'.repeat(255), phase: 'start' }],
  ])('%s is a metric message', (message, expected) => {
    expect(parseMetricMessage(message)).toEqual(expected);
  });

  it.each([
    'metric:Photo:start',
    'metric:photo-upload:done',
    'metric:photo-upload',
    'metric::start',
    'metric:a:b:start',
    'Metric:x:start',
    'metric:x:Start',
    'metric:x:start ',
    'metric:x_y:start',
    'metric:ä:start',
    `metric:${'a'.repeat(256)}:start`,
    'track:x',
    'metric:',
    '',
  ])('%j is not', (message) => {
    expect(parseMetricMessage(message)).toBeNull();
  });
});

describe('parseDurationMs (§2.12.6 rule 4)', () => {
  it.each<[string | undefined, number | null]>([
    ['1250', 1250],
    ['12.9', 12],
    ['0', 0],
    ['0.5', 0],
    ['007', 7],
    ['2147483647', 2147483647],
    ['2147483647.99', 2147483647],
    ['2147483648', null],
    ['99999999999999999999999', null],
    ['-5', null],
    ['12ms', null],
    ['abc', null],
    ['', null],
    ['1.', null],
    ['.5', null],
    ['1e3', null],
    [' 12', null],
    [undefined, null],
  ])('%j → %j', (value, expected) => {
    expect(parseDurationMs(value)).toBe(expected);
  });
});

describe('metricFieldsOf', () => {
  it('takes tracking_id (lower-cased UUID), duration_ms and a non-empty error from the attributes', () => {
    expect(
      metricFieldsOf('metric:upload:fail', {
        tracking_id: '0F6C1D2E-1111-4222-8333-944455556666',
        duration_ms: '1250',
        error: 'Timeout',
        format: 'heic',
      }),
    ).toEqual({
      slug: 'upload',
      phase: 'fail',
      trackingId: '0f6c1d2e-1111-4222-8333-944455556666',
      durationMs: 1250,
      error: 'Timeout',
    });
  });

  it('an odd value only nulls its own field', () => {
    expect(metricFieldsOf('metric:upload:complete', { tracking_id: 'not-a-uuid', duration_ms: '12ms', error: '' })).toEqual({
      slug: 'upload',
      phase: 'complete',
      trackingId: null,
      durationMs: null,
      error: null,
    });
    expect(metricFieldsOf('metric:upload:start', null)).toEqual({
      slug: 'upload',
      phase: 'start',
      trackingId: null,
      durationMs: null,
      error: null,
    });
  });

  it('null for a plain message', () => {
    expect(metricFieldsOf('checkout_started', { duration_ms: '5' })).toBeNull();
  });
});

describe('isFunnelMessage (§2.13.5)', () => {
  it.each([
    ['track:welcome', true],
    ['track:x', true],
    ['track::', true],
    ['track:', false],
    ['Track:welcome', false],
    ['welcome', false],
    ['metric:a:start', false],
  ])('%j → %s', (message, expected) => {
    expect(isFunnelMessage(message)).toBe(expected);
  });
});
