import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { Permission } from '../../common/auth/permission';
import { Principal } from '../../common/auth/principal';
import { CurrentPrincipal, RequirePermissions } from '../../common/decorators/auth.decorators';
import { IdentityClaimDto } from './dto/identity-claim.dto';
import { IdentityClaimResponse } from './events.mapper';
import { IdentityClaimService } from './identity-claim.service';

@Controller('identity')
export class IdentityController {
  constructor(private readonly claims: IdentityClaimService) {}

  @Post('claim')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions(Permission.EventsWrite)
  claim(@CurrentPrincipal() who: Principal, @Body() body: IdentityClaimDto): Promise<IdentityClaimResponse> {
    return this.claims.claim(who, body);
  }
}
