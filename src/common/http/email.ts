/**
 * The one email rule (SPEC §1.2, §1.11 "One email address"), used by every endpoint that accepts an address
 * (send-code, verify-code, agent-login, invitations). Mail is only ever sent to an address that passed it.
 *
 * After trimming and lower-casing: at most 255 characters; exactly one `@` with a non-empty local part; a domain
 * containing a `.` and no empty label; no whitespace or control characters (CR/LF included) and none of
 * `, ; < > ( ) [ ] " \` anywhere — so no string that a mailer would read as a list, a display name or a
 * header can pass.
 */
export const MAX_EMAIL_CHARS = 255;

// Whitespace (incl. Unicode spaces and separators), C0/C1 controls, DEL, and the list/header punctuation.
const FORBIDDEN = /[\s\p{Cc}\p{Zl}\p{Zp},;<>()[\]"\\]/u;

/** The normalised address, or null when `value` is not exactly one address. */
export function parseEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  if (email === '' || [...email].length > MAX_EMAIL_CHARS || FORBIDDEN.test(email)) return null;
  const at = email.indexOf('@');
  if (at <= 0 || email.indexOf('@', at + 1) !== -1) return null;
  const domain = email.slice(at + 1);
  if (!domain.includes('.') || domain.split('.').some((label) => label === '')) return null;
  return email;
}
