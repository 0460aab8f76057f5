import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Permission } from '../../common/auth/permission';
import { Principal } from '../../common/auth/principal';
import { Access, CurrentPrincipal } from '../../common/decorators/auth.decorators';
import { ApiErrors, ApiOk } from '../../common/openapi/openapi.decorators';
import { IdentityClaimDto } from './dto/identity-claim.dto';
import { ClaimErrors } from './events.errors';
import { IdentityClaimResponse } from './events.mapper';
import { IdentityClaimService } from './identity-claim.service';

@ApiTags('Ingest')
@Controller('identity')
export class IdentityController {
  constructor(private readonly claims: IdentityClaimService) {}

  @Post('claim')
  @HttpCode(HttpStatus.OK)
  @Access({ permissions: [Permission.EventsWrite] })
  @ApiOperation({
    summary: "Link an anonymous id's events and app user to a real user id (client key)",
    description: 'Flush queued events first: events arriving later with the anonymous id are not re-labelled.',
  })
  @ApiOk('IdentityClaimResult')
  @ApiErrors(
    [
      400,
      ClaimErrors.anonymousIdRequired,
      ClaimErrors.userIdRequired,
      ClaimErrors.anonymousPrefix,
      ClaimErrors.userIdAnonymous,
      ClaimErrors.tooLong('anonymous_id'),
      ClaimErrors.tooLong('user_id'),
      ClaimErrors.clientKeyNotScoped,
    ],
    [404, ClaimErrors.noEvents],
  )
  claim(@CurrentPrincipal() who: Principal, @Body() body: IdentityClaimDto): Promise<IdentityClaimResponse> {
    return this.claims.claim(who, body);
  }
}
