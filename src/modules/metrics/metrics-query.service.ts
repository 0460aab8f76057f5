import { BadRequestException, Injectable } from '@nestjs/common';
import { Principal } from '../../common/auth/principal';
import { CursorPosition, decodeCursor, normalizeLimit, pageOf } from '../../common/http/pagination';
import { pgSafeText } from '../../common/http/pg-text';
import { parseTimestamp } from '../../common/http/timestamp';
import { DataMode, isDevFilterOf } from '../events/events.constants';
import { ListMetricEventsQueryDto, MetricQueryDto } from './dto/metric-queries.dto';
import { MetricEventsRepository } from './metric-events.repository';
import { DEFAULT_QUERY_WINDOW_MS, GroupBy } from './metric-rules';
import { MetricEventPageResponse, MetricQueryResponse, toMetricEventResponse, toMetricQueryResponse } from './metrics.mapper';
import { MetricErrors } from './metrics.errors';
import { MetricsService } from './metrics.service';
import { ZoneIndex, resolveTimeZone, zoneIndexOf } from './time-zones';

const timestampOrUndefined = (v: string | undefined): Date | undefined => (v === undefined ? undefined : (parseTimestamp(v) ?? undefined));

/**
 * Raw metric rows (§2.12.3) and the aggregation query (§2.12.4). Neither needs a definition; both read
 * the metric rows of the project's live apps. Parameter 400s come before the project lookup (contract order).
 */
@Injectable()
export class MetricsQueryService {
  private zones: Promise<ZoneIndex> | null = null;

  constructor(
    private readonly rows: MetricEventsRepository,
    private readonly definitions: MetricsService,
  ) {}

  async listEvents(who: Principal, projectId: string, slug: string, q: ListMetricEventsQueryDto): Promise<MetricEventPageResponse> {
    let cursor: CursorPosition | undefined;
    if (q.cursor !== undefined) {
      cursor = decodeCursor(q.cursor) ?? undefined;
      if (!cursor) throw new BadRequestException(MetricErrors.invalidCursor);
    }
    const limit = normalizeLimit(q.limit);
    const project = await this.definitions.resolveProject(who, projectId);
    const rows = await this.rows.list({
      projectId: project.id,
      slug: pgSafeText(slug),
      phase: q.phase,
      trackingId: q.tracking_id?.toLowerCase(),
      userId: q.user_id,
      environment: q.environment,
      since: timestampOrUndefined(q.since),
      until: timestampOrUndefined(q.until),
      isDev: isDevFilterOf((q.data_mode as DataMode | undefined) ?? DataMode.Production),
      cursor,
      fetch: limit + 1,
    });
    const page = pageOf(rows, limit, (r) => ({ timestamp: r.timestamp, id: r.id }));
    return { events: page.items.map(toMetricEventResponse), cursor: page.cursor, has_more: page.has_more };
  }

  async query(who: Principal, projectId: string, slug: string, q: MetricQueryDto): Promise<MetricQueryResponse> {
    const tz = q.tz === undefined ? 'UTC' : resolveTimeZone(q.tz, await this.zoneIndex());
    if (tz === null) throw new BadRequestException(MetricErrors.tz);
    const project = await this.definitions.resolveProject(who, projectId);
    const groupBy = q.group_by as GroupBy | undefined;
    const aggregate = await this.rows.aggregate({
      projectId: project.id,
      slug: pgSafeText(slug),
      // An app_id that is not a live app of the project selects nothing: the all-zero answer, still 200.
      appId: q.app_id?.toLowerCase(),
      since: timestampOrUndefined(q.since) ?? new Date(Date.now() - DEFAULT_QUERY_WINDOW_MS),
      until: timestampOrUndefined(q.until),
      appVersion: q.app_version,
      deviceModel: q.device_model,
      osVersion: q.os_version,
      userId: q.user_id,
      environment: q.environment,
      isDev: isDevFilterOf((q.data_mode as DataMode | undefined) ?? DataMode.Production),
      groupBy,
      tz,
    });
    return toMetricQueryResponse(slug, aggregate, groupBy);
  }

  /** PostgreSQL's zone names, read once (the list only changes with a server upgrade); a failed read is retried. */
  private zoneIndex(): Promise<ZoneIndex> {
    if (!this.zones) {
      const loading = this.rows.timeZoneNames().then(zoneIndexOf);
      loading.catch(() => {
        this.zones = null;
      });
      this.zones = loading;
    }
    return this.zones;
  }
}
