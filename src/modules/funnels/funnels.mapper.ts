import { toIso } from '../../common/http/timestamp';
import { FunnelDefinitionEntity } from './entities/funnel-definition.entity';
import { FunnelStepAnalytics } from './funnel-query';
import { FunnelStep } from './funnel-steps';

/** FunnelDefinition (SPEC §2.13.1). */
export interface FunnelDefinitionResponse {
  id: string;
  project_id: string;
  name: string;
  slug: string;
  description: string | null;
  steps: FunnelStep[];
  created_at: string;
  updated_at: string;
}

export interface FunnelBreakdownEntry {
  key: string;
  value: string;
  total_users: number;
  steps: FunnelStepAnalytics[];
}

/** The answer of `GET …/funnels/:slug/query`; `breakdown` only when `group_by` was given. */
export interface FunnelQueryResponse {
  slug: string;
  analytics: {
    funnel: FunnelDefinitionResponse;
    mode: string;
    total_users: number;
    steps: FunnelStepAnalytics[];
    breakdown?: FunnelBreakdownEntry[];
  };
}

/** Steps go out exactly as stored: `{name, event_filter}` with the filter fields that were supplied. */
const toStep = (s: FunnelStep): FunnelStep => ({
  name: s.name,
  event_filter: {
    ...(s.event_filter.message !== undefined ? { message: s.event_filter.message } : {}),
    ...(s.event_filter.screen_name !== undefined ? { screen_name: s.event_filter.screen_name } : {}),
  },
});

export const toFunnelResponse = (f: FunnelDefinitionEntity): FunnelDefinitionResponse => ({
  id: f.id,
  project_id: f.projectId,
  name: f.name,
  slug: f.slug,
  description: f.description,
  steps: f.steps.map(toStep),
  created_at: toIso(f.createdAt),
  updated_at: toIso(f.updatedAt),
});
