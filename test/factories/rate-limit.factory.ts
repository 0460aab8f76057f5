import { BUCKET_STORE } from '../../src/common/rate-limit/rate-limit.constants';
import { BucketStore } from '../../src/common/rate-limit/token-bucket';
import { onReset } from '../utils/create-test-app';

/** Importing this file makes `t.reset()` refill every rate-limit bucket, so no test inherits another's burst. */
onReset(async (app) => {
  await app.get<BucketStore>(BUCKET_STORE).reset();
});

export {};
