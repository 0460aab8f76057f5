import { BucketConfig, BucketState, InMemoryBucketStore, takeToken } from './token-bucket';

const CFG: BucketConfig = { capacity: 100, refillPerSecond: 10 };

describe('takeToken (pure)', () => {
  it('starts full: the first take leaves capacity - 1', () => {
    expect(takeToken(undefined, CFG, 1_000)).toEqual({
      state: { tokens: 99, updatedAt: 1_000 },
      result: { allowed: true, remaining: 99 },
    });
  });

  it('refuses with an empty bucket, reporting 0 remaining and keeping the refill', () => {
    const empty: BucketState = { tokens: 0.5, updatedAt: 0 };
    expect(takeToken(empty, CFG, 0)).toEqual({
      state: { tokens: 0.5, updatedAt: 0 },
      result: { allowed: false, remaining: 0 },
    });
    // 40 ms at 10/s adds 0.4 → 0.9: still not a whole token, and the fraction is carried forward
    const later = takeToken(empty, CFG, 40);
    expect(later.result).toEqual({ allowed: false, remaining: 0 });
    expect(later.state.tokens).toBeCloseTo(0.9, 12);
    expect(later.state.updatedAt).toBe(40);
  });

  it('refills 1 token per 100 ms at 10/s', () => {
    const r = takeToken({ tokens: 0, updatedAt: 0 }, CFG, 100);
    expect(r.result).toEqual({ allowed: true, remaining: 0 });
    expect(r.state).toEqual({ tokens: 0, updatedAt: 100 });
  });

  it('caps the refill at capacity', () => {
    const r = takeToken({ tokens: 0, updatedAt: 0 }, CFG, 3_600_000);
    expect(r.result).toEqual({ allowed: true, remaining: 99 });
    expect(r.state.tokens).toBe(99);
  });

  it('remaining counts whole tokens only', () => {
    expect(takeToken({ tokens: 3.7, updatedAt: 0 }, CFG, 0).result).toEqual({ allowed: true, remaining: 2 });
    expect(takeToken({ tokens: 1, updatedAt: 0 }, CFG, 0).result).toEqual({ allowed: true, remaining: 0 });
  });

  it('does not refill when the clock steps backwards', () => {
    const r = takeToken({ tokens: 0.5, updatedAt: 1_000 }, CFG, 500);
    expect(r.result).toEqual({ allowed: false, remaining: 0 });
    expect(r.state.tokens).toBe(0.5);
  });

  it('counts ten 10 ms refills at 10/s as one whole token despite float error', () => {
    let state: BucketState = { tokens: 0, updatedAt: 0 };
    for (let t = 10; t < 100; t += 10) {
      const r = takeToken(state, CFG, t);
      expect(r.result.allowed).toBe(false);
      state = r.state;
    }
    expect(takeToken(state, CFG, 100).result).toEqual({ allowed: true, remaining: 0 });
  });

  it('supports a fractional refill rate', () => {
    const slow: BucketConfig = { capacity: 2, refillPerSecond: 0.5 };
    expect(takeToken({ tokens: 0, updatedAt: 0 }, slow, 1_999).result.allowed).toBe(false);
    expect(takeToken({ tokens: 0, updatedAt: 0 }, slow, 2_000).result).toEqual({ allowed: true, remaining: 0 });
  });

  it('does not mutate the state it is given', () => {
    const s: BucketState = { tokens: 5, updatedAt: 0 };
    takeToken(s, CFG, 1_000);
    expect(s).toEqual({ tokens: 5, updatedAt: 0 });
  });
});

