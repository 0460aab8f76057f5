import { DEFAULT_LIMIT, MAX_LIMIT, decodeCursor, encodeCursor, normalizeLimit, pageOf } from './pagination';

describe('normalizeLimit', () => {
  it('exports the contract constants', () => {
    expect(DEFAULT_LIMIT).toBe(50);
    expect(MAX_LIMIT).toBe(200);
  });

  it.each<[unknown, number]>([
    [undefined, 50],
    [null, 50],
    ['', 50],
    [' ', 50], // Number(" ") is 0 → 50
    ['3abc', 50],
    ['abc', 50],
    ['NaN', 50],
    ['Infinity', 50], // non-finite → 50, not 200
    ['-Infinity', 50],
    ['1e9', 200],
    ['0.5', 50], // floor → 0 → 50
    ['0', 50],
    ['-0', 50],
    ['-3', 1],
    ['-0.5', 1], // floor → -1 → 1
    ['1', 1],
    ['1.9', 1],
    ['10', 10],
    ['49.99', 49],
    ['199', 199],
    ['200', 200],
    ['201', 200],
    ['0x10', 16], // Number() semantics, as the contract says
    [' 25 ', 25],
    [25, 25],
    [0, 50],
    [1000, 200],
    [-7, 1],
    [NaN, 50],
    [Infinity, 50],
    [true, 50],
    [['5'], 50],
    [{}, 50],
  ])('%j → %i', (raw, expected) => {
    expect(normalizeLimit(raw)).toBe(expected);
  });
});

describe('encodeCursor / decodeCursor', () => {
  const ts = new Date('2024-03-08T14:21:59.120Z');
  const id = '0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f';

  it('encodes "<ISO ms>|<uuid>" with a lower-cased id', () => {
    expect(encodeCursor(ts, id)).toBe('2024-03-08T14:21:59.120Z|0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f');
    expect(encodeCursor(ts, id.toUpperCase())).toBe('2024-03-08T14:21:59.120Z|0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f');
    expect(encodeCursor(new Date(Date.UTC(2024, 0, 1)), id)).toBe(`2024-01-01T00:00:00.000Z|${id}`);
  });

  it('round-trips', () => {
    expect(decodeCursor(encodeCursor(ts, id))).toEqual({ timestamp: ts, id });
  });

  it('lower-cases the id it decodes', () => {
    expect(decodeCursor(`2024-03-08T14:21:59.120Z|${id.toUpperCase()}`)).toEqual({ timestamp: ts, id });
  });

  it('accepts a bare timestamp as "strictly older than this instant"', () => {
    expect(decodeCursor('2024-03-08T14:21:59.120Z')).toEqual({ timestamp: ts, id: null });
    expect(decodeCursor('2024-03-08T15:21:59.120+01:00')).toEqual({ timestamp: ts, id: null });
    expect(decodeCursor('2024-03-08')).toEqual({ timestamp: new Date(Date.UTC(2024, 2, 8)), id: null });
  });

  it('accepts any §1.3 timestamp in front of the id, truncated to ms', () => {
    expect(decodeCursor(`2024-03-08T14:21:59.1209999Z|${id}`)).toEqual({ timestamp: ts, id });
  });

  it.each([
    '',
    'garbage',
    '|',
    `|${id}`,
    '2024-03-08T14:21:59.120Z|',
    '2024-03-08T14:21:59.120Z|not-a-uuid',
    `2024-03-08T14:21:59.120Z|${id}|${id}`,
    `2024-03-08T14:21:59.120Z||${id}`,
    `${id}|2024-03-08T14:21:59.120Z`,
    `2024-02-30T00:00:00Z|${id}`,
    `2024-03-08T14:21:59.120Z |${id}`,
    `2024-03-08T14:21:59.120Z| ${id}`,
    `2024-03-08T14:21:59.120Z,${id}`,
    '1709907719120',
    'MjAyNC0wMy0wOFQxNDoyMTo1OS4xMjBa',
  ])('rejects %j', (raw) => {
    expect(decodeCursor(raw)).toBeNull();
  });

  it('rejects a non-string passed in from an untyped caller', () => {
    expect(decodeCursor(undefined as unknown as string)).toBeNull();
    expect(decodeCursor(['a'] as unknown as string)).toBeNull();
  });
});

describe('pageOf', () => {
  interface Row {
    at: Date;
    id: string;
    n: number;
  }
  const row = (n: number): Row => ({
    at: new Date(Date.UTC(2024, 0, 1, 0, 0, 100 - n)),
    id: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    n,
  });
  const key = (r: Row) => ({ timestamp: r.at, id: r.id });
  const rows = (count: number): Row[] => Array.from({ length: count }, (_, i) => row(i + 1));

  it('returns every row with no cursor when fewer than limit came back', () => {
    const input = rows(3);
    expect(pageOf(input, 5, key)).toEqual({ items: input, cursor: null, has_more: false });
  });

  it('returns every row with no cursor when exactly limit came back', () => {
    const input = rows(5);
    expect(pageOf(input, 5, key)).toEqual({ items: input, cursor: null, has_more: false });
  });

  it('drops the probe row and points the cursor at the last returned item', () => {
    const input = rows(6);
    const page = pageOf(input, 5, key);
    expect(page.items.map((r) => r.n)).toEqual([1, 2, 3, 4, 5]);
    expect(page.has_more).toBe(true);
    expect(page.cursor).toBe('2024-01-01T00:01:35.000Z|00000000-0000-0000-0000-000000000005');
    expect(decodeCursor(page.cursor as string)).toEqual({ timestamp: input[4].at, id: input[4].id });
  });

  it('works with limit 1', () => {
    const page = pageOf(rows(2), 1, key);
    expect(page.items.map((r) => r.n)).toEqual([1]);
    expect(page.cursor).toBe('2024-01-01T00:01:39.000Z|00000000-0000-0000-0000-000000000001');
    expect(page.has_more).toBe(true);
  });

  it('handles an empty result', () => {
    expect(pageOf([], 50, key)).toEqual({ items: [], cursor: null, has_more: false });
  });

  it('does not mutate the input', () => {
    const input = rows(4);
    pageOf(input, 3, key);
    expect(input).toHaveLength(4);
  });

  it.each([0, -1, 1.5, NaN])('refuses limit %p as a programming error', (limit) => {
    expect(() => pageOf(rows(2), limit, key)).toThrow(RangeError);
  });
});
