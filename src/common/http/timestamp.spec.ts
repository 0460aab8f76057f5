import { parseTimestamp, toIso, toIsoOrNull } from './timestamp';

const iso = (v: unknown): string | null => {
  const d = parseTimestamp(v);
  return d === null ? null : d.toISOString();
};

describe('parseTimestamp', () => {
  describe('accepted forms', () => {
    it.each([
      ['2024-03-08T14:22:05.417Z', '2024-03-08T14:22:05.417Z'],
      ['2024-03-08T14:22:05Z', '2024-03-08T14:22:05.000Z'],
      ['2024-03-08T14:22:05', '2024-03-08T14:22:05.000Z'], // no zone = UTC
      ['2024-03-08T14:22:05.4', '2024-03-08T14:22:05.400Z'],
      ['2024-03-08T14:22:05.41Z', '2024-03-08T14:22:05.410Z'],
      ['2024-03-08', '2024-03-08T00:00:00.000Z'], // plain date = midnight UTC
      ['2024-03-08T14:22:05+02:00', '2024-03-08T12:22:05.000Z'],
      ['2024-03-08T14:22:05.417-05:30', '2024-03-08T19:52:05.417Z'],
      ['2024-03-08T00:30:00+01:00', '2024-03-07T23:30:00.000Z'], // offset crosses the day
      ['2024-03-08T14:22:05-00:00', '2024-03-08T14:22:05.000Z'],
      ['2024-03-08T14:22:05+23:59', '2024-03-07T14:23:05.000Z'],
      ['2024-02-29T23:59:59.999Z', '2024-02-29T23:59:59.999Z'], // leap day
      ['2000-02-29', '2000-02-29T00:00:00.000Z'], // divisible by 400: leap
      ['2024-12-31T23:59:59Z', '2024-12-31T23:59:59.000Z'],
      ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
      ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ])('%s → %s', (input, expected) => {
      expect(iso(input)).toBe(expected);
    });

    it('truncates (never rounds) a longer fraction to milliseconds', () => {
      expect(iso('2024-03-08T14:22:05.4179Z')).toBe('2024-03-08T14:22:05.417Z');
      expect(iso('2024-03-08T14:22:05.999999999Z')).toBe('2024-03-08T14:22:05.999Z');
      expect(iso('2024-03-08T14:22:05.0009Z')).toBe('2024-03-08T14:22:05.000Z');
      expect(iso('2024-12-31T23:59:59.99999999999999999999Z')).toBe('2024-12-31T23:59:59.999Z');
    });

    it('keeps years below 100 literal (Date.UTC would map them to 19xx)', () => {
      expect(iso('0050-06-15T12:00:00Z')).toBe('0050-06-15T12:00:00.000Z');
      expect(iso('0004-02-29')).toBe('0004-02-29T00:00:00.000Z');
      expect(iso('0001-01-01')).toBe('0001-01-01T00:00:00.000Z');
      expect(iso('0001-01-01T00:59:00+00:59')).toBe('0001-01-01T00:00:00.000Z');
      expect(iso('9999-12-31T23:59:59.999Z')).toBe('9999-12-31T23:59:59.999Z');
      expect(iso('9999-12-31T00:00:00-23:59')).toBe('9999-12-31T23:59:00.000Z');
    });

    it('returns a fresh Date each call', () => {
      const a = parseTimestamp('2024-03-08');
      const b = parseTimestamp('2024-03-08');
      expect(a).not.toBe(b);
      expect(a?.getTime()).toBe(Date.UTC(2024, 2, 8));
    });
  });

  describe('rejected input', () => {
    it.each([
      '',
      'now',
      '2024-02-30', // no such day
      '2023-02-29', // not a leap year
      '1900-02-29', // divisible by 100, not by 400
      '2024-04-31',
      '2024-13-01',
      '2024-00-10',
      '2024-01-00',
      '2024-01-32',
      '2024-03-08T25:00:00Z',
      '2024-03-08T24:00:00Z',
      '2024-03-08T23:60:00Z',
      '2024-03-08T23:59:60Z', // leap second
      '2024-03-08T14:22:05+24:00',
      '2024-03-08T14:22:05+02:60',
      '2024-03-08T14:22:05+0200', // offset without colon
      '2024-03-08T14:22:05+02',
      '2024-03-08T14:22:05.Z', // empty fraction
      '2024-03-08T14:22:05.',
      '2024-03-08T14:22Z', // seconds required
      '2024-03-08T14:22',
      '2024-03-08T',
      '2024-03-08 14:22:05Z', // space separator
      '2024-03-08t14:22:05z', // lower-case T/Z
      '2024-03-08T14:22:05z',
      '2024-03-08t14:22:05Z',
      '2024-3-8',
      '24-03-08',
      '+002024-03-08T00:00:00Z', // expanded years
      '2024-03-08Z', // zone on a plain date
      ' 2024-03-08',
      '2024-03-08 ',
      '2024-03-08\n',
      '2024-03-08T14:22:05.417ZZ',
      'Fri, 08 Mar 2024 14:22:05 GMT',
      '1709907725417', // epoch digits as a string
      '２０２４-03-08', // non-ASCII digits
      // instants outside UTC years 1–9999 (no 4-digit rendering; PostgreSQL rejects the text)
      '0000-01-01',
      '0000-02-29T01:02:03.004Z',
      '0000-01-01T00:00:00Z',
      '0001-01-01T00:00:00+01:00',
      '0001-01-01T00:59:59.999+01:00',
      '9999-12-31T23:59:59-23:59',
      '9999-12-31T23:00:00-01:00',
    ])('%j → null', (input) => {
      expect(parseTimestamp(input)).toBeNull();
    });

    it.each([undefined, null, 1709907725417, true, {}, [], ['2024-03-08'], new Date('2024-03-08T00:00:00Z')])(
      'non-string %p → null',
      (input) => {
        expect(parseTimestamp(input)).toBeNull();
      },
    );
  });
});

describe('toIso / toIsoOrNull', () => {
  it('prints UTC with exactly three fractional digits', () => {
    expect(toIso(new Date(Date.UTC(2024, 2, 8, 14, 22, 5, 417)))).toBe('2024-03-08T14:22:05.417Z');
    expect(toIso(new Date(Date.UTC(2024, 2, 8, 14, 22, 5, 0)))).toBe('2024-03-08T14:22:05.000Z');
    expect(toIso(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });

  it('round-trips with parseTimestamp', () => {
    const s = '2024-03-08T14:22:05.417Z';
    const d = parseTimestamp(s);
    expect(d).not.toBeNull();
    expect(toIso(d as Date)).toBe(s);
  });

  it('maps null and undefined to null', () => {
    expect(toIsoOrNull(null)).toBeNull();
    expect(toIsoOrNull(undefined)).toBeNull();
    expect(toIsoOrNull(new Date(Date.UTC(2024, 0, 1)))).toBe('2024-01-01T00:00:00.000Z');
  });
});
