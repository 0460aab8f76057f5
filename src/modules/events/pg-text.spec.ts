import { pgSafeText } from './pg-text';

describe('pgSafeText', () => {
  it('returns ordinary text unchanged (same instance)', () => {
    const s = 'checkout_started ünïcödé';
    expect(pgSafeText(s)).toBe(s);
  });

  it('keeps well-formed surrogate pairs', () => {
    expect(pgSafeText('a\u{1F989}b')).toBe('a\u{1F989}b');
  });

  it('replaces NUL and lone surrogates with U+FFFD, one for one', () => {
    expect(pgSafeText('a\u0000b')).toBe('a\uFFFDb');
    expect(pgSafeText('\ud800')).toBe('\uFFFD');
    expect(pgSafeText('x\udc00y')).toBe('x\uFFFDy');
    expect(pgSafeText('\ud800\ud800\udc00')).toBe('\uFFFD\u{10000}');
    expect(pgSafeText('\udc00\ud800')).toBe('\uFFFD\uFFFD');
  });
});
