import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateBy, ValidationArguments } from 'class-validator';
import { parseTimestamp } from '../../../common/http/timestamp';
import { IsAnyJson, IsOneOf, IsText, IsUuidText, RequireFields } from '../../../common/pipes/validation';
import { DATA_MODES, DATA_MODE_DOC, EVENT_ENVIRONMENTS } from '../../events/events.constants';
import { FUNNEL_MODES, FunnelMode, parseConversionWindow, parseExperiment, parseGroupBy } from '../funnel-query';
import { FunnelErrors } from '../funnels.errors';

const STEPS_DOC = {
  type: 'array',
  minItems: 1,
  maxItems: 20,
  description:
    'Each entry `{"name": string (1–255), "event_filter": {"message"?: string, "screen_name"?: string}}` ; `message` matches the whole message (e.g. `track:checkout_started`), `screen_name` the screen.',
  items: { type: 'object' },
} as const;

/** POST /v1/projects/:projectId/funnels. Slug format and steps are checked by the service, after these. */
@RequireFields(['name', 'slug'], FunnelErrors.createRequired)
export class CreateFunnelDto {
  @IsText() name: string;
  @IsText() slug: string;
  @IsText({ max: 10_000 }) description?: string;
  @IsAnyJson(STEPS_DOC) steps?: unknown;
}

/**
 * PATCH …/funnels/:slug. `description: null` (and `""`) is a supplied value that the normalised body loses,
 * so the controller also reads the raw `description`; "at least one field" is decided by the service.
 */
export class UpdateFunnelDto {
  @IsText() name?: string;
  @ApiProperty({ required: false, type: 'string', nullable: true, maxLength: 10_000 })
  @IsText({ max: 10_000 })
  description?: string;
  @IsAnyJson(STEPS_DOC) steps?: unknown;
}

/** A query parameter checked by `valid`; anything else → `message`. */
const QueryRule = (name: string, valid: (v: string) => boolean, message: string) =>
  ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => value === undefined || (typeof value === 'string' && valid(value)),
      defaultMessage: () => message,
    },
  });

/** B18: the value's own rule first, then "closed mode only". */
const conversionWindowProblem = (value: unknown, query: object): string | null => {
  if (typeof value !== 'string' || parseConversionWindow(value) === null) return FunnelErrors.conversionWindow;
  return (query as Record<string, unknown>).mode === FunnelMode.Open ? FunnelErrors.conversionWindowOpen : null;
};

/**
 * Query of GET …/funnels/:slug/query (§2.13.4), declared in table order — the order the pipe reports
 * problems in. Values are strings (empty ones dropped, repeated names refused by the pipe).
 */
export class FunnelQueryDto {
  @ApiPropertyOptional({ type: 'string', description: 'Inclusive; default now − 30 days.' })
  @QueryRule('since', (v) => parseTimestamp(v) !== null, FunnelErrors.since)
  since?: string;

  @ApiPropertyOptional({ type: 'string', description: 'Inclusive; default now.' })
  @QueryRule('until', (v) => parseTimestamp(v) !== null, FunnelErrors.until)
  until?: string;

  @IsUuidText({ uuidMessage: FunnelErrors.appId }) app_id?: string;
  @IsAnyJson({ type: 'string', description: 'Exact match.' }) app_version?: string;
  @IsOneOf(EVENT_ENVIRONMENTS, FunnelErrors.environment) environment?: string;

  @ApiPropertyOptional({ type: 'string', description: '`name:variant` (split at the first colon).', example: 'paywall:b' })
  @QueryRule('experiment', (v) => parseExperiment(v) !== null, FunnelErrors.experiment)
  experiment?: string;

  @IsOneOf(FUNNEL_MODES, FunnelErrors.mode) mode?: string;

  @ApiPropertyOptional({ type: 'string', description: '`environment`, `app_version` or `experiment:<name>`.' })
  @QueryRule('groupBy', (v) => parseGroupBy(v) !== null, FunnelErrors.groupBy)
  group_by?: string;

  @ApiPropertyOptional({ type: 'string', ...DATA_MODE_DOC })
  @IsOneOf(DATA_MODES, FunnelErrors.dataMode)
  data_mode?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 2_592_000,
    description: 'Seconds a user has from the first step to the last (closed mode only; with `mode=open` it is refused).',
  })
  @ValidateBy({
    name: 'conversionWindow',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        value === undefined || conversionWindowProblem(value, args!.object) === null,
      defaultMessage: (args?: ValidationArguments) => conversionWindowProblem(args!.value, args!.object) ?? '',
    },
  })
  conversion_window?: string;
}
