import { toIso } from '../../common/http/timestamp';
import { MetricDefinitionEntity } from './entities/metric-definition.entity';
import { MetricAggregateRow, MetricEventRow, MetricGroupRow } from './metric-events.repository';
import { GroupBy, isTimeGroup, round2OrNull, successRate } from './metric-rules';

/** §2.12.1 MetricDefinition. Every field present. */
export interface MetricDefinitionResponse {
  id: string;
  project_id: string;
  name: string;
  slug: string;
  description: string | null;
  documentation: string | null;
  schema_definition: Record<string, unknown> | null;
  aggregation_rules: Record<string, unknown> | null;
  status: string;
  created_at: string;
  updated_at: string;
}

/** §2.12.1 MetricEvent (one metric row). */
export interface MetricEventResponse {
  id: string;
  app_id: string;
  session_id: string | null;
  user_id: string | null;
  api_key_id: string | null;
  metric_slug: string;
  phase: string;
  tracking_id: string | null;
  duration_ms: number | null;
  error: string | null;
  attributes: Record<string, unknown>;
  environment: string | null;
  os_version: string | null;
  app_version: string | null;
  device_model: string | null;
  build_number: string | null;
  is_dev: boolean;
  client_event_id: string | null;
  timestamp: string;
  received_at: string;
}

export interface MetricEventPageResponse {
  events: MetricEventResponse[];
  cursor: string | null;
  has_more: boolean;
}

export interface MetricGroupResponse {
  key: string;
  value: string | null;
  total_count: number;
  complete_count: number;
  fail_count: number;
  success_rate: number | null;
  duration_avg_ms: number | null;
}

export interface MetricAggregationResponse {
  total_count: number;
  start_count: number;
  complete_count: number;
  fail_count: number;
  cancel_count: number;
  record_count: number;
  success_rate: number | null;
  duration_avg_ms: number | null;
  duration_p50_ms: number | null;
  duration_p95_ms: number | null;
  duration_p99_ms: number | null;
  unique_users: number;
  error_breakdown: { error: string; count: number }[];
  /** Present exactly when group_by was given. */
  groups?: MetricGroupResponse[];
}

export interface MetricQueryResponse {
  slug: string;
  aggregation: MetricAggregationResponse;
}

export const toMetricDefinitionResponse = (d: MetricDefinitionEntity): MetricDefinitionResponse => ({
  id: d.id,
  project_id: d.projectId,
  name: d.name,
  slug: d.slug,
  description: d.description,
  documentation: d.documentation,
  schema_definition: d.schemaDefinition,
  aggregation_rules: d.aggregationRules,
  status: d.status,
  created_at: toIso(d.createdAt),
  updated_at: toIso(d.updatedAt),
});

export const toMetricEventResponse = (e: MetricEventRow): MetricEventResponse => ({
  id: e.id,
  app_id: e.appId,
  session_id: e.sessionId,
  user_id: e.userId,
  api_key_id: e.apiKeyId,
  metric_slug: e.metricSlug,
  phase: e.phase,
  tracking_id: e.trackingId,
  duration_ms: e.durationMs,
  error: e.error,
  attributes: e.attributes,
  environment: e.environment,
  os_version: e.osVersion,
  app_version: e.appVersion,
  device_model: e.deviceModel,
  build_number: e.buildNumber,
  is_dev: e.isDev,
  client_event_id: e.clientEventId,
  timestamp: toIso(e.timestamp),
  received_at: toIso(e.receivedAt),
});

const toGroupResponse = (key: GroupBy, g: MetricGroupRow): MetricGroupResponse => ({
  key,
  // Time buckets come back as instants and are printed as §1.3 strings; column groups as their text.
  value: g.value === null ? null : isTimeGroup(key) ? toIso(g.value as Date) : (g.value as string),
  total_count: g.totalCount,
  complete_count: g.completeCount,
  fail_count: g.failCount,
  success_rate: successRate(g.completeCount, g.failCount),
  duration_avg_ms: round2OrNull(g.durationAvg),
});

/** The §2.12.4 answer; rounding happens here, on the exact values SQL computed. */
export function toMetricQueryResponse(slug: string, a: MetricAggregateRow, groupBy: GroupBy | undefined): MetricQueryResponse {
  const aggregation: MetricAggregationResponse = {
    total_count: a.totalCount,
    start_count: a.startCount,
    complete_count: a.completeCount,
    fail_count: a.failCount,
    cancel_count: a.cancelCount,
    record_count: a.recordCount,
    success_rate: successRate(a.completeCount, a.failCount),
    duration_avg_ms: round2OrNull(a.durationAvg),
    duration_p50_ms: round2OrNull(a.p50),
    duration_p95_ms: round2OrNull(a.p95),
    duration_p99_ms: round2OrNull(a.p99),
    unique_users: a.uniqueUsers,
    error_breakdown: a.errors.map((e) => ({ error: e.error, count: e.count })),
  };
  if (groupBy !== undefined) aggregation.groups = a.groups.map((g) => toGroupResponse(groupBy, g));
  return { slug, aggregation };
}
