/**
 * Timestamp input and output (SPEC §1.3).
 *
 * Accepted input, and nothing else:
 *   YYYY-MM-DD                                   → midnight UTC
 *   YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]     → no zone means UTC
 * The `T` and `Z` must be upper-case (the contract shows them so; lower-case, a space separator, `+HHMM`,
 * `24:00` and leap second `:60` are rejected). Each field is range-checked against the calendar, so
 * `2024-02-30` or `25:00:00` is invalid rather than rolled over as `Date.parse` would do. The fraction may
 * have any number of digits; it is truncated (never rounded) to milliseconds, because timestamps are
 * stored with millisecond precision and a value read back must equal what the API printed.
 */
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Instants outside these UTC years are refused: they have no §1.3 rendering and PostgreSQL rejects the text. */
const MIN_YEAR = 1;
const MAX_YEAR = 9999;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, month: number): number {
  return month === 2 && isLeapYear(y) ? 29 : DAYS_IN_MONTH[month - 1];
}

/** Milliseconds from the first (up to) three fraction digits, padded: "5" → 500, "41789" → 417. */
function fractionToMs(fraction: string | undefined): number {
  if (fraction === undefined) return 0;
  return Number(fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, '0'));
}

/** Minutes east of UTC for `Z`, `+HH:MM`, `-HH:MM`; null when out of range. */
function offsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return null;
  const total = hours * 60 + minutes;
  return zone.charCodeAt(0) === 45 /* '-' */ ? -total : total;
}

export function parseTimestamp(v: unknown): Date | null {
  if (typeof v !== 'string') return null;
  const m = TIMESTAMP_RE.exec(v);
  if (m === null) return null;

  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;

  let hour = 0;
  let minute = 0;
  let second = 0;
  if (m[4] !== undefined) {
    hour = Number(m[4]);
    minute = Number(m[5]);
    second = Number(m[6]);
    if (hour > 23 || minute > 59 || second > 59) return null;
  }
  const offset = offsetMinutes(m[8]);
  if (offset === null) return null;
  const ms = fractionToMs(m[7]);

  let epochMs: number;
  if (year >= 100) {
    epochMs = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  } else {
    // Date.UTC maps years 0–99 to 1900–1999; build in leap year 2000 (so Feb 29 survives) and set the
    // real year afterwards. Feb 29 only gets here when `year` is itself a leap year.
    const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
    d.setUTCFullYear(year);
    epochMs = d.getTime();
  }
  const at = new Date(epochMs - offset * 60_000);
  // The instant must be printable as a 4-digit-year ISO string, which is also what PostgreSQL is sent:
  // `0001-01-01T00:00:00+01:00` (year 0 in UTC) or `9999-12-31T23:59:59-23:59` (year 10000) are invalid.
  const utcYear = at.getUTCFullYear();
  return utcYear >= MIN_YEAR && utcYear <= MAX_YEAR ? at : null;
}

/** Wire format for every timestamp: ISO 8601, UTC, exactly three fractional digits. */
export function toIso(d: Date): string {
  return d.toISOString();
}

/** `null`, not absent, for a missing date: nullable fields are always present (§1.4). */
export function toIsoOrNull(d: Date | null | undefined): string | null {
  return d == null ? null : d.toISOString();
}
