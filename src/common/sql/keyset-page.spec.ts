import { olderThanCursor, perAppNewestFirst } from './keyset-page';

const collector = () => {
  const params: unknown[] = [];
  return { params, param: (v: unknown) => `$${params.push(v)}` };
};

describe('olderThanCursor', () => {
  it('compares the (timestamp, id) pair strictly', () => {
    const c = collector();
    const sql = olderThanCursor(
      'e',
      { timestamp: new Date('2024-03-08T14:22:05.417Z'), id: '0b9e5c1a-7f3d-4e2a-9c41-2d7f8e6a5b10' },
      c.param,
    );
    expect(sql).toBe('(e."timestamp", e.id) < ($1::timestamptz, $2::uuid)');
    expect(c.params).toEqual(['2024-03-08T14:22:05.417Z', '0b9e5c1a-7f3d-4e2a-9c41-2d7f8e6a5b10']);
  });

  it('a bare timestamp cursor means strictly older than the instant', () => {
    const c = collector();
    expect(olderThanCursor('m', { timestamp: new Date('2024-03-08T00:00:00.000Z'), id: null }, c.param)).toBe(
      'm."timestamp" < $1::timestamptz',
    );
    expect(c.params).toEqual(['2024-03-08T00:00:00.000Z']);
  });
});

describe('perAppNewestFirst', () => {
  it('reads each app through its own range, then merges the heads with the same limit', () => {
    const sql = perAppNewestFirst({
      table: 'events',
      alias: 'e',
      columns: 'e.id',
      cond: ['e.app_id = a.id', 'e.level = $2'],
      scope: ['a.team_id = $1'],
      limit: '$3',
    });
    expect(sql.replace(/\s+/g, ' ')).toBe(
      'SELECT p.* FROM apps a CROSS JOIN LATERAL ( SELECT e.id FROM events e WHERE e.app_id = a.id AND e.level = $2 ' +
        'ORDER BY e."timestamp" DESC, e.id DESC LIMIT $3 ) p WHERE a.team_id = $1 ORDER BY p."timestamp" DESC, p.id DESC LIMIT $3',
    );
  });
});
