import { MAX_FUNNEL_STEPS, couldBeStoredSlug, isFunnelSlug, parseSteps } from './funnel-steps';

const step = (over: Record<string, unknown> = {}) => ({ name: 'Welcome', event_filter: { message: 'track:welcome' }, ...over });

describe('parseSteps', () => {
  it('keeps exactly {name, event_filter} with the supplied non-empty filter fields, message first', () => {
    expect(
      parseSteps([
        { name: 'A', event_filter: { screen_name: 'Pay', message: 'track:a', extra: 1 }, extra: true },
        { name: 'B', event_filter: { message: '', screen_name: 'S' } },
        { name: 'C', event_filter: { message: 'track:c', screen_name: null } },
      ]),
    ).toEqual({
      steps: [
        { name: 'A', event_filter: { message: 'track:a', screen_name: 'Pay' } },
        { name: 'B', event_filter: { screen_name: 'S' } },
        { name: 'C', event_filter: { message: 'track:c' } },
      ],
    });
    const [a] = parseSteps([{ name: 'A', event_filter: { screen_name: 'Pay', message: 'track:a' } }]).steps!;
    expect(Object.keys(a.event_filter)).toEqual(['message', 'screen_name']);
  });

  it.each([
    [undefined, 'steps must be a non-empty array'],
    [null, 'steps must be a non-empty array'],
    ['x', 'steps must be a non-empty array'],
    [{ 0: step() }, 'steps must be a non-empty array'],
    [[], 'steps must be a non-empty array'],
    [Array.from({ length: MAX_FUNNEL_STEPS + 1 }, () => 'junk'), 'Maximum 20 steps allowed'],
    [[null], 'steps[0]: must be an object'],
    [[step(), []], 'steps[1]: must be an object'],
    [[step(), 'a'], 'steps[1]: must be an object'],
    [[{ event_filter: { message: 'x' } }], 'steps[0]: name is required'],
    [[step({ name: '' })], 'steps[0]: name is required'],
    [[step({ name: 5 })], 'steps[0]: name is required'],
    [[step({ name: 'x'.repeat(256) })], 'steps[0]: name must be at most 255 characters'],
    [[step({ event_filter: undefined })], 'steps[0]: event_filter is required'],
    [[step({ event_filter: null })], 'steps[0]: event_filter is required'],
    [[step({ event_filter: [] })], 'steps[0]: event_filter is required'],
    [[step({ event_filter: 'track:a' })], 'steps[0]: event_filter is required'],
    [[step({ event_filter: { message: 5 } })], 'steps[0]: event_filter.message must be a string'],
    [[step({ event_filter: { message: 'x', screen_name: 5 } })], 'steps[0]: event_filter.screen_name must be a string'],
    [[step({ event_filter: { message: ['x'], screen_name: 5 } })], 'steps[0]: event_filter.message must be a string'],
    [[step({ event_filter: {} })], 'steps[0]: event_filter must have at least message or screen_name'],
    [
      [step({ event_filter: { message: '', screen_name: null, other: 'x' } })],
      'steps[0]: event_filter must have at least message or screen_name',
    ],
    [[step({ event_filter: { message: 'x'.repeat(10_001) } })], 'steps[0]: event_filter.message must be at most 10000 characters'],
    [[step({ event_filter: { screen_name: 'x'.repeat(513) } })], 'steps[0]: event_filter.screen_name must be at most 512 characters'],
  ])('answers %j with %p', (steps, problem) => {
    expect(parseSteps(steps)).toEqual({ problem });
  });

  it('checks every rule of one entry before the next entry', () => {
    expect(parseSteps([step({ name: 'x'.repeat(300) }), null])).toEqual({ problem: 'steps[0]: name must be at most 255 characters' });
    expect(parseSteps([step(), step({ event_filter: {} }), null])).toEqual({
      problem: 'steps[1]: event_filter must have at least message or screen_name',
    });
  });

  it('counts code points, so 255 emoji make a valid name and 20 steps are allowed', () => {
    const name = '🦉'.repeat(255);
    expect(parseSteps([step({ name })]).steps).toEqual([{ name, event_filter: { message: 'track:welcome' } }]);
    expect(parseSteps([step({ name: `${name}a` })])).toEqual({ problem: 'steps[0]: name must be at most 255 characters' });
    expect(parseSteps([step({ event_filter: { screen_name: '🦉'.repeat(512) } })]).steps).toHaveLength(1);
    expect(parseSteps(Array.from({ length: 20 }, () => step())).steps).toHaveLength(20);
  });
});

describe('funnel slugs', () => {
  it.each(['onboarding', 'a', '0-9', '-'])('accepts %p', (slug) => expect(isFunnelSlug(slug)).toBe(true));
  it.each(['', 'Onboarding', 'on boarding', 'on_boarding', 'é', 'a\n'])('rejects %p', (slug) => expect(isFunnelSlug(slug)).toBe(false));
  it('knows a slug longer than 255 characters can never be stored', () => {
    expect(couldBeStoredSlug('a'.repeat(255))).toBe(true);
    expect(couldBeStoredSlug('a'.repeat(256))).toBe(false);
    expect(couldBeStoredSlug('a\u0000')).toBe(false);
  });
});
