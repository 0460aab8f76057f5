import { applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ValidateBy } from 'class-validator';
import { IsText, RequireFields } from '../../../common/pipes/validation';
import { MAX_DESCRIPTION_CHARS, MAX_DOCUMENTATION_CHARS, METRIC_STATUSES, objectProblem } from '../metric-rules';
import { MetricErrors } from '../metrics.errors';

/** A JSON object (free-form, stored verbatim); anything else → `<field> must be an object`. */
export const IsJsonObject = () =>
  applyDecorators(
    ValidateBy({
      name: 'isJsonObject',
      validator: {
        validate: (value: unknown) => value === undefined || objectProblem(value, '') === null,
        defaultMessage: (args) => objectProblem(args?.value, args!.property) ?? '',
      },
    }),
    ApiProperty({ required: false, type: 'object', additionalProperties: true, nullable: true } as unknown as ApiPropertyOptions),
  );

/** POST body (§2.12.2), fields in the contract's order so type/length errors come out in that order. */
@RequireFields(['name', 'slug'], MetricErrors.createRequired)
export class CreateMetricDefinitionDto {
  @IsText() name: string;
  @IsText() slug: string;
  @IsText({ max: MAX_DESCRIPTION_CHARS }) description?: string;
  @IsText({ max: MAX_DOCUMENTATION_CHARS }) documentation?: string;
  @IsJsonObject() schema_definition?: Record<string, unknown>;
  @IsJsonObject() aggregation_rules?: Record<string, unknown>;
}

/**
 * PATCH body, for the OpenAPI document only: it is validated by parseDefinitionPatch() on the raw JSON,
 * because `null` and `""` are values for the four nullable fields (an exception to §1.2 the global pipe
 * cannot express).
 */
export const UPDATE_METRIC_DEFINITION_SCHEMA = {
  type: 'object',
  description: 'At least one field. `null` clears a nullable field; `slug` and unknown fields are ignored.',
  properties: {
    name: { type: 'string', maxLength: 255 },
    description: { type: 'string', maxLength: MAX_DESCRIPTION_CHARS, nullable: true },
    documentation: { type: 'string', maxLength: MAX_DOCUMENTATION_CHARS, nullable: true },
    schema_definition: { type: 'object', additionalProperties: true, nullable: true },
    aggregation_rules: { type: 'object', additionalProperties: true, nullable: true },
    status: { type: 'string', enum: [...METRIC_STATUSES] },
  },
};

/**
 * The request's parsed JSON body as sent (after the body reader's own checks: a JSON object, `{}` when
 * absent, `__proto__` keys dropped, unstorable code units replaced), untouched by the global pipe.
 */
export const RawJsonBody = createParamDecorator((_: unknown, ctx: ExecutionContext): Record<string, unknown> => {
  const body = ctx.switchToHttp().getRequest<FastifyRequest>().body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
});
