/** Emails are trimmed and lower-cased wherever accepted (§1.2); valid = a string with `@`, at most 255 characters. */
export function normalizeEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  if (!email.includes('@') || [...email].length > 255) return null;
  return email;
}
