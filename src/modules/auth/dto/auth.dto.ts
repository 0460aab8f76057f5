import { IsAnyJson, IsText, RequireFields } from '../../../common/pipes/validation';

const ANY_LENGTH = Number.MAX_SAFE_INTEGER;

export class SendCodeDto {
  /** Validated (and normalised) by the service: one text for every problem. */
  @IsAnyJson() email?: unknown;
}

@RequireFields(['email', 'code'], 'email and code required')
export class VerifyCodeDto {
  @IsText({ max: ANY_LENGTH }) email: string;
  @IsText({ max: ANY_LENGTH }) code: string;
}

@RequireFields(['email', 'code'], 'email and code required')
export class AgentLoginDto {
  @IsText({ max: ANY_LENGTH }) email: string;
  @IsText({ max: ANY_LENGTH }) code: string;
  @IsText({ max: ANY_LENGTH }) team_id?: string;
}

@RequireFields(['name'], 'At least one field to update is required')
export class UpdateMeDto {
  @IsText() name: string;
}