describe('InMemoryBucketStore', () => {
  let now: number;
  let store: InMemoryBucketStore;
  const clock = () => now;

  beforeEach(() => {
    now = 1_700_000_000_000;
    store = new InMemoryBucketStore(CFG, clock);
  });
  afterEach(async () => {
    await store.close();
  });

  it('allows a burst of 100, then refuses', async () => {
    for (let i = 0; i < 100; i++) {
      await expect(store.take('key:a')).resolves.toEqual({ allowed: true, remaining: 99 - i });
    }
    await expect(store.take('key:a')).resolves.toEqual({ allowed: false, remaining: 0 });
    await expect(store.take('key:a')).resolves.toEqual({ allowed: false, remaining: 0 });
  });

  it('refills continuously: 100 ms → one token, a second → ten', async () => {
    for (let i = 0; i < 100; i++) await store.take('k');
    now += 99;
    await expect(store.take('k')).resolves.toEqual({ allowed: false, remaining: 0 });
    now += 1; // 100 ms since emptied
    await expect(store.take('k')).resolves.toEqual({ allowed: true, remaining: 0 });
    await expect(store.take('k')).resolves.toEqual({ allowed: false, remaining: 0 });
    now += 1_000;
    await expect(store.take('k')).resolves.toEqual({ allowed: true, remaining: 9 });
  });

  it('accumulates fractions across refused requests', async () => {
    for (let i = 0; i < 100; i++) await store.take('k');
    for (let i = 0; i < 4; i++) {
      now += 25;
      await expect(store.take('k')).resolves.toEqual({ allowed: i === 3, remaining: 0 });
    }
  });

  it('never refills beyond capacity', async () => {
    await store.take('k');
    now += 60 * 60_000;
    await expect(store.take('k')).resolves.toEqual({ allowed: true, remaining: 99 });
  });

  it('keeps keys independent', async () => {
    for (let i = 0; i < 100; i++) await store.take('ingest:key-1');
    await expect(store.take('ingest:key-1')).resolves.toEqual({ allowed: false, remaining: 0 });
    await expect(store.take('api:key-1')).resolves.toEqual({ allowed: true, remaining: 99 });
    await expect(store.take('ingest:key-2')).resolves.toEqual({ allowed: true, remaining: 99 });
    expect(store.size).toBe(3);
  });

  it('reset() forgets every bucket', async () => {
    for (let i = 0; i < 100; i++) await store.take('k');
    await store.reset();
    expect(store.size).toBe(0);
    await expect(store.take('k')).resolves.toEqual({ allowed: true, remaining: 99 });
  });

  it('sweep() drops buckets idle longer than idleMs and keeps the others', async () => {
    await store.take('old');
    now += 4 * 60_000;
    await store.take('recent');
    now += 60_000; // "old" idle exactly 5 min: kept
    store.sweep();
    expect(store.size).toBe(2);
    now += 1; // "old" idle 5 min + 1 ms: dropped; "recent" idle 1 min: kept
    store.sweep();
    expect(store.size).toBe(1);
    await expect(store.take('recent')).resolves.toEqual({ allowed: true, remaining: 99 });
    expect(store.size).toBe(1);
  });

  it('keeps an idle bucket that has not refilled to capacity yet', async () => {
    const slow = new InMemoryBucketStore({ capacity: 100, refillPerSecond: 0.1 }, clock, {
      idleMs: 60_000,
      sweepEveryMs: 60_000,
    });
    try {
      for (let i = 0; i < 100; i++) await slow.take('k');
      now += 60_001; // 6 tokens back, far from full: dropping it would hand out a full bucket
      slow.sweep();
      expect(slow.size).toBe(1);
      now += 1_000_000;
      slow.sweep();
      expect(slow.size).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it('a dropped bucket comes back full, as if it had been kept', async () => {
    for (let i = 0; i < 100; i++) await store.take('k');
    now += 5 * 60_000 + 1;
    store.sweep();
    expect(store.size).toBe(0);
    await expect(store.take('k')).resolves.toEqual({ allowed: true, remaining: 99 });
  });
});

describe('InMemoryBucketStore timer', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sweeps on its own every sweepEveryMs', async () => {
    const store = new InMemoryBucketStore(CFG, () => Date.now(), { idleMs: 5 * 60_000, sweepEveryMs: 60_000 });
    await store.take('k');
    jest.advanceTimersByTime(5 * 60_000);
    expect(store.size).toBe(1); // idle exactly 5 min at this tick
    jest.advanceTimersByTime(60_000);
    expect(store.size).toBe(0);
    await store.close();
  });

  it('unrefs its timer and close() clears it', async () => {
    const unref = jest.spyOn(global, 'setInterval');
    const before = jest.getTimerCount();
    const store = new InMemoryBucketStore(CFG);
    expect(jest.getTimerCount()).toBe(before + 1);
    const handle = unref.mock.results[unref.mock.results.length - 1].value as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    unref.mockRestore();

    await store.close();
    expect(jest.getTimerCount()).toBe(before);
    await store.close(); // idempotent
    expect(jest.getTimerCount()).toBe(before);
    // still usable after close, only the sweeping stops
    await expect(store.take('k')).resolves.toEqual({ allowed: true, remaining: 99 });
  });

  it('uses the defaults of 5 min idle / 1 min sweep', async () => {
    const store = new InMemoryBucketStore(CFG);
    await store.take('k');
    jest.advanceTimersByTime(6 * 60_000);
    expect(store.size).toBe(0);
    await store.close();
  });
});
