/**
 * Token bucket of SPEC §1.10: holds at most `capacity` tokens, starts full, refills continuously at
 * `refillPerSecond` (fractions kept between requests), and a request needs one whole token.
 */
export interface BucketConfig {
  capacity: number;
  refillPerSecond: number;
}

/** `remaining` = whole tokens left after this request's token was taken; 0 on a refusal (§1.11). */
export interface TakeResult {
  allowed: boolean;
  remaining: number;
}

/** `tokens` may be fractional; `updatedAt` is the clock reading (ms) at which `tokens` was exact. */
export interface BucketState {
  tokens: number;
  updatedAt: number;
}

/**
 * Refills are sums of fractions such as 0.1, which binary floating point cannot hold exactly: ten 10 ms
 * refills at 10/s add up to 0.9999999999999999. Anything this close to a whole token counts as one.
 */
const EPSILON = 1e-9;

/** Tokens in the bucket at `nowMs` (a clock that steps backwards adds nothing). */
function refilled(state: BucketState | undefined, cfg: BucketConfig, nowMs: number): number {
  if (state === undefined) return cfg.capacity;
  const elapsedMs = nowMs > state.updatedAt ? nowMs - state.updatedAt : 0;
  const tokens = state.tokens + (elapsedMs * cfg.refillPerSecond) / 1000;
  return tokens > cfg.capacity ? cfg.capacity : tokens;
}

/** Pure step: the bucket's new state and whether this request may pass. */
export function takeToken(state: BucketState | undefined, cfg: BucketConfig, nowMs: number): { state: BucketState; result: TakeResult } {
  const tokens = refilled(state, cfg, nowMs);
  if (tokens + EPSILON < 1) {
    return { state: { tokens, updatedAt: nowMs }, result: { allowed: false, remaining: 0 } };
  }
  const left = tokens - 1 > 0 ? tokens - 1 : 0;
  return {
    state: { tokens: left, updatedAt: nowMs },
    result: { allowed: true, remaining: Math.floor(left + EPSILON) },
  };
}

/** Where buckets live: process memory here; a Redis-backed store shares them between instances (B10). */
export interface BucketStore {
  take(key: string): Promise<TakeResult>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface InMemoryBucketStoreOptions {
  /** A bucket untouched this long (and full again by then) is forgotten. */
  idleMs: number;
  /** How often the sweep runs. */
  sweepEveryMs: number;
}

const DEFAULT_STORE_OPTIONS: InMemoryBucketStoreOptions = { idleMs: 5 * 60_000, sweepEveryMs: 60_000 };

/**
 * Buckets in a Map, keyed by the caller's `<host class>:<identity>`. Keys come from client IPs too, so the
 * Map must not grow without bound: a periodic sweep drops buckets that have been idle for `idleMs` and have
 * refilled to capacity — a dropped bucket is re-created full, so forgetting it changes no answer (§1.10).
 * The timer is unref()'d so it never keeps the process alive; close() stops it.
 */
export class InMemoryBucketStore implements BucketStore {
  private readonly buckets = new Map<string, BucketState>();
  private readonly opts: InMemoryBucketStoreOptions;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly cfg: BucketConfig,
    private readonly now: () => number = Date.now,
    opts: Partial<InMemoryBucketStoreOptions> = DEFAULT_STORE_OPTIONS,
  ) {
    this.opts = { ...DEFAULT_STORE_OPTIONS, ...opts };
    this.timer = setInterval(() => this.sweep(), this.opts.sweepEveryMs);
    this.timer.unref();
  }

  take(key: string): Promise<TakeResult> {
    const { state, result } = takeToken(this.buckets.get(key), this.cfg, this.now());
    this.buckets.set(key, state);
    return Promise.resolve(result);
  }

  reset(): Promise<void> {
    this.buckets.clear();
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    return Promise.resolve();
  }

  /** Number of buckets held (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Drops idle, full buckets. Runs on the timer; public so tests can drive it with a fake clock. */
  sweep(): void {
    const now = this.now();
    for (const [key, state] of this.buckets) {
      const idle = now - state.updatedAt > this.opts.idleMs;
      if (idle && refilled(state, this.cfg, now) + EPSILON >= this.cfg.capacity) this.buckets.delete(key);
    }
  }
}
