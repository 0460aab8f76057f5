import { isoOfPgTimestamptz } from './events.repository';

describe('isoOfPgTimestamptz (GET /v1/events timestamps as wire text)', () => {
  it('turns PostgreSQL UTC output into what Date.prototype.toISOString() writes', () => {
    for (const [pg, iso] of [
      ['2024-03-08 14:22:05.417+00', '2024-03-08T14:22:05.417Z'],
      ['2024-03-08 14:22:05.41+00', '2024-03-08T14:22:05.410Z'],
      ['2024-03-08 14:22:05.4+00', '2024-03-08T14:22:05.400Z'],
      ['2024-03-08 14:22:05+00', '2024-03-08T14:22:05.000Z'],
    ]) {
      expect(isoOfPgTimestamptz(pg)).toBe(iso);
    }
  });

  it('falls back to a Date for other offsets', () => {
    expect(isoOfPgTimestamptz('2024-03-08 15:22:05.417+01')).toBe('2024-03-08T14:22:05.417Z');
    expect(isoOfPgTimestamptz('2024-03-08 19:52:05.417+05:30')).toBe('2024-03-08T14:22:05.417Z');
  });
});
