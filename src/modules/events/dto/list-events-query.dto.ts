import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';
import { BadRequestException } from '@nestjs/common';
import { IsAnyJson, IsOneOf, IsUuidText, PlainValidator } from '../../../common/pipes/validation';
import { parseTimestamp } from '../../../common/http/timestamp';
import { isUuid } from '../../../common/http/uuid';
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

const FIELDS = [
  'team_id',
  'app_id',
  'project_id',
  'level',
  'user_id',
  'session_id',
  'environment',
  'screen_name',
  'since',
  'until',
  'data_mode',
  'cursor',
  'limit',
] as const;

/**
 * The checks of the decorators below as one plain function (the hottest read route: no class-transformer or
 * class-validator work per request). The query's values are non-empty strings (ContractValidationPipe's
 * normalizeQuery); the first problem in declaration order answers 400; unknown names are dropped.
 */
export function validateListEventsQuery(plain: Record<string, unknown>): ListEventsQueryDto {
  const uuidProblem = (field: string): void => {
    const v = plain[field];
    if (v === undefined) return;
    if (typeof v !== 'string') throw new BadRequestException(`${field} must be a string`);
    if (!isUuid(v)) throw new BadRequestException(`${field} must be a valid UUID`);
  };
  const oneOf = (field: string, values: readonly string[], message: string): void => {
    const v = plain[field];
    if (v !== undefined && !(typeof v === 'string' && values.includes(v))) throw new BadRequestException(message);
  };
  const timestampText = (field: string, message: string): void => {
    const v = plain[field];
    if (v !== undefined && parseTimestamp(v) === null) throw new BadRequestException(message);
  };
  uuidProblem('team_id');
  uuidProblem('app_id');
  uuidProblem('project_id');
  oneOf('level', EVENT_LEVELS, EventQueryErrors.level);
  uuidProblem('session_id');
  oneOf('environment', EVENT_ENVIRONMENTS, EventQueryErrors.environment);
  timestampText('since', EventQueryErrors.since);
  timestampText('until', EventQueryErrors.until);
  oneOf('data_mode', DATA_MODES, EventQueryErrors.dataMode);
  const out = new ListEventsQueryDto();
  for (const f of FIELDS) if (plain[f] !== undefined) out[f] = plain[f] as string;
  return out;
}

/**
 * Query of GET /v1/events (§2.8). Properties are declared in the order the contract lists them, which is
 * the order the pipe reports problems in; `cursor` is decoded by the service, after these checks.
 * Values are strings (empty ones were dropped, repeated names refused by the pipe).
 */
@PlainValidator(validateListEventsQuery)
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
