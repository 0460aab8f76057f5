import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Permission } from '../../common/auth/permission';
import { Principal } from '../../common/auth/principal';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { RateLimitGuard } from '../../common/rate-limit/rate-limit.guard';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { pageOf, serializerSchema } from '../../common/openapi/schemas';
import { ListEventsQueryDto } from './dto/list-events-query.dto';
import { EventQueryErrors } from './events.errors';
import { EventPageResponse, EventResponse } from './events.mapper';
import { EventsQueryService } from './events-query.service';
import { EVENTS_SCHEMAS } from './events.schemas';

/** The events page, documented (ApiOk) and serialised by Fastify's compiled serializer (RouteSchema) from one definition. */
const EVENT_PAGE = pageOf('events', 'Event');

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
  @ApiOk(EVENT_PAGE)
  @RouteSchema({ response: { 200: serializerSchema(EVENT_PAGE, EVENTS_SCHEMAS) } })
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
