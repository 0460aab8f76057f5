import { assertSafePartition, partitionFor, partitionsAround } from './event-partitions';

describe('event partitions', () => {
  it('names a month and bounds it in UTC', () => {
    expect(partitionFor(new Date('2026-11-30T23:59:59.999Z'))).toEqual({
      name: 'events_y2026m11',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
  });

  it('covers the previous, current and next two months, across a year boundary', () => {
    expect(partitionsAround(new Date('2026-12-15T08:00:00Z')).map((p) => [p.name, p.from, p.to])).toEqual([
      ['events_y2026m11', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
      ['events_y2026m12', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
      ['events_y2027m01', '2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z'],
      ['events_y2027m02', '2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z'],
    ]);
    expect(partitionsAround(new Date('2027-01-01T00:00:00.000Z')).map((p) => p.name)).toEqual([
      'events_y2026m12',
      'events_y2027m01',
      'events_y2027m02',
      'events_y2027m03',
    ]);
  });

  it('accepts what it generates and refuses anything else', () => {
    for (const p of partitionsAround(new Date())) expect(() => assertSafePartition(p)).not.toThrow();
    const good = partitionFor(new Date('2026-01-10T00:00:00Z'));
    expect(() => assertSafePartition({ ...good, name: 'events_y2026m13' })).toThrow('unsafe partition');
    expect(() => assertSafePartition({ ...good, name: 'events; DROP TABLE events' })).toThrow('unsafe partition');
    expect(() => assertSafePartition({ ...good, name: 'events_y2026m01 ' })).toThrow('unsafe partition');
    expect(() => assertSafePartition({ ...good, from: "2026-01-01') TO ('x" })).toThrow('unsafe partition');
    expect(() => assertSafePartition({ ...good, to: '2026-02-02T00:00:00.000Z' })).toThrow('unsafe partition');
  });
});
