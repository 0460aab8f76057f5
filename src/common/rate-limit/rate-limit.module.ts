import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/app-config';
import { BUCKET_STORE } from './rate-limit.constants';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisBucketStore } from './redis-bucket-store';
import { BucketStore, InMemoryBucketStore } from './token-bucket';

/** Builds the bucket store from config: shared in Redis when REDIS_URL is set (B10), else in process memory. */
export function createBucketStore(config: AppConfig): BucketStore {
  const cfg = { capacity: config.rateLimitMaxTokens, refillPerSecond: config.rateLimitRefillPerSec };
  return config.redisUrl ? new RedisBucketStore(config.redisUrl, cfg) : new InMemoryBucketStore(cfg);
}

/** The bucket store and the guard; modules with limited routes import this and put `@UseGuards(RateLimitGuard)` on them. */
@Module({
  providers: [{ provide: BUCKET_STORE, useFactory: createBucketStore, inject: [APP_CONFIG] }, RateLimitGuard],
  exports: [BUCKET_STORE, RateLimitGuard],
})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(@Inject(BUCKET_STORE) private readonly store: BucketStore) {}

  /** Stops the store's sweep timer (and, for a shared store, its connection). */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
