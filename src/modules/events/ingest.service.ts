import { BadRequestException, ForbiddenException, HttpStatus, Injectable } from '@nestjs/common';
import { Principal } from '../../common/auth/principal';
import { HttpExceptionWithHeaders } from '../../common/filters/http-error';
import { AppsService } from '../apps/apps.service';
import { AppEntity } from '../apps/entities/app.entity';
import { PrometheusService } from '../observability/prometheus.service';
import { IngestBody } from './dto/ingest-batch.dto';
import { MAX_BATCH_SIZE, MAX_BUNDLE_ID_CHARS } from './events.constants';
import { IngestErrors } from './events.errors';
import { IngestError, IngestResponse, toIngestResponse } from './events.mapper';
import { NormalizedEvent, exceedsCodePoints, validateEvent } from './ingest-validation';
import { IngestWriter, WriteQueueFullError } from './ingest-writer';

/**
 * How long ingest trusts a looked-up app. Its platform and bundle_id never change; only deletion does, and
 * deleting an app revokes its keys, which the API-key cache already trusts for the same time
 * (KEY_CACHE_TTL_MS) — so this adds no staleness a caller could observe, and saves a query per request.
 */
export const INGEST_APP_CACHE_TTL_MS = 5_000;
const INGEST_APP_CACHE_MAX = 10_000;

/** §2.7 step 6: non-backend apps must name their own bundle id (exact, case-sensitive). */
function assertBundleId(app: AppEntity, bundleId: unknown): void {
  if (app.platform === 'backend' || app.bundleId === null) return; // backend apps ignore bundle_id
  if (typeof bundleId !== 'string') throw new BadRequestException(IngestErrors.bundleIdRequired);
  if (exceedsCodePoints(bundleId, MAX_BUNDLE_ID_CHARS)) throw new BadRequestException(IngestErrors.bundleIdTooLong);
  if (bundleId !== app.bundleId) throw new ForbiddenException(IngestErrors.bundleIdMismatch);
}

/**
 * POST /v1/ingest. Request-level checks in contract order (auth, permission and rate limit were the
 * guards'), then every event on its own (partial acceptance), then B2 dedup and storage in ONE statement
 * (dedup claims, events and app users; see EventsRepository.insertEvents), which IngestWriter shares with
 * the requests that arrive while the previous statements are in flight (group commit).
 */
@Injectable()
export class IngestService {
  private readonly appCache = new Map<string, { app: AppEntity; fetchedAt: number }>();

  constructor(
    private readonly apps: AppsService,
    private readonly writer: IngestWriter,
    private readonly metrics: PrometheusService,
  ) {}

  async ingest(who: Principal, body: IngestBody): Promise<IngestResponse> {
    const receivedAt = new Date();
    const batch = body.events;
    if (!Array.isArray(batch) || batch.length === 0) throw new BadRequestException(IngestErrors.eventsRequired);
    if (batch.length > MAX_BATCH_SIZE) throw new BadRequestException(IngestErrors.batchTooLarge);
    if (who.kind !== 'api_key' || who.appId === null) throw new BadRequestException(IngestErrors.keyNotScoped);
    const app = await this.liveApp(who.appId, receivedAt.getTime());
    if (!app) throw new BadRequestException(IngestErrors.appGone);
    assertBundleId(app, body.bundle_id);

    const valid: NormalizedEvent[] = [];
    const errors: IngestError[] = [];
    const clientEventIds = new Set<string>();
    for (let i = 0; i < batch.length; i++) {
      const r = validateEvent(batch[i], i, app.platform, receivedAt);
      if (!r.ok) {
        errors.push({ index: i, message: r.message });
        continue;
      }
      const id = r.event.clientEventId;
      if (id !== null) {
        if (clientEventIds.has(id)) continue; // only the first valid occurrence of an id counts (B2)
        clientEventIds.add(id);
      }
      valid.push(r.event);
    }
    if (valid.length === 0) return this.answer(batch.length, 0, errors);

    // One statement (shared with concurrent requests): dedup claims, the events and their app users,
    // committed before the answer (B13).
    let stored: number;
    try {
      stored = await this.writer.write({ appId: app.id, apiKeyId: who.keyId, receivedAt, events: valid });
    } catch (err) {
      if (!(err instanceof WriteQueueFullError)) throw err;
      this.metrics.countIngestBusy();
      throw new HttpExceptionWithHeaders(IngestErrors.serverBusy, HttpStatus.SERVICE_UNAVAILABLE, { 'retry-after': '1' });
    }
    return this.answer(batch.length, stored, errors);
  }

  private answer(sent: number, stored: number, errors: IngestError[]): IngestResponse {
    this.metrics.countIngest('accepted', stored);
    this.metrics.countIngest('rejected', errors.length);
    this.metrics.countIngest('deduplicated', sent - stored - errors.length);
    // The reason label is the field the (fixed) problem text starts with, e.g. `session_id`, or `event`.
    for (const e of errors) this.metrics.countIngestRejection(/^events\[\d+\]: (\w+)/.exec(e.message)?.[1] ?? 'event');
    return toIngestResponse(stored, errors);
  }

  private async liveApp(appId: string, nowMs: number): Promise<AppEntity | null> {
    const hit = this.appCache.get(appId);
    if (hit && nowMs - hit.fetchedAt <= INGEST_APP_CACHE_TTL_MS) return hit.app;
    const app = await this.apps.findActive(appId);
    if (!app) {
      this.appCache.delete(appId);
      return null;
    }
    if (this.appCache.size >= INGEST_APP_CACHE_MAX) this.appCache.clear();
    this.appCache.set(appId, { app, fetchedAt: nowMs });
    return app;
  }
}
