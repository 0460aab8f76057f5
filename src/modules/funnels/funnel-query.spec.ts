import { parseConversionWindow, parseExperiment, parseGroupBy, stepAnalytics } from './funnel-query';

describe('parseExperiment', () => {
  it('splits at the first colon', () => {
    expect(parseExperiment('paywall:b')).toEqual({ name: 'paywall', variant: 'b' });
    expect(parseExperiment('a:b:c')).toEqual({ name: 'a', variant: 'b:c' });
    expect(parseExperiment('a::')).toEqual({ name: 'a', variant: ':' });
  });
  it.each(['paywall', ':b', 'a:', ':', ''])('refuses %p', (v) => expect(parseExperiment(v)).toBeNull());
});

describe('parseGroupBy', () => {
  it('knows the three forms and echoes the key', () => {
    expect(parseGroupBy('environment')).toEqual({ kind: 'environment', key: 'environment' });
    expect(parseGroupBy('app_version')).toEqual({ kind: 'app_version', key: 'app_version' });
    expect(parseGroupBy('experiment:paywall')).toEqual({ kind: 'experiment', key: 'experiment:paywall', name: 'paywall' });
    expect(parseGroupBy('experiment::x')).toEqual({ kind: 'experiment', key: 'experiment::x', name: ':x' });
  });
  it.each(['experiment:', 'experiment', 'Environment', 'app_id', 'device_model', 'time:day', ''])('refuses %p', (v) =>
    expect(parseGroupBy(v)).toBeNull(),
  );
});

describe('parseConversionWindow', () => {
  it.each([
    ['1', 1],
    ['2592000', 2_592_000],
    ['0060', 60],
  ])('accepts %p', (v, n) => expect(parseConversionWindow(v)).toBe(n));
  it.each(['0', '2592001', '-1', '+5', '1.5', '5.0', '1e3', ' 5', '5 ', 'abc', '', '99999999999999999999999', 'Infinity', '0x10'])(
    'refuses %p',
    (v) => expect(parseConversionWindow(v)).toBeNull(),
  );
});

describe('stepAnalytics', () => {
  it('computes percentages and drop-offs with one decimal', () => {
    expect(stepAnalytics(['Welcome', 'Pay', 'Done'], [6, 3, 1])).toEqual([
      { step_index: 0, step_name: 'Welcome', unique_users: 6, percentage: 100, drop_off_count: 0, drop_off_percentage: 0 },
      { step_index: 1, step_name: 'Pay', unique_users: 3, percentage: 50, drop_off_count: 3, drop_off_percentage: 50 },
      { step_index: 2, step_name: 'Done', unique_users: 1, percentage: 16.7, drop_off_count: 2, drop_off_percentage: 66.7 },
    ]);
  });
  it('answers zeros for an empty funnel and after a step nobody reached', () => {
    expect(stepAnalytics(['A', 'B', 'C'], [0, 0, 0]).map((s) => [s.percentage, s.drop_off_count, s.drop_off_percentage])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(stepAnalytics(['A', 'B', 'C'], [2, 0, 0])[2]).toEqual({
      step_index: 2,
      step_name: 'C',
      unique_users: 0,
      percentage: 0,
      drop_off_count: 0,
      drop_off_percentage: 0,
    });
  });
  it('keeps open-mode percentages above 100 and negative drop-offs as computed', () => {
    expect(stepAnalytics(['A', 'B'], [2, 3])[1]).toEqual({
      step_index: 1,
      step_name: 'B',
      unique_users: 3,
      percentage: 150,
      drop_off_count: -1,
      drop_off_percentage: -50,
    });
    expect(stepAnalytics(['A', 'B'], [0, 3])[1]).toEqual({
      step_index: 1,
      step_name: 'B',
      unique_users: 3,
      percentage: 0,
      drop_off_count: -3,
      drop_off_percentage: 0,
    });
  });
  it('rounds halves toward +∞ like Math.round', () => {
    // 1/8 = 12.5 % → 12.5; 1/16 = 6.25 % → 6.3; 3/16 = 18.75 % → 18.8
    expect(stepAnalytics(['A', 'B'], [8, 1])[1].percentage).toBe(12.5);
    expect(stepAnalytics(['A', 'B'], [16, 1])[1].percentage).toBe(6.3);
    expect(stepAnalytics(['A', 'B'], [16, 3])[1].percentage).toBe(18.8);
    expect(stepAnalytics(['A', 'B'], [16, 15])[1].drop_off_percentage).toBe(6.3);
  });
});
