import { MAX_EMAIL_CHARS, parseEmail } from './email';

describe('parseEmail (§1.11 "One email address")', () => {
  it.each([
    ['ada@example.com', 'ada@example.com'],
    ['  Ada.L@Example.COM \t', 'ada.l@example.com'],
    ['a+tag@sub.example.co.uk', 'a+tag@sub.example.co.uk'],
    ["o'brien@example.com", "o'brien@example.com"],
    ['x@a.b', 'x@a.b'],
    ['ünï@exämple.de', 'ünï@exämple.de'],
  ])('%j → %j', (input, expected) => {
    expect(parseEmail(input)).toBe(expected);
  });

  it('accepts 255 characters and refuses 256 (code points)', () => {
    const at255 = `${'a'.repeat(MAX_EMAIL_CHARS - '@example.com'.length)}@example.com`;
    expect(parseEmail(at255)).toBe(at255);
    expect(parseEmail(`a${at255}`)).toBeNull();
    const astral = `${'😀'.repeat(MAX_EMAIL_CHARS - '@example.com'.length)}@example.com`;
    expect(parseEmail(astral)).toBe(astral);
  });

  it.each([
    '',
    '   ',
    'plain',
    '@example.com',
    'ada@',
    'ada@example',
    'ada@@example.com',
    'a@b@example.com',
    'ada@.example.com',
    'ada@example..com',
    'ada@example.com.',
    'victim@example.com,attacker@evil.example',
    'victim@example.com;attacker@evil.example',
    'victim@example.com attacker@evil.example',
    'v@example.com\r\nBcc: x@evil.example',
    'v@example.com\nx@evil.example',
    'v@exa\u0000mple.com',
    'v@exa\u007fmple.com',
    'v@exa\u0085mple.com',
    'v@exa\u2028mple.com',
    'v@exa\u00a0mple.com',
    'Ada <ada@example.com>',
    '<ada@example.com>',
    'ada@example.com (Ada)',
    '"ada"@example.com',
    'ada@[127.0.0.1]',
    'a\\b@example.com',
  ])('%j → null', (input) => {
    expect(parseEmail(input)).toBeNull();
  });

  it.each([undefined, null, 5, true, {}, ['ada@example.com']])('non-string %p → null', (input) => {
    expect(parseEmail(input)).toBeNull();
  });
});
