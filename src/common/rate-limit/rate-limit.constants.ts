/** DI token of the `BucketStore` the RateLimitGuard takes tokens from (in-memory now; Redis later, B10). */
export const BUCKET_STORE = Symbol('BUCKET_STORE');

export const RATE_LIMIT_EXCEEDED = 'Rate limit exceeded';

/** Response headers of limited routes (§1.10, B10). */
export const RATE_LIMIT_HEADERS = {
  limit: 'X-RateLimit-Limit',
  remaining: 'X-RateLimit-Remaining',
  retryAfter: 'Retry-After',
} as const;

/** Seconds a refused client is told to wait: one token takes at most a second at the default refill. */
export const RETRY_AFTER_SECONDS = '1';
