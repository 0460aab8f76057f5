/**
 * PostgreSQL text cannot hold U+0000, and jsonb refuses an escaped lone surrogate (`"\ud800"`, which is what
 * JSON.stringify writes for one). Both arrive legally inside JSON strings, so storing them as sent would be a
 * 500 (B7). Each such code unit becomes U+FFFD, the replacement the driver itself applies to lone surrogates
 * in plain text columns — one code point for one, so length rules are unaffected. Query filters go through
 * the same function, so filtering by the value that was sent finds what was stored.
 */
const SUSPECT = /[\u0000\ud800-\udfff]/;
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function pgSafeText(s: string): string {
  return SUSPECT.test(s) ? s.replace(UNSTORABLE, '\uFFFD') : s;
}
