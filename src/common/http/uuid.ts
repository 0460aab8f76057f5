/**
 * UUID input rule (SPEC §1.3): any 8-4-4-4-12 string of hex digits, any version or variant, either case.
 * `00000000-0000-0000-0000-000000000001` is valid. Callers lower-case before storing or comparing.
 * (JS `$` without the `m` flag matches only at the very end, so a trailing newline is rejected.)
 */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && v.length === 36 && UUID_RE.test(v);
}
