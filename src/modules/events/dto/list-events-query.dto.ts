import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';
import { IsAnyJson, IsOneOf, IsUuidText } from '../../../common/pipes/validation';
import { parseTimestamp } from '../../../common/http/timestamp';
import { DATA_MODES, DATA_MODE_DOC, EVENT_ENVIRONMENTS, EVENT_LEVELS } from '../events.constants';
import { EventQueryErrors } from '../events.errors';

/** A §1.3 timestamp string; anything else → `message`. */
const IsTimestampText = (message: string) =>
  ValidateBy({
    name: 'isTimestampText',
    validator: {
      validate: (value: unknown) => value === undefined || parseTimestamp(value) !== null,
      defaultMessage: () => message,
    },
  });

/**
 * Query of GET /v1/events (§2.8). Properties are declared in the order the contract lists them, which is
 * the order the pipe reports problems in; `cursor` is decoded by the service, after these checks.
 * Values are strings (empty ones were dropped, repeated names refused by the pipe).
 */
export class ListEventsQueryDto {
  @IsUuidText() team_id?: string;
  @IsUuidText() app_id?: string;
  @IsUuidText() project_id?: string;
  @IsOneOf(EVENT_LEVELS, EventQueryErrors.level) level?: string;
  @IsAnyJson() user_id?: string;
  @IsUuidText() session_id?: string;
  @IsOneOf(EVENT_ENVIRONMENTS, EventQueryErrors.environment) environment?: string;
  @IsAnyJson() screen_name?: string;
  @ApiPropertyOptional({ type: 'string' })
  @IsTimestampText(EventQueryErrors.since)
  since?: string;
  @ApiPropertyOptional({ type: 'string' })
  @IsTimestampText(EventQueryErrors.until)
  until?: string;
  @ApiPropertyOptional({ type: 'string', ...DATA_MODE_DOC })
  @IsOneOf(DATA_MODES, EventQueryErrors.dataMode)
  data_mode?: string;
  @IsAnyJson() cursor?: string;
  @IsAnyJson() limit?: string;
}
