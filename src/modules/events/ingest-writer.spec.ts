import { PinoLogger } from 'nestjs-pino';
import { EventWriteRow, EventsRepository, StoredPerRequest } from './events.repository';
import { NormalizedEvent } from './ingest-validation';
import { IngestWrite, IngestWriter, IngestWriterOptions, mergeGroup, storedCounts, takeGroup } from './ingest-writer';

const APP_A = '00000000-0000-4000-8000-00000000000a';
const APP_B = '00000000-0000-4000-8000-00000000000b';
const KEY_A = '10000000-0000-4000-8000-00000000000a';
const KEY_B = '10000000-0000-4000-8000-00000000000b';
const ID_1 = '20000000-0000-4000-8000-000000000001';
const ID_2 = '20000000-0000-4000-8000-000000000002';
const AT_1 = new Date('2026-01-01T10:00:00.000Z');
const AT_2 = new Date('2026-01-01T10:00:00.005Z');

const event = (message: string, clientEventId: string | null = null): NormalizedEvent => ({
  clientEventId,
  sessionId: '30000000-0000-4000-8000-000000000001',
  userId: null,
  level: 'info',
  sourceModule: null,
  message,
  screenName: null,
  customAttributes: null,
  environment: null,
  osVersion: null,
  appVersion: null,
  buildNumber: null,
  deviceModel: null,
  locale: null,
  isDev: false,
  experiments: null,
  timestamp: AT_1,
});

const write = (appId: string, apiKeyId: string, receivedAt: Date, events: NormalizedEvent[]): IngestWrite => ({
  appId,
  apiKeyId,
  receivedAt,
  events,
});

/** Rows as [req, app, message] for compact comparisons. */
const brief = (rows: EventWriteRow[]): [number, string, string][] => rows.map((r) => [r.req, r.appId, r.event.message]);

describe('takeGroup', () => {
  const sized = (n: number) => ({ events: Array.from({ length: n }, (_, i) => i) });
  const eventsOf = (e: { events: number[] }) => e.events.length;

  it('takes writes in arrival order while both limits hold, and removes them from the queue', () => {
    const queue = [sized(1), sized(2), sized(3), sized(4)];
    const group = takeGroup(queue, eventsOf, { maxRequests: 10, maxEvents: 6 });
    expect(group.map(eventsOf)).toEqual([1, 2, 3]);
    expect(queue.map(eventsOf)).toEqual([4]);
  });

  it('stops at maxRequests', () => {
    const queue = [sized(1), sized(1), sized(1)];
    expect(takeGroup(queue, eventsOf, { maxRequests: 2, maxEvents: 100 }).map(eventsOf)).toEqual([1, 1]);
    expect(queue.map(eventsOf)).toEqual([1]);
  });

  it('always takes at least one write, even one larger than maxEvents', () => {
    const queue = [sized(150), sized(1)];
    expect(takeGroup(queue, eventsOf, { maxRequests: 10, maxEvents: 100 }).map(eventsOf)).toEqual([150]);
    expect(queue.map(eventsOf)).toEqual([1]);
  });

  it('does not skip ahead to a smaller write that would still fit', () => {
    const queue = [sized(60), sized(50), sized(10)];
    expect(takeGroup(queue, eventsOf, { maxRequests: 10, maxEvents: 100 }).map(eventsOf)).toEqual([60]);
    expect(queue.map(eventsOf)).toEqual([50, 10]);
  });

  it('returns nothing for an empty queue', () => {
    expect(takeGroup([], eventsOf, { maxRequests: 10, maxEvents: 100 })).toEqual([]);
  });
});

