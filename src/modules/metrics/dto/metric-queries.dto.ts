import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';
import { parseTimestamp } from '../../../common/http/timestamp';
import { IsAnyJson, IsOneOf, IsUuidText } from '../../../common/pipes/validation';
import { DATA_MODES, DATA_MODE_DOC, EVENT_ENVIRONMENTS } from '../../events/events.constants';
import { GROUP_BY_VALUES, METRIC_PHASES } from '../metric-rules';
import { MetricErrors } from '../metrics.errors';

/** A §1.3 timestamp string; anything else → `message`. */
const IsTimestampText = (message: string) =>
  applyDecorators(
    ValidateBy({
      name: 'isTimestampText',
      validator: {
        validate: (value: unknown) => value === undefined || parseTimestamp(value) !== null,
        defaultMessage: () => message,
      },
    }),
    ApiProperty({ required: false, type: 'string' }),
  );

/** One of the group_by keys; the text names the value given. */
const IsGroupBy = () =>
  applyDecorators(
    ValidateBy({
      name: 'isGroupBy',
      validator: {
        validate: (value: unknown) => value === undefined || (typeof value === 'string' && GROUP_BY_VALUES.includes(value)),
        defaultMessage: (args) => MetricErrors.groupBy(String(args?.value)),
      },
    }),
    ApiProperty({ required: false, type: 'string', enum: [...GROUP_BY_VALUES] }),
  );

/**
 * GET …/metrics/:slug/events (§2.12.3). Properties in the contract's table order = the order the pipe
 * reports problems in; `cursor` is decoded by the service after these, `limit` clamped (never an error).
 */
export class ListMetricEventsQueryDto {
  @IsOneOf(METRIC_PHASES, MetricErrors.phase) phase?: string;
  @IsUuidText({ uuidMessage: MetricErrors.trackingIdUuid }) tracking_id?: string;
  @IsAnyJson({ type: 'string' }) user_id?: string;
  @IsOneOf(EVENT_ENVIRONMENTS, MetricErrors.environment) environment?: string;
  @IsTimestampText(MetricErrors.since) since?: string;
  @IsTimestampText(MetricErrors.until) until?: string;
  @ApiProperty({ required: false, type: 'string', ...DATA_MODE_DOC })
  @IsOneOf(DATA_MODES, MetricErrors.dataMode)
  data_mode?: string;
  @IsAnyJson({ type: 'string' }) cursor?: string;
  @IsAnyJson({ type: 'integer' }) limit?: string;
}

/**
 * GET …/metrics/:slug/query (§2.12.4), in table order. `tz` is last in the table, so the service checks it
 * (against PostgreSQL's zone list) after everything here and before the project lookup — still in order.
 */
export class MetricQueryDto {
  @IsTimestampText(MetricErrors.since) since?: string;
  @IsTimestampText(MetricErrors.until) until?: string;
  @IsUuidText({ uuidMessage: MetricErrors.appIdUuid }) app_id?: string;
  @IsAnyJson({ type: 'string' }) app_version?: string;
  @IsAnyJson({ type: 'string' }) device_model?: string;
  @IsAnyJson({ type: 'string' }) os_version?: string;
  @IsAnyJson({ type: 'string' }) user_id?: string;
  @IsOneOf(EVENT_ENVIRONMENTS, MetricErrors.environment) environment?: string;
  @ApiProperty({ required: false, type: 'string', ...DATA_MODE_DOC })
  @IsOneOf(DATA_MODES, MetricErrors.dataMode)
  data_mode?: string;
  @IsGroupBy() group_by?: string;
  @IsAnyJson({
    type: 'string',
    description: 'IANA time zone (e.g. `Europe/Berlin`) in which `time:*` groups start their buckets; default UTC.',
    example: 'Europe/Berlin',
  })
  tz?: string;
}
