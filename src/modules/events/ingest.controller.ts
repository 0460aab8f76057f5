import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Permission } from '../../common/auth/permission';
import { Principal } from '../../common/auth/principal';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { RateLimitGuard } from '../../common/rate-limit/rate-limit.guard';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { ref } from '../../common/openapi/schemas';
import { IngestBody } from './dto/ingest-batch.dto';
import { IngestErrors } from './events.errors';
import { IngestResponse } from './events.mapper';
import { IngestService } from './ingest.service';

@ApiTags('Ingest')
@Controller('ingest')
export class IngestController {
  constructor(private readonly ingestService: IngestService) {}

  @Post()
  @HttpCode(HttpStatus.OK) // Nest defaults POST to 201; the contract says 200 (even when every event is rejected)
  @Access({ permissions: [Permission.EventsWrite] })
  @UseGuards(RateLimitGuard) // route guard: after the global auth + permission guards, before body validation
  @ApiOperation({
    summary: 'Send a batch of up to 100 events (client key)',
    description:
      'Each event is checked on its own: rejected events are reported in `errors` and the rest are stored. Events whose `client_event_id` this app already received in the last 48 hours are dropped silently.',
  })
  @ApiBody({ schema: ref('IngestRequest') })
  @ApiOk('IngestResult')
  @ApiErrors(
    [
      400,
      IngestErrors.eventsRequired,
      IngestErrors.batchTooLarge,
      IngestErrors.keyNotScoped,
      IngestErrors.appGone,
      IngestErrors.bundleIdRequired,
      IngestErrors.bundleIdTooLong,
    ],
    [403, IngestErrors.bundleIdMismatch],
  )
  ingest(@CurrentPrincipal() who: Principal, @Body() body: IngestBody): Promise<IngestResponse> {
    return this.ingestService.ingest(who, body);
  }
}