describe('mergeGroup', () => {
  it('tags every row with its request, app, key and receive time', () => {
    const rows = mergeGroup([write(APP_A, KEY_A, AT_1, [event('a1', ID_1), event('a2')]), write(APP_B, KEY_B, AT_2, [event('b1', ID_1)])]);
    expect(rows).toEqual([
      { req: 0, appId: APP_A, apiKeyId: KEY_A, receivedAt: AT_1, event: event('a1', ID_1) },
      { req: 0, appId: APP_A, apiKeyId: KEY_A, receivedAt: AT_1, event: event('a2') },
      // The same id in another app is another pair: kept.
      { req: 1, appId: APP_B, apiKeyId: KEY_B, receivedAt: AT_2, event: event('b1', ID_1) },
    ]);
  });

  it('gives a pair repeated across requests of one app to the first request in arrival order', () => {
    const rows = mergeGroup([
      write(APP_A, KEY_A, AT_1, [event('first', ID_1)]),
      write(APP_A, KEY_B, AT_2, [event('second', ID_1), event('own', ID_2)]),
      write(APP_A, KEY_A, AT_2, [event('third', ID_2), event('third', ID_1), event('no id')]),
    ]);
    expect(brief(rows)).toEqual([
      [0, APP_A, 'first'],
      [1, APP_A, 'own'],
      [2, APP_A, 'no id'],
    ]);
  });

  it('keeps only the first occurrence of a pair repeated inside one write', () => {
    const rows = mergeGroup([write(APP_A, KEY_A, AT_1, [event('first', ID_1), event('x'), event('again', ID_1), event('own', ID_2)])]);
    expect(brief(rows)).toEqual([
      [0, APP_A, 'first'],
      [0, APP_A, 'x'],
      [0, APP_A, 'own'],
    ]);
  });

  it('resolves repeats inside a write and across the group in one arrival order', () => {
    const rows = mergeGroup([
      write(APP_A, KEY_A, AT_1, [event('a1', ID_1), event('a1 again', ID_1)]),
      write(APP_A, KEY_A, AT_2, [event('b2', ID_2), event('b1', ID_1), event('b2 again', ID_2)]),
      write(APP_B, KEY_B, AT_2, [event('c1', ID_1), event('c1 again', ID_1)]),
    ]);
    expect(brief(rows)).toEqual([
      [0, APP_A, 'a1'],
      [1, APP_A, 'b2'],
      [2, APP_B, 'c1'],
    ]);
  });

  it('never drops events without a client_event_id', () => {
    const rows = mergeGroup([write(APP_A, KEY_A, AT_1, [event('x'), event('x')]), write(APP_A, KEY_A, AT_1, [event('x')])]);
    expect(brief(rows)).toEqual([
      [0, APP_A, 'x'],
      [0, APP_A, 'x'],
      [1, APP_A, 'x'],
    ]);
  });

  it('keeps a single write as it is', () => {
    const events = [event('a', ID_1), event('b', ID_2), event('c')];
    expect(mergeGroup([write(APP_A, KEY_A, AT_1, events)]).map((r) => r.event)).toEqual(events);
  });
});

describe('storedCounts', () => {
  it('maps the per-request rows to one count per request; requests without a row stored none', () => {
    expect(
      storedCounts(4, [
        { req: 2, stored: 7 },
        { req: 0, stored: 1 },
      ]),
    ).toEqual([1, 0, 7, 0]);
    expect(storedCounts(2, [])).toEqual([0, 0]);
  });

  it('refuses a count for a request that is not in the group', () => {
    expect(() => storedCounts(2, [{ req: 2, stored: 1 }])).toThrow('stored count for unknown request 2');
  });
});

