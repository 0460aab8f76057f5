import type { SchemaObject } from '@nestjs/swagger';
import { EVENT_ENVIRONMENTS } from '../events/events.constants';
import { object } from '../../common/openapi/schemas';
import { GROUP_BY_VALUES, METRIC_PHASES, METRIC_STATUSES } from './metric-rules';

/** Answer shapes of §2.12.1/§2.12.4 for the OpenAPI document (B11); every property always present. */
const uuid: SchemaObject = { type: 'string', format: 'uuid' };
const timestamp: SchemaObject = { type: 'string', format: 'date-time', example: '2024-03-08T14:22:05.417Z' };
const text: SchemaObject = { type: 'string' };
const nullable = (s: SchemaObject): SchemaObject => ({ ...s, nullable: true });
const freeObject: SchemaObject = { type: 'object', additionalProperties: true, nullable: true };
const int: SchemaObject = { type: 'integer' };
const num = (description?: string): SchemaObject => ({ type: 'number', nullable: true, ...(description ? { description } : {}) });

export const MetricDefinitionSchema = object(
  {
    id: uuid,
    project_id: uuid,
    name: text,
    slug: text,
    description: nullable(text),
    documentation: nullable(text),
    schema_definition: freeObject,
    aggregation_rules: freeObject,
    status: { type: 'string', enum: [...METRIC_STATUSES] },
    created_at: timestamp,
    updated_at: timestamp,
  },
  'A metric definition: what the SDKs report under `slug`.',
);

export const MetricDefinitionListSchema = object({ metrics: { type: 'array', items: MetricDefinitionSchema } });

export const MetricEventSchema = object(
  {
    id: uuid,
    app_id: uuid,
    session_id: nullable(uuid),
    user_id: nullable(text),
    api_key_id: nullable(uuid),
    metric_slug: text,
    phase: { type: 'string', enum: [...METRIC_PHASES] },
    tracking_id: nullable(uuid),
    duration_ms: nullable(int),
    error: nullable(text),
    attributes: { type: 'object', additionalProperties: true },
    environment: nullable({ type: 'string', enum: [...EVENT_ENVIRONMENTS] }),
    os_version: nullable(text),
    app_version: nullable(text),
    device_model: nullable(text),
    build_number: nullable(text),
    is_dev: { type: 'boolean' },
    client_event_id: nullable(uuid),
    timestamp,
    received_at: timestamp,
  },
  'One metric row as an SDK sent it.',
);

export const MetricEventPageSchema = object({
  events: { type: 'array', items: MetricEventSchema },
  cursor: nullable({ type: 'string', description: 'Opaque; pass it back as `cursor` for the next page.' }),
  has_more: { type: 'boolean' },
});

const groupSchema = object({
  key: { type: 'string', enum: [...GROUP_BY_VALUES] },
  value: nullable({
    type: 'string',
    description: 'Column text (null for rows without it), or the bucket start (ISO 8601 UTC with milliseconds) for `time:*`.',
  }),
  total_count: int,
  complete_count: int,
  fail_count: int,
  success_rate: num('Percentage, 2 decimals; null when complete + fail = 0.'),
  duration_avg_ms: num(),
});

const aggregation: SchemaObject = {
  ...object({
    total_count: int,
    start_count: int,
    complete_count: int,
    fail_count: int,
    cancel_count: int,
    record_count: int,
    success_rate: num('Percentage, 2 decimals; null when complete + fail = 0.'),
    duration_avg_ms: num('Mean over all phases, 2 decimals.'),
    duration_p50_ms: num('Exact percentile_cont, 2 decimals.'),
    duration_p95_ms: num('Exact percentile_cont, 2 decimals.'),
    duration_p99_ms: num('Exact percentile_cont, 2 decimals.'),
    unique_users: int,
    error_breakdown: { type: 'array', items: object({ error: text, count: int }), maxItems: 20 },
  }),
  description: '`groups` is present exactly when `group_by` was given.',
};
aggregation.properties = { ...aggregation.properties, groups: { type: 'array', items: groupSchema } };

export const MetricQueryResultSchema = object({ slug: text, aggregation });
