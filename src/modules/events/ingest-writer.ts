import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { EventWriteRow, EventsRepository, StoredPerRequest } from './events.repository';
import { NormalizedEvent } from './ingest-validation';

/**
 * The validated events of one ingest request, ready to store, in batch order. `events` may repeat a
 * client_event_id: mergeGroup keeps the first occurrence (B2 inside the request).
 */
export interface IngestWrite {
  appId: string;
  apiKeyId: string;
  receivedAt: Date;
  events: NormalizedEvent[];
}

export interface GroupLimits {
  /** Requests per statement. */
  maxRequests: number;
  /** Events per statement (a request larger than this still goes, alone). */
  maxEvents: number;
}

export interface IngestWriterOptions extends GroupLimits {
  /** Grouped statements running at once; a write arriving while all are busy waits and joins the next group. */
  maxInFlight: number;
  /** Events waiting for a statement; beyond that a write fails at once instead of queueing without bound. */
  maxQueuedEvents: number;
}

/**
 * Tuned with `node bench/run.js --only ingest,ceiling` on the 2-core machine (Nov 2026): one statement at a
 * time serialises batch-100 traffic (~14 000 events/s), four add nothing over two for batch 100 and cost
 * batch 1 its group size; two in flight gave the best mix (batch 1 c16 ~1 500 req/s, batch 100 c16
 * ~20 000 events/s). Groups of up to 1 000 events (10 full batches) keep one statement short.
 */
export const INGEST_WRITER_DEFAULTS: Readonly<IngestWriterOptions> = Object.freeze({
  maxInFlight: 2,
  maxRequests: 200,
  maxEvents: 1_000,
  maxQueuedEvents: 50_000,
});

/**
 * DI token of the writer's IngestWriterOptions (EventsModule provides INGEST_WRITER_DEFAULTS). Tests and
 * benchmarks that want other tuning override the provider when they build the app; a running writer's
 * options never change.
 */
export const INGEST_WRITER_OPTIONS = Symbol('INGEST_WRITER_OPTIONS');

/**
 * Takes the next group off the head of `queue` (removing it): writes in arrival order while both limits
 * hold, and always at least one. `eventsOf` tells how many events an entry holds.
 */
export function takeGroup<T>(queue: T[], eventsOf: (entry: T) => number, limits: GroupLimits): T[] {
  let count = 0;
  let events = 0;
  while (count < queue.length && count < limits.maxRequests) {
    const next = eventsOf(queue[count]);
    if (count > 0 && events + next > limits.maxEvents) break;
    events += next;
    count++;
  }
  return queue.splice(0, count);
}

/**
 * The rows of one statement for a group of writes (`req` = index in `writes`), and the only place B2 is
 * applied in process: the first occurrence in arrival order (writes in queue order, each batch in array
 * order) of an (app, client_event_id) pair keeps it; every later one is dropped, whether it repeats the
 * pair inside its own batch or in a later write of the group. Dropped events count as duplicates (the
 * write's stored count leaves them out), exactly as if they had come after the first one committed.
 * A pair is thereby claimed at most once per statement, which INSERT … ON CONFLICT DO UPDATE requires;
 * pairs claimed by earlier statements are the database's to find (EventsRepository.insertEvents).
 */
export function mergeGroup(writes: readonly IngestWrite[]): EventWriteRow[] {
  const rows: EventWriteRow[] = [];
  const claimed = new Set<string>();
  for (let req = 0; req < writes.length; req++) {
    const { appId, apiKeyId, receivedAt, events } = writes[req];
    for (const event of events) {
      if (event.clientEventId !== null) {
        const pair = `${appId}/${event.clientEventId}`;
        if (claimed.has(pair)) continue;
        claimed.add(pair);
      }
      rows.push({ req, appId, apiKeyId, receivedAt, event });
    }
  }
  return rows;
}

/** Stored count of each of `requests` writes from the statement's per-request rows (absent = 0). */
export function storedCounts(requests: number, rows: readonly StoredPerRequest[]): number[] {
  const counts = new Array<number>(requests).fill(0);
  for (const { req, stored } of rows) {
    if (!Number.isInteger(req) || req < 0 || req >= requests) throw new Error(`stored count for unknown request ${req}`);
    counts[req] = stored;
  }
  return counts;
}

