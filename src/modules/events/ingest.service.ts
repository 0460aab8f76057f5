import { BadRequestException, ForbiddenException, HttpStatus, Injectable } from '@nestjs/common';
import { ApiKeyApp, Principal } from '../../common/auth/principal';
import { HttpExceptionWithHeaders } from '../../common/filters/http-error';
import { PrometheusService } from '../observability/prometheus.service';
import { IngestBody } from './dto/ingest-batch.dto';
import { MAX_BATCH_SIZE, MAX_BUNDLE_ID_CHARS } from './events.constants';
import { IngestErrors } from './events.errors';
import { IngestError, IngestResponse, toIngestResponse } from './events.mapper';
import { EventField, NormalizedEvent, exceedsCodePoints, validateEvent } from './ingest-validation';
import { IngestWriter, WriteQueueFullError } from './ingest-writer';

/** §2.7 step 6: non-backend apps must name their own bundle id (exact, case-sensitive). */
function assertBundleId(app: ApiKeyApp, bundleId: unknown): void {
  if (app.platform === 'backend' || app.bundleId === null) return; // backend apps ignore bundle_id
  if (typeof bundleId !== 'string') throw new BadRequestException(IngestErrors.bundleIdRequired);
  if (exceedsCodePoints(bundleId, MAX_BUNDLE_ID_CHARS)) throw new BadRequestException(IngestErrors.bundleIdTooLong);
  if (bundleId !== app.bundleId) throw new ForbiddenException(IngestErrors.bundleIdMismatch);
}

/**
 * POST /v1/ingest. Request-level checks in contract order (auth, permission and rate limit were the
 * guards'; the key's app — platform, bundle_id, deleted — came with the key from its cache), then every
 * event on its own (partial acceptance), then B2 dedup and storage: IngestWriter drops repeated ids of the
 * request and of the requests it groups it with, and ONE statement claims the rest against earlier ones
 * and stores the events and app users (see EventsRepository.insertEvents).
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly writer: IngestWriter,
    private readonly metrics: PrometheusService,
  ) {}

  async ingest(who: Principal, body: IngestBody): Promise<IngestResponse> {
    const receivedAt = new Date();
    const batch = body.events;
    if (!Array.isArray(batch) || batch.length === 0) throw new BadRequestException(IngestErrors.eventsRequired);
    if (batch.length > MAX_BATCH_SIZE) throw new BadRequestException(IngestErrors.batchTooLarge);
    if (who.kind !== 'api_key' || who.appId === null) throw new BadRequestException(IngestErrors.keyNotScoped);
    const app = who.app;
    if (app === null || app.deleted) throw new BadRequestException(IngestErrors.appGone);
    assertBundleId(app, body.bundle_id);

    // Every event on its own; repeated client_event_ids stay in `valid` (the writer keeps the first, B2).
    const valid: NormalizedEvent[] = [];
    const errors: IngestError[] = [];
    const rejectedFields: EventField[] = [];
    for (let i = 0; i < batch.length; i++) {
      const r = validateEvent(batch[i], i, app.platform, receivedAt);
      if (r.ok) {
        valid.push(r.event);
      } else {
        errors.push({ index: i, message: r.message });
        rejectedFields.push(r.field);
      }
    }
    if (valid.length === 0) return this.answer(batch.length, 0, errors, rejectedFields);

    // One statement (shared with concurrent requests): dedup claims, the events and their app users,
    // committed before the answer (B13).
    let stored: number;
    try {
      stored = await this.writer.write({ appId: who.appId, apiKeyId: who.keyId, receivedAt, events: valid });
    } catch (err) {
      if (!(err instanceof WriteQueueFullError)) throw err;
      this.metrics.countIngestBusy();
      throw new HttpExceptionWithHeaders(IngestErrors.serverBusy, HttpStatus.SERVICE_UNAVAILABLE, { 'retry-after': '1' });
    }
    return this.answer(batch.length, stored, errors, rejectedFields);
  }

  /** Counts the outcome (what was neither stored nor rejected was a duplicate) and answers it. */
  private answer(sent: number, stored: number, errors: IngestError[], rejectedFields: readonly EventField[]): IngestResponse {
    this.metrics.countIngest('accepted', stored);
    this.metrics.countIngest('rejected', errors.length);
    this.metrics.countIngest('deduplicated', sent - stored - errors.length);
    for (const field of rejectedFields) this.metrics.countIngestRejection(field);
    return toIngestResponse(stored, errors);
  }
}
