import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { Permission } from '../../common/auth/permission';
import { Principal } from '../../common/auth/principal';
import { CurrentPrincipal, RequirePermissions } from '../../common/decorators/auth.decorators';
import { RateLimitGuard } from '../../common/rate-limit/rate-limit.guard';
import { IngestBody } from './dto/ingest-batch.dto';
import { IngestResponse } from './events.mapper';
import { IngestService } from './ingest.service';

@Controller('ingest')
export class IngestController {
  constructor(private readonly ingestService: IngestService) {}

  @Post()
  @HttpCode(HttpStatus.OK) // Nest defaults POST to 201; the contract says 200 (even when every event is rejected)
  @RequirePermissions(Permission.EventsWrite)
  @UseGuards(RateLimitGuard) // route guard: after the global auth + permission guards, before body validation
  ingest(@CurrentPrincipal() who: Principal, @Body() body: IngestBody): Promise<IngestResponse> {
    return this.ingestService.ingest(who, body);
  }
}
