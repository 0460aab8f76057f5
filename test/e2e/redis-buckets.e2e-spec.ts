import { RedisBucketStore } from '../../src/common/rate-limit/redis-bucket-store';
import { TcpProxy } from '../utils/tcp-proxy';

const REDIS_URL = process.env.REDIS_URL_FOR_TESTS ?? 'redis://127.0.0.1:6379';
const cfg = { capacity: 5, refillPerSecond: 0.001 };

describe('RedisBucketStore (B10) on a real Redis', () => {
  const prefix = `owl-test:${process.pid}:${Date.now()}:`;
  const stores: RedisBucketStore[] = [];
  const store = async (url = REDIS_URL, wait = true) => {
    const s = new RedisBucketStore(url, cfg, { keyPrefix: prefix });
    stores.push(s);
    if (wait) expect(await s.connected()).toBe(true);
    return s;
  };
  afterAll(async () => {
    await stores[0]?.reset();
    for (const s of stores) await s.close();
  });

  it('two instances share one bucket per key: the combined burst is the capacity', async () => {
    const [a, b] = [await store(), await store()];
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).take('api:key:shared')));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    expect(results.filter((r) => !r.allowed).every((r) => r.remaining === 0)).toBe(true);
    expect((await a.take('api:key:other')).allowed).toBe(true);
  });

  it('counts remaining tokens after the take', async () => {
    const a = await store();
    expect((await a.take('api:key:count')).remaining).toBe(4);
    expect((await a.take('api:key:count')).remaining).toBe(3);
  });

  it('falls back to in-memory buckets while Redis is unreachable, and goes back to Redis afterwards', async () => {
    const redis = new URL(REDIS_URL);
    const proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
    await proxy.start();
    const s = await store(`redis://127.0.0.1:${proxy.port}`);
    const shared = await store();
    expect((await s.take('api:key:outage')).allowed).toBe(true);
    await proxy.cut();
    // Unreachable: still answering (memory), never throwing.
    const during = await Promise.all(Array.from({ length: 3 }, () => s.take('api:key:outage')));
    expect(during.every((r) => r.allowed)).toBe(true);
    await proxy.start();
    expect(await s.connected(5_000)).toBe(true);
    // Back on Redis: the bucket there still holds 4 tokens, shared with the other instance.
    expect((await shared.take('api:key:outage')).remaining).toBe(3);
    expect((await s.take('api:key:outage')).remaining).toBe(2);
    // Close the client while its connection is up: ioredis ends the socket and waits for its 'close'. Closing it
    // after the cut would leave ioredis' 2 s "destroy the stream" timer armed on an already-closed socket, and
    // Jest would report an open handle after the run.
    await s.close();
    stores.splice(stores.indexOf(s), 1);
    await proxy.cut();
  });
});
