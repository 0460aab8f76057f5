import { Injectable } from '@nestjs/common';
import { Principal } from '../../common/auth/principal';
import { parseTimestamp } from '../../common/http/timestamp';
import { DataMode, isDevFilterOf } from '../events/events.constants';
import { DEFAULT_QUERY_SPAN_MS, FunnelMode, parseConversionWindow, parseExperiment, parseGroupBy, stepAnalytics } from './funnel-query';
import { FunnelQueryResponse, toFunnelResponse } from './funnels.mapper';
import { FunnelsRepository } from './funnels.repository';
import { FunnelsService } from './funnels.service';

/** Query parameters as the DTO let them through: strings, each already valid or absent. */
export interface FunnelQueryParams {
  since?: string;
  until?: string;
  app_id?: string;
  app_version?: string;
  environment?: string;
  experiment?: string;
  mode?: string;
  group_by?: string;
  data_mode?: string;
  conversion_window?: string;
}

/** `GET /v1/projects/:projectId/funnels/:slug/query` (SPEC §2.13.4, B17, B18, B20, B22). */
@Injectable()
export class FunnelQueryService {
  constructor(
    private readonly funnels: FunnelsService,
    private readonly repository: FunnelsRepository,
  ) {}

  async query(who: Principal, projectId: string, slug: string, params: FunnelQueryParams): Promise<FunnelQueryResponse> {
    const now = Date.now();
    const funnel = await this.funnels.getBySlug(who, projectId, slug);
    const mode = (params.mode as FunnelMode | undefined) ?? FunnelMode.Closed;
    const groupBy = params.group_by !== undefined ? (parseGroupBy(params.group_by) ?? undefined) : undefined;
    const counts = await this.repository.countFunnel({
      projectId: funnel.projectId,
      steps: funnel.steps,
      since: params.since !== undefined ? parseTimestamp(params.since)! : new Date(now - DEFAULT_QUERY_SPAN_MS),
      until: params.until !== undefined ? parseTimestamp(params.until)! : new Date(now),
      appId: params.app_id?.toLowerCase(),
      appVersion: params.app_version,
      environment: params.environment,
      experiment: params.experiment !== undefined ? (parseExperiment(params.experiment) ?? undefined) : undefined,
      isDev: isDevFilterOf((params.data_mode as DataMode | undefined) ?? DataMode.Production),
      mode,
      groupBy,
      conversionWindowS:
        params.conversion_window !== undefined ? (parseConversionWindow(params.conversion_window) ?? undefined) : undefined,
    });
    const names = funnel.steps.map((s) => s.name);
    return {
      slug: funnel.slug,
      analytics: {
        funnel: toFunnelResponse(funnel),
        mode,
        total_users: counts.users[0] ?? 0,
        steps: stepAnalytics(names, counts.users),
        ...(groupBy
          ? {
              breakdown: counts.groups.map((g) => ({
                key: groupBy.key,
                value: g.value,
                total_users: g.users[0] ?? 0,
                steps: stepAnalytics(names, g.users),
              })),
            }
          : {}),
      },
    };
  }
}
