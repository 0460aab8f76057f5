import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PgPool } from '../../database/pg-pool';
import { ReadReplicas } from '../../database/read-replicas';

export type IngestOutcome = 'accepted' | 'rejected' | 'deduplicated';
export type HostClass = 'api' | 'ingest';

/** Prometheus metrics of B12, on a registry of our own (several app instances in one test process stay apart). */
@Injectable()
export class PrometheusService {
  readonly registry = new Registry();
  private readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly ingestEvents = new Counter({
    name: 'owlmetry_ingest_events_total',
    help: 'Ingested events by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly ingestRejections = new Counter({
    name: 'owlmetry_ingest_rejections_total',
    help: 'Rejected ingest events by the field that failed',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly ingestBusy = new Counter({
    name: 'owlmetry_ingest_busy_rejections_total',
    help: 'Ingest requests refused with 503 because the write queue was full',
    registers: [this.registry],
  });
  private readonly rateLimitRejections = new Counter({
    name: 'owlmetry_rate_limit_rejections_total',
    help: 'Requests refused by the token bucket',
    labelNames: ['host_class'],
    registers: [this.registry],
  });

  private readonly replicaFallbacks = new Counter({
    name: 'owlmetry_replica_fallbacks_total',
    help: 'Replica-routed reads served by the primary, by reason (unavailable, lagging, error)',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  constructor(pool: PgPool, replicas: ReadReplicas) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'owlmetry_db_pool_connections',
      help: 'Database pool connections by state',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const p = pool.stats();
        if (!p) return;
        this.set({ state: 'total' }, p.total);
        this.set({ state: 'idle' }, p.idle);
        this.set({ state: 'waiting' }, p.waiting);
      },
    });
    for (const outcome of ['accepted', 'rejected', 'deduplicated'] as const) this.ingestEvents.inc({ outcome }, 0);
    this.ingestBusy.inc(0);
    for (const host_class of ['api', 'ingest'] as const) this.rateLimitRejections.inc({ host_class }, 0);
    if (replicas.configured) {
      for (const reason of ['unavailable', 'lagging', 'error'] as const) this.replicaFallbacks.inc({ reason }, 0);
    }
    replicas.onFallback((reason) => this.replicaFallbacks.inc({ reason }));
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  countIngest(outcome: IngestOutcome, n: number): void {
    if (n > 0) this.ingestEvents.inc({ outcome }, n);
  }

  /** `reason` is the rejected field (or `event`), never user data. */
  countIngestRejection(reason: string): void {
    this.ingestRejections.inc({ reason });
  }

  countIngestBusy(): void {
    this.ingestBusy.inc();
  }

  countRateLimitRejection(hostClass: HostClass): void {
    this.rateLimitRejections.inc({ host_class: hostClass });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
