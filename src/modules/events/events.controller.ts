import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Permission } from '../../common/auth/permission';
import { Principal } from '../../common/auth/principal';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { RateLimitGuard } from '../../common/rate-limit/rate-limit.guard';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { pageOf } from '../../common/openapi/schemas';
import { ListEventsQueryDto } from './dto/list-events-query.dto';
import { EventQueryErrors } from './events.errors';
import { EventPageResponse, EventResponse } from './events.mapper';
import { EventsQueryService } from './events-query.service';

@ApiTags('Events')
@Controller('events')
export class EventsController {
  constructor(private readonly query: EventsQueryService) {}

  @Get()
  @Access({ permissions: [Permission.EventsRead] })
  @UseGuards(RateLimitGuard)
  @ApiOperation({
    summary: 'Search events of the accessible apps, newest first (cursor pages)',
    description:
      '`data_mode` defaults to `production`: events sent with `is_dev: true` (development builds) are hidden unless you ask ' +
      'for them with `data_mode=development` (only those) or `data_mode=all`.',
  })
  @ApiOk(pageOf('events', 'Event'))
  @ApiErrors([
    400,
    'team_id must be a valid UUID',
    'app_id must be a valid UUID',
    'project_id must be a valid UUID',
    EventQueryErrors.level,
    'session_id must be a valid UUID',
    EventQueryErrors.environment,
    EventQueryErrors.since,
    EventQueryErrors.until,
    EventQueryErrors.dataMode,
    EventQueryErrors.invalidCursor,
  ])
  list(@CurrentPrincipal() who: Principal, @Query() q: ListEventsQueryDto): Promise<EventPageResponse> {
    return this.query.list(who, q);
  }

  @Get(':id')
  @Access({ permissions: [Permission.EventsRead] })
  @ApiOperation({ summary: 'One event (production or development: no data_mode filter applies)' })
  @ApiOk('Event')
  @ApiErrors([404, EventQueryErrors.notFound])
  get(@CurrentPrincipal() who: Principal, @Param('id') id: string): Promise<EventResponse> {
    return this.query.get(who, id);
  }
}
