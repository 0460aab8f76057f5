import type { SchemaObject } from '@nestjs/swagger';
import { object } from '../../common/openapi/schemas';
import { FUNNEL_MODES } from './funnel-query';

/** OpenAPI shapes of the funnels answers (B11), inlined in the operations that return them. */
const uuid: SchemaObject = { type: 'string', format: 'uuid' };
const timestamp: SchemaObject = { type: 'string', format: 'date-time', example: '2024-03-08T14:22:05.417Z' };
const text: SchemaObject = { type: 'string' };
const int: SchemaObject = { type: 'integer' };
const num: SchemaObject = { type: 'number' };

const step: SchemaObject = object({
  name: { type: 'string', maxLength: 255 },
  event_filter: {
    type: 'object',
    description: 'Holds only the supplied ones of `message` (full message, `track:` prefix included) and `screen_name`.',
    properties: { message: { type: 'string', maxLength: 10_000 }, screen_name: { type: 'string', maxLength: 512 } },
  },
});

export const FUNNEL_DEFINITION_SCHEMA: SchemaObject = object({
  id: uuid,
  project_id: uuid,
  name: text,
  slug: text,
  description: { type: 'string', nullable: true },
  steps: { type: 'array', items: step, minItems: 1, maxItems: 20 },
  created_at: timestamp,
  updated_at: timestamp,
});

export const FUNNEL_LIST_SCHEMA: SchemaObject = object({ funnels: { type: 'array', items: FUNNEL_DEFINITION_SCHEMA } });

const stepAnalytics: SchemaObject = object({
  step_index: int,
  step_name: text,
  unique_users: int,
  percentage: num,
  drop_off_count: int,
  drop_off_percentage: num,
});

export const FUNNEL_QUERY_SCHEMA: SchemaObject = object({
  slug: text,
  analytics: {
    type: 'object',
    required: ['funnel', 'mode', 'total_users', 'steps'],
    properties: {
      funnel: FUNNEL_DEFINITION_SCHEMA,
      mode: { type: 'string', enum: [...FUNNEL_MODES] },
      total_users: int,
      steps: { type: 'array', items: stepAnalytics },
      breakdown: {
        type: 'array',
        description: 'Present exactly when `group_by` is given; groups ordered by `value` (code points).',
        items: object({ key: text, value: text, total_users: int, steps: { type: 'array', items: stepAnalytics } }),
      },
    },
  },
});
