import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { ResponseObject } from '@nestjs/swagger';
import { Schema, ref } from './schemas';

/** What each status means in this API; the first words of every documented response. */
export const STATUS_MEANING: Record<number, string> = {
  200: 'Success',
  201: 'Created',
  400: 'Missing or invalid input',
  401: 'No credentials, or credentials not valid',
  403: 'Authenticated but not allowed',
  404: 'Resource absent, deleted, malformed id or in another team',
  405: 'Method not allowed on this path',
  409: 'Uniqueness conflict',
  410: 'Invitation already accepted or expired',
  413: 'Body too large',
  415: 'Unsupported content type or content encoding',
  429: 'Rate limited',
  500: 'Unexpected server fault',
  502: 'Outgoing email could not be delivered',
  503: 'Not ready',
};

const JSON_TYPE = 'application/json';

/**
 * The success answer of a route: the name of a registered schema (`'App'`, checked when the document is built)
 * or a schema (`listOf('apps', 'App')`).
 * Routes that can answer two success statuses (verify-code: 200 or 201) carry the decorator twice.
 */
export const ApiOk = (schema: string | Schema, status = 200, description?: string) =>
  ApiResponse({
    status,
    description: description ?? STATUS_MEANING[status] ?? 'Success',
    schema: typeof schema === 'string' ? ref(schema) : schema,
  });

/** A status, or a status followed by its fixed error texts in the order the contract checks them. */
export type ErrorSpec = number | readonly [number, ...string[]];

/** The `{"error": …}` response object of one status, listing its texts as examples. */
export function errorResponse(status: number, texts: readonly string[], schema: Schema = ref('ErrorResponse')): ResponseObject {
  const meaning = STATUS_MEANING[status] ?? 'Error';
  const examples = Object.fromEntries(texts.map((t, i) => [`e${i + 1}`, { summary: t, value: { error: t } }]));
  return {
    description: texts.length > 0 ? `${meaning}: ${texts.map((t) => `"${t}"`).join(' · ')}` : meaning,
    content: { [JSON_TYPE]: { schema, ...(texts.length > 0 ? { examples } : {}) } },
  };
}

/**
 * Handler-level error answers of a route (`@ApiErrors([404, 'App not found'], 400)`); all share the
 * `{"error": string}` envelope. Authentication, permission, user-only, team-role, rate-limit and
 * body-reading errors are added to every route from its guards when the document is built (openapi.ts).
 */
export const ApiErrors = (...specs: ErrorSpec[]) =>
  applyDecorators(
    ...specs.map((spec) => {
      const [status, ...texts] = typeof spec === 'number' ? [spec] : spec;
      const response = errorResponse(status, texts);
      return ApiResponse({ status, description: response.description, content: response.content });
    }),
  );
