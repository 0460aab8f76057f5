import { BadRequestException, ForbiddenException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { AppUsersService } from '../apps/app-users.service';
import { AppsService } from '../apps/apps.service';
import { AppEntity } from '../apps/entities/app.entity';
import { IngestBody } from './dto/ingest-batch.dto';
import { DEDUP_WINDOW_MS, MAX_BATCH_SIZE, MAX_BUNDLE_ID_CHARS } from './events.constants';
import { IngestErrors } from './events.errors';
import { IngestError, IngestResponse, toIngestResponse } from './events.mapper';
import { EventsRepository } from './events.repository';
import { NormalizedEvent, exceedsCodePoints, validateEvent } from './ingest-validation';

/** §2.7 step 6: non-backend apps must name their own bundle id (exact, case-sensitive). */
function assertBundleId(app: AppEntity, bundleId: unknown): void {
  if (app.platform === 'backend' || app.bundleId === null) return; // backend apps ignore bundle_id
  if (typeof bundleId !== 'string') throw new BadRequestException(IngestErrors.bundleIdRequired);
  if (exceedsCodePoints(bundleId, MAX_BUNDLE_ID_CHARS)) throw new BadRequestException(IngestErrors.bundleIdTooLong);
  if (bundleId !== app.bundleId) throw new ForbiddenException(IngestErrors.bundleIdMismatch);
}

/**
 * POST /v1/ingest. Request-level checks in contract order (auth, permission and rate limit were the
 * guards'), then every event on its own (partial acceptance), then B2 dedup and storage in ONE transaction
 * with one statement per table: dedup claims, the events, the app users.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly ds: DataSource,
    private readonly apps: AppsService,
    private readonly appUsers: AppUsersService,
    private readonly events: EventsRepository,
  ) {}

  async ingest(who: Principal, body: IngestBody): Promise<IngestResponse> {
    const receivedAt = new Date();
    const batch = body.events;
    if (!Array.isArray(batch) || batch.length === 0) throw new BadRequestException(IngestErrors.eventsRequired);
    if (batch.length > MAX_BATCH_SIZE) throw new BadRequestException(IngestErrors.batchTooLarge);
    if (who.kind !== 'api_key' || who.appId === null) throw new BadRequestException(IngestErrors.keyNotScoped);
    const app = await this.apps.findActive(who.appId);
    if (!app) throw new BadRequestException(IngestErrors.appGone);
    assertBundleId(app, body.bundle_id);

    const valid: NormalizedEvent[] = [];
    const errors: IngestError[] = [];
    const seenInBatch = new Set<string>();
    for (let i = 0; i < batch.length; i++) {
      const r = validateEvent(batch[i], i, app.platform, receivedAt);
      if (!r.ok) {
        errors.push({ index: i, message: r.message });
        continue;
      }
      const id = r.event.clientEventId;
      if (id !== null) {
        if (seenInBatch.has(id)) continue; // only the first valid occurrence of an id counts (B2)
        seenInBatch.add(id);
      }
      valid.push(r.event);
    }
    if (valid.length === 0) return toIngestResponse(0, errors);

    const stored = await this.store(app.id, who.keyId, valid, [...seenInBatch], receivedAt);
    return toIngestResponse(stored, errors);
  }

  /** Returns how many events were stored (the others were duplicates of the last 48 hours). */
  private store(appId: string, keyId: string, valid: NormalizedEvent[], clientEventIds: string[], receivedAt: Date): Promise<number> {
    return this.ds.transaction(async (m) => {
      let toStore = valid;
      if (clientEventIds.length > 0) {
        // Sorted, so concurrent batches sharing ids take the unique-index locks in one order.
        clientEventIds.sort();
        const windowStart = new Date(receivedAt.getTime() - DEDUP_WINDOW_MS);
        const claimed = await this.events.claimClientEventIds(appId, clientEventIds, receivedAt, windowStart, m);
        if (claimed.size < clientEventIds.length) {
          toStore = valid.filter((e) => e.clientEventId === null || claimed.has(e.clientEventId));
        }
      }
      if (toStore.length === 0) return 0;
      await this.events.insertEvents(appId, keyId, receivedAt, toStore, m);
      const userIds = new Set<string>();
      for (const e of toStore) if (e.userId !== null) userIds.add(e.userId);
      if (userIds.size > 0) await this.appUsers.recordSeen(appId, [...userIds].sort(), receivedAt, m);
      return toStore.length;
    });
  }
}
