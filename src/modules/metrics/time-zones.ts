/**
 * `tz` of the aggregation query (B19). A name is accepted when PostgreSQL knows it (it is one of
 * `pg_timezone_names`, so `AT TIME ZONE` / `date_trunc(…, tz)` can never fail on it) AND the platform's IANA
 * data (Intl) knows it — which excludes PostgreSQL's extras that are not IANA zone names (`posix/…`,
 * `Factory`, `localtime`, `posixrules`) and POSIX-style specs such as `UTC+3` (never in `pg_timezone_names`).
 * Lookup is case-insensitive (as both PostgreSQL and Intl are); the name handed to SQL is PostgreSQL's spelling.
 */
export type ZoneIndex = ReadonlyMap<string, string>;

/** Builds the case-insensitive index from PostgreSQL's zone names. */
export function zoneIndexOf(pgZoneNames: readonly string[]): ZoneIndex {
  const index = new Map<string, string>();
  for (const name of pgZoneNames) index.set(name.toLowerCase(), name);
  return index;
}

export function knownToIntl(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    // RangeError: not a zone the platform knows.
    return false;
  }
}

/** PostgreSQL's spelling of `tz`, or null when it is not a valid IANA time zone for both sides. */
export function resolveTimeZone(tz: string, index: ZoneIndex): string | null {
  if (tz.length === 0 || tz.length > 64) return null;
  const name = index.get(tz.toLowerCase());
  if (name === undefined) return null;
  return knownToIntl(name) ? name : null;
}
