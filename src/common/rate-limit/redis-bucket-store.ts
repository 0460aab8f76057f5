import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { BucketConfig, BucketStore, InMemoryBucketStore, TakeResult } from './token-bucket';

/**
 * Refill-and-take in one atomic step on the Redis server, using the server's clock so several instances agree.
 * State per key: hash {t: tokens (float), u: last update in ms}; it expires once a full refill would have
 * happened, which is the same as a full bucket.
 */
const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2]) / 1000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(s[1])
local updated = tonumber(s[2])
if tokens == nil or updated == nil then
  tokens = capacity
  updated = now
end
if now > updated then
  tokens = math.min(capacity, tokens + (now - updated) * per_ms)
  updated = now
end
local allowed = 0
if tokens >= 1 - 1e-9 then
  tokens = math.max(0, tokens - 1)
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(updated))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / per_ms) + 1000)
return {allowed, math.floor(tokens + 1e-9)}
`;

export interface RedisBucketStoreOptions {
  /** Prefix of every bucket key (tests use their own). */
  keyPrefix?: string;
  /** A Redis command slower than this falls back to memory for that request. */
  commandTimeoutMs?: number;
}

/**
 * Buckets shared by every instance through Redis (B10). When Redis is unreachable, requests are limited by
 * in-memory buckets instead (with one warning per outage), and Redis is used again as soon as it is back.
 */
export class RedisBucketStore implements BucketStore {
  private readonly log = new Logger(RedisBucketStore.name);
  private readonly redis: Redis;
  private readonly fallback: InMemoryBucketStore;
  private readonly prefix: string;
  private degraded = false;

  constructor(
    url: string,
    private readonly cfg: BucketConfig,
    opts: RedisBucketStoreOptions = {},
  ) {
    this.prefix = opts.keyPrefix ?? 'owlmetry:rl:';
    this.fallback = new InMemoryBucketStore(cfg);
    this.redis = new Redis(url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeoutMs ?? 250,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    this.redis.defineCommand('owlTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    this.redis.on('error', (err) => this.degrade(err));
    this.redis.on('ready', () => {
      if (this.degraded) this.log.log('Redis is reachable again: rate-limit buckets are shared again');
      this.degraded = false;
    });
  }

  private degrade(err: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.log.warn(`Redis unavailable, rate limiting falls back to in-memory buckets: ${(err as Error)?.message ?? err}`);
  }

  async take(key: string): Promise<TakeResult> {
    if (this.redis.status !== 'ready') {
      this.degrade(new Error(`connection ${this.redis.status}`));
      return this.fallback.take(key);
    }
    try {
      const [allowed, remaining] = (await (
        this.redis as unknown as {
          owlTake(k: string, capacity: number, rate: number): Promise<[number, number]>;
        }
      ).owlTake(this.prefix + key, this.cfg.capacity, this.cfg.refillPerSecond)) ?? [0, 0];
      return { allowed: allowed === 1, remaining: allowed === 1 ? remaining : 0 };
    } catch (err) {
      this.degrade(err);
      return this.fallback.take(key);
    }
  }

  async reset(): Promise<void> {
    await this.fallback.reset();
    if (this.redis.status !== 'ready') return;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      if (keys.length) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    await this.fallback.close();
    this.redis.disconnect();
  }

  /** For readiness of tests: resolves once the first connection is up (or fails). */
  async connected(timeoutMs = 2_000): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.redis.on('ready', onReady);
    });
  }
}