/** The writer's queue is full: the request is refused at once (the caller answers 503 and the SDK retries). */
export class WriteQueueFullError extends Error {
  constructor() {
    super('ingest write queue is full');
    this.name = 'WriteQueueFullError';
  }
}

interface Pending {
  write: IngestWrite;
  resolve: (stored: number) => void;
  reject: (err: unknown) => void;
}

/**
 * Application-level group commit for ingest. Every ingest request commits its own write, and on a busy
 * server the WAL flush per commit is the ceiling; so while the writer's statements are in flight, the
 * writes that arrive wait and go out together as ONE statement (one commit) for many requests and apps
 * (EventsRepository.insertEvents). Each write's promise settles with ITS stored count only after that
 * statement committed, so a 200 still means committed (B13).
 *
 * - An idle writer sends at once (after the current event-loop turn, which lets writes parsed in the same
 *   turn share the statement); grouping happens only while `maxInFlight` statements are busy.
 * - A failing group is retried request by request, so only the request that cannot be stored fails.
 * - On shutdown the queue is flushed before the database pool closes.
 */
@Injectable()
export class IngestWriter implements OnApplicationShutdown {
  private readonly queue: Pending[] = [];
  private queuedEvents = 0;
  private inFlight = 0;
  private pumpScheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly events: EventsRepository,
    @Inject(INGEST_WRITER_OPTIONS) private readonly options: Readonly<IngestWriterOptions>,
    @InjectPinoLogger(IngestWriter.name) private readonly log: PinoLogger,
  ) {}

  /** Writes waiting for a statement (not yet sent). */
  get queued(): number {
    return this.queue.length;
  }

  /** Stores the write (with the writes grouped with it); resolves with how many of its events were stored. */
  write(write: IngestWrite): Promise<number> {
    if (this.queuedEvents + write.events.length > this.options.maxQueuedEvents && this.queue.length > 0) {
      this.log.warn({ queuedEvents: this.queuedEvents }, 'ingest write queue is full; refusing a write');
      return Promise.reject(new WriteQueueFullError());
    }
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.queuedEvents += write.events.length;
      this.schedulePump();
    });
  }

  /** Resolves once nothing is queued or in flight. */
  drain(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    this.pump();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.inFlight >= this.options.maxInFlight) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const group = takeGroup(this.queue, (p) => p.write.events.length, this.options);
      for (const p of group) this.queuedEvents -= p.write.events.length;
      this.inFlight++;
      void this.flush(group).finally(() => {
        this.inFlight--;
        this.pump();
        if (this.queue.length === 0 && this.inFlight === 0) this.wakeIdleWaiters();
      });
    }
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Writes one group; never rejects (each write's own promise carries its outcome). */
  private async flush(group: Pending[]): Promise<void> {
    let rows: StoredPerRequest[];
    try {
      rows = await this.events.insertEvents(mergeGroup(group.map((p) => p.write)));
    } catch (err) {
      if (group.length === 1) {
        group[0].reject(err);
        return;
      }
      // Don't fail innocent requests with a bad one: each goes again on its own (in arrival order, so B2
      // gives an id to the same request as the group would have); only a request that fails alone fails.
      this.log.warn({ err, requests: group.length }, 'grouped ingest write failed; retrying its requests one by one');
      for (const p of group) await this.flush([p]);
      return;
    }
    // Committed: from here on nothing is ever sent again (a retry would store events without a
    // client_event_id twice). A bookkeeping failure fails the requests, it never re-writes them.
    let counts: number[];
    try {
      counts = storedCounts(group.length, rows);
    } catch (err) {
      this.log.error({ err, requests: group.length }, 'ingest write committed but its per-request counts are unreadable');
      for (const p of group) p.reject(err);
      return;
    }
    for (let i = 0; i < group.length; i++) group[i].resolve(counts[i]);
  }
}