describe('IngestWriter', () => {
  /** A repository double: records each statement's rows and answers through `answer` once released. */
  class FakeRepository {
    readonly statements: EventWriteRow[][] = [];
    readonly pending: { release: () => void }[] = [];
    hold = false;
    private released = 0;
    failWhen: (rows: EventWriteRow[]) => boolean = () => false;

    insertEvents(rows: EventWriteRow[]): Promise<StoredPerRequest[]> {
      this.statements.push(rows);
      const answer = (): StoredPerRequest[] => {
        if (this.failWhen(rows)) throw new Error('disk full');
        const byReq = new Map<number, number>();
        for (const r of rows) byReq.set(r.req, (byReq.get(r.req) ?? 0) + 1);
        return [...byReq].map(([req, stored]) => ({ req, stored }));
      };
      if (!this.hold) return Promise.resolve().then(answer);
      return new Promise((resolve, reject) => {
        this.pending.push({
          release: () => {
            try {
              resolve(answer());
            } catch (err) {
              reject(err);
            }
          },
        });
      });
    }

    /** Answers the oldest held statement not answered yet (waiting a few turns for it to be sent). */
    async releaseNext(): Promise<void> {
      for (let i = 0; i < 10 && this.released >= this.pending.length; i++) await tick();
      this.pending[this.released++].release();
    }
  }

  const logger = { warn: jest.fn(), error: jest.fn(), info: jest.fn(), debug: jest.fn() } as unknown as PinoLogger;
  const tick = () => new Promise((r) => setImmediate(r));
  let repo: FakeRepository;
  let writer: IngestWriter;

  /** A writer on `repo` with these options (as the INGEST_WRITER_OPTIONS provider hands them in). */
  const writerWith = (options: Partial<IngestWriterOptions> = {}): IngestWriter =>
    new IngestWriter(
      repo as unknown as EventsRepository,
      { maxInFlight: 1, maxRequests: 100, maxEvents: 1_000, maxQueuedEvents: 10_000, ...options },
      logger,
    );

  beforeEach(() => {
    repo = new FakeRepository();
    writer = writerWith();
  });

  it('an idle writer sends the first write at once, alone', async () => {
    await expect(writer.write(write(APP_A, KEY_A, AT_1, [event('a'), event('b')]))).resolves.toBe(2);
    expect(repo.statements.map(brief)).toEqual([
      [
        [0, APP_A, 'a'],
        [0, APP_A, 'b'],
      ],
    ]);
  });

  it('groups the writes that arrive while a statement is in flight into one statement, answering each its own count', async () => {
    repo.hold = true;
    const first = writer.write(write(APP_A, KEY_A, AT_1, [event('first')]));
    await tick();
    expect(repo.statements).toHaveLength(1);
    const later = [
      writer.write(write(APP_A, KEY_A, AT_2, [event('dup', ID_1), event('x')])),
      writer.write(write(APP_B, KEY_B, AT_2, [event('y', ID_1)])),
      writer.write(write(APP_A, KEY_B, AT_2, [event('dup again', ID_1)])),
    ];
    await tick();
    expect(repo.statements).toHaveLength(1); // still waiting for the first statement
    repo.pending[0].release();
    await expect(first).resolves.toBe(1);
    await tick();
    expect(repo.statements.slice(1).map(brief)).toEqual([
      [
        [0, APP_A, 'dup'],
        [0, APP_A, 'x'],
        [1, APP_B, 'y'],
      ],
    ]);
    repo.pending[1].release();
    await expect(Promise.all(later)).resolves.toEqual([2, 1, 0]);
  });

  it('runs up to maxInFlight statements at once', async () => {
    writer = writerWith({ maxInFlight: 2 });
    repo.hold = true;
    const a = writer.write(write(APP_A, KEY_A, AT_1, [event('a')]));
    await tick();
    const b = writer.write(write(APP_A, KEY_A, AT_1, [event('b')]));
    await tick();
    const c = writer.write(write(APP_A, KEY_A, AT_1, [event('c')]));
    const d = writer.write(write(APP_A, KEY_A, AT_1, [event('d')]));
    await tick();
    expect(repo.statements.map(brief)).toEqual([[[0, APP_A, 'a']], [[0, APP_A, 'b']]]);
    repo.pending[1].release();
    await expect(b).resolves.toBe(1);
    await tick();
    expect(repo.statements.slice(2).map(brief)).toEqual([
      [
        [0, APP_A, 'c'],
        [1, APP_A, 'd'],
      ],
    ]);
    repo.pending[0].release();
    repo.pending[2].release();
    await expect(Promise.all([a, c, d])).resolves.toEqual([1, 1, 1]);
  });

  it('respects the group limits', async () => {
    writer = writerWith({ maxRequests: 2, maxEvents: 3 });
    repo.hold = true;
    const writes = [
      writer.write(write(APP_A, KEY_A, AT_1, [event('1')])),
      writer.write(write(APP_A, KEY_A, AT_1, [event('2'), event('2')])),
      writer.write(write(APP_A, KEY_A, AT_1, [event('3')])),
      writer.write(write(APP_A, KEY_A, AT_1, [event('4')])),
      writer.write(write(APP_A, KEY_A, AT_1, [event('5'), event('5'), event('5')])),
    ];
    for (let i = 0; i < 3; i++) {
      await tick();
      repo.pending[i].release();
      await tick();
    }
    await expect(Promise.all(writes)).resolves.toEqual([1, 2, 1, 1, 3]);
    expect(repo.statements.map((rows) => rows.map((r) => r.event.message).join(''))).toEqual(['122', '34', '555']);
  });

  it('retries a failed group request by request: only the bad one fails, the others are stored', async () => {
    repo.hold = true;
    const blocker = writer.write(write(APP_A, KEY_A, AT_1, [event('blocker')]));
    await tick();
    const good1 = writer.write(write(APP_A, KEY_A, AT_2, [event('good', ID_1)]));
    const bad = writer.write(write(APP_A, KEY_A, AT_2, [event('bad'), event('bad too')]));
    const good2 = writer.write(write(APP_A, KEY_A, AT_2, [event('good again', ID_1), event('good 2')]));
    repo.failWhen = (rows) => rows.some((r) => r.event.message === 'bad');
    await repo.releaseNext();
    await expect(blocker).resolves.toBe(1);
    await repo.releaseNext(); // the merged statement: fails
    await repo.releaseNext(); // the first write alone
    await expect(good1).resolves.toBe(1);
    await repo.releaseNext(); // the bad one alone
    await expect(bad).rejects.toThrow('disk full');
    await repo.releaseNext();
    // Alone, the third write carries its duplicate id again; the database decides (here the double stores it).
    await expect(good2).resolves.toBe(2);
    expect(repo.statements.slice(1).map((rows) => rows.map((r) => r.event.message))).toEqual([
      ['good', 'bad', 'bad too', 'good 2'],
      ['good'],
      ['bad', 'bad too'],
      ['good again', 'good 2'],
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      { err: expect.any(Error), requests: 3 },
      'grouped ingest write failed; retrying its requests one by one',
    );
  });

  it('a write that fails alone is not retried', async () => {
    repo.failWhen = () => true;
    await expect(writer.write(write(APP_A, KEY_A, AT_1, [event('x')]))).rejects.toThrow('disk full');
    expect(repo.statements).toHaveLength(1);
  });

  it('refuses a write when the queue is full, but never the first one', async () => {
    writer = writerWith({ maxQueuedEvents: 2 });
    repo.hold = true;
    const big = writer.write(write(APP_A, KEY_A, AT_1, [event('1'), event('2'), event('3')])); // queue was empty
    const next = writer.write(write(APP_A, KEY_A, AT_1, [event('4')]));
    await expect(next).rejects.toThrow('ingest write queue is full');
    await tick();
    repo.pending[0].release();
    await expect(big).resolves.toBe(3);
  });

  it('drain (and shutdown) waits until everything queued has been written', async () => {
    repo.hold = true;
    const a = writer.write(write(APP_A, KEY_A, AT_1, [event('a')]));
    const b = writer.write(write(APP_A, KEY_A, AT_1, [event('b')]));
    let drained = false;
    const shutdown = writer.onApplicationShutdown().then(() => {
      drained = true;
    });
    expect(repo.statements.map(brief)).toEqual([
      [
        [0, APP_A, 'a'],
        [1, APP_A, 'b'],
      ],
    ]); // flushed at once
    await tick();
    expect(drained).toBe(false);
    repo.pending[0].release();
    await shutdown;
    expect(drained).toBe(true);
    await expect(Promise.all([a, b])).resolves.toEqual([1, 1]);
    await expect(writer.drain()).resolves.toBeUndefined();
  });
});
