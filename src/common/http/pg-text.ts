/**
 * PostgreSQL text cannot hold U+0000, and jsonb refuses the escaped lone surrogate that JSON.stringify
 * writes for one (`"\ud800"`). Both are legal inside JSON strings, so a name stored as sent (or copied
 * into audit metadata) would be a 500 (B7). Each such code unit becomes U+FFFD — the replacement the
 * driver already applies to lone surrogates in plain text columns — one code point for one, so length
 * rules are unaffected. Filters go through it too, so searching for what was sent finds what was stored.
 */
// U+0000 is the point of both patterns: PostgreSQL text cannot hold it.
// eslint-disable-next-line no-control-regex
const SUSPECT = /[\u0000\ud800-\udfff]/;
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function pgSafeText(s: string): string {
  return SUSPECT.test(s) ? s.replace(UNSTORABLE, '\uFFFD') : s;
}
