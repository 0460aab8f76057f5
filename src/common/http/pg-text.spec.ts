import { pgSafeText } from './pg-text';

describe('pgSafeText', () => {
  it('returns ordinary text unchanged', () => {
    expect(pgSafeText('Acme iOS ünïcödé 🦉')).toBe('Acme iOS ünïcödé 🦉');
  });

  it('replaces NUL and lone surrogates one for one', () => {
    expect(pgSafeText('a\u0000b')).toBe('a\uFFFDb');
    expect(pgSafeText('\ud800x')).toBe('\uFFFDx');
    expect(pgSafeText('x\udc00')).toBe('x\uFFFD');
    expect(pgSafeText('\ud800\ud83e\udd89')).toBe('\uFFFD🦉');
  });
});
