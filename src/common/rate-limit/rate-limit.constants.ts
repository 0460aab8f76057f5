import type { HostClass } from './rate-limit-key';

/** DI token of the `BucketStore` the RateLimitGuard takes tokens from (in-memory now; Redis later, B10). */
export const BUCKET_STORE = Symbol('BUCKET_STORE');

/**
 * DI token of what counts refused requests (Prometheus, provided by the observability module). common/ names the
 * need and a feature module fills it, so the limiter does not import a module (STYLE.md §2).
 */
export const RATE_LIMIT_REJECTIONS = Symbol('RATE_LIMIT_REJECTIONS');

export interface RateLimitRejections {
  countRateLimitRejection(hostClass: HostClass): void;
}

export const RATE_LIMIT_EXCEEDED = 'Rate limit exceeded';

/** Response headers of limited routes (§1.10, B10). */
export const RATE_LIMIT_HEADERS = {
  limit: 'X-RateLimit-Limit',
  remaining: 'X-RateLimit-Remaining',
  retryAfter: 'Retry-After',
} as const;

/** Seconds a refused client is told to wait: one token takes at most a second at the default refill. */
export const RETRY_AFTER_SECONDS = '1';
