import { IsAnyJson } from '../../../common/pipes/validation';

/**
 * Body of POST /v1/identity/claim. The contract interleaves the two fields' checks (both "required" texts
 * before either prefix rule, lengths last), so both are kept as sent and checked by claimProblem().
 */
export class IdentityClaimDto {
  @IsAnyJson({ type: 'string', maxLength: 512, pattern: '^owl_anon_', required: true }) anonymous_id?: unknown;
  @IsAnyJson({ type: 'string', maxLength: 512, description: 'Must not start with owl_anon_.', required: true }) user_id?: unknown;
}
