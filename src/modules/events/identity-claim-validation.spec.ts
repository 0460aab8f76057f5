import { validateClaim } from './identity-claim-validation';

const problem = (body: Record<string, unknown>): string => {
  const r = validateClaim(body);
  if (r.ok) throw new Error('expected a problem');
  return r.message;
};

describe('validateClaim', () => {
  it('accepts a well-formed claim', () => {
    expect(validateClaim({ anonymous_id: 'owl_anon_abc', user_id: 'user-1' })).toEqual({
      ok: true,
      value: { anonymousId: 'owl_anon_abc', userId: 'user-1' },
    });
  });

  it.each([undefined, null, '', 5, true, {}, ['owl_anon_x']])('anonymous_id %p → required', (v) => {
    expect(problem({ anonymous_id: v, user_id: 'u' })).toBe('anonymous_id is required');
    expect(problem({ anonymous_id: v, user_id: 5 })).toBe('anonymous_id is required');
  });

  it.each([undefined, null, '', 5, false, {}, ['u']])('user_id %p → required', (v) => {
    expect(problem({ anonymous_id: 'owl_anon_x', user_id: v })).toBe('user_id is required');
    expect(problem({ anonymous_id: 'nope', user_id: v })).toBe('user_id is required');
  });

  it('checks the prefixes after both required checks, anonymous_id first', () => {
    expect(problem({ anonymous_id: 'anon_x', user_id: 'owl_anon_y' })).toBe('anonymous_id must start with "owl_anon_"');
    expect(problem({ anonymous_id: 'OWL_ANON_x', user_id: 'u' })).toBe('anonymous_id must start with "owl_anon_"');
    expect(problem({ anonymous_id: 'owl_anon_x', user_id: 'owl_anon_y' })).toBe('user_id must not start with anonymous prefix');
  });

  it('checks lengths last (512 code points)', () => {
    const long = 'owl_anon_' + 'a'.repeat(504);
    expect(problem({ anonymous_id: long, user_id: 'owl_anon_' })).toBe('user_id must not start with anonymous prefix');
    expect(problem({ anonymous_id: long, user_id: 'u'.repeat(513) })).toBe('anonymous_id must be at most 512 characters');
    expect(problem({ anonymous_id: long.slice(0, 512), user_id: 'u'.repeat(513) })).toBe('user_id must be at most 512 characters');
    expect(validateClaim({ anonymous_id: long.slice(0, 512), user_id: '\u{1F989}'.repeat(512) }).ok).toBe(true);
  });
});
