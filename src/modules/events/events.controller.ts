import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { Permission } from '../../common/auth/permission';
import { Principal } from '../../common/auth/principal';
import { CurrentPrincipal, RequirePermissions } from '../../common/decorators/auth.decorators';
import { RateLimitGuard } from '../../common/rate-limit/rate-limit.guard';
import { ListEventsQueryDto } from './dto/list-events-query.dto';
import { EventPageResponse, EventResponse } from './events.mapper';
import { EventsQueryService } from './events-query.service';

@Controller('events')
export class EventsController {
  constructor(private readonly query: EventsQueryService) {}

  @Get()
  @RequirePermissions(Permission.EventsRead)
  @UseGuards(RateLimitGuard)
  list(@CurrentPrincipal() who: Principal, @Query() q: ListEventsQueryDto): Promise<EventPageResponse> {
    return this.query.list(who, q);
  }

  @Get(':id')
  @RequirePermissions(Permission.EventsRead)
  get(@CurrentPrincipal() who: Principal, @Param('id') id: string): Promise<EventResponse> {
    return this.query.get(who, id);
  }
}
