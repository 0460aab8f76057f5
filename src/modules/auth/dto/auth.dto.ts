import { ApiProperty } from '@nestjs/swagger';
import { IsAnyJson, IsText, RequireFields } from '../../../common/pipes/validation';

const ANY_LENGTH = Number.MAX_SAFE_INTEGER;

export class SendCodeDto {
  /** Validated (and normalised) by the service: one text for every problem. */
  @IsAnyJson({ type: 'string', format: 'email', maxLength: 255, required: true, example: 'you@example.com' }) email?: unknown;
}

@RequireFields(['email', 'code'], 'email and code required')
export class VerifyCodeDto {
  @ApiProperty({ example: 'you@example.com' })
  @IsText({ max: ANY_LENGTH })
  email: string;
  @ApiProperty({ description: 'The 6 digits from the email.', example: '123456' })
  @IsText({ max: ANY_LENGTH })
  code: string;
}

@RequireFields(['email', 'code'], 'email and code required')
export class AgentLoginDto {
  @IsText({ max: ANY_LENGTH }) email: string;
  @IsText({ max: ANY_LENGTH }) code: string;
  @ApiProperty({ format: 'uuid', description: 'Needed when the user belongs to several teams.' })
  @IsText({ max: ANY_LENGTH })
  team_id?: string;
}

@RequireFields(['name'], 'At least one field to update is required')
export class UpdateMeDto {
  @IsText() name: string;
}
