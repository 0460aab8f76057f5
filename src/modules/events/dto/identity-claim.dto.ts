import { IsAnyJson } from '../../../common/pipes/validation';

/**
 * Body of POST /v1/identity/claim. The contract interleaves the two fields' checks (both "required" texts
 * before either prefix rule, lengths last), so both are kept as sent and checked by claimProblem().
 */
export class IdentityClaimDto {
  @IsAnyJson() anonymous_id?: unknown;
  @IsAnyJson() user_id?: unknown;
}
