import { HttpException, HttpStatus } from '@nestjs/common';

export const INTERNAL_ERROR = 'Internal server error';

export interface HttpErrorBody {
  error: string;
  [extra: string]: unknown;
}

export interface HttpErrorAnswer {
  status: number;
  body: HttpErrorBody;
  /** Response headers that belong to this answer (e.g. `Retry-After` on a 503). */
  headers?: Record<string, string>;
}

/** An HttpException whose answer also carries response headers, written by the error filter. */
export class HttpExceptionWithHeaders extends HttpException {
  constructor(
    message: string,
    status: number,
    readonly headers: Record<string, string>,
  ) {
    super(message, status);
  }
}

/** Texts for framework-level failures (Fastify codes) that carry no contract text of their own. */
const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'Unsupported media type'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'Payload too large'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'Malformed JSON body'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'Malformed JSON body'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'Invalid content length'],
};

const GENERIC_4XX: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  429: 'Rate limit exceeded',
  431: 'Request header fields too large',
};

function messageOf(response: unknown): string | undefined {
  if (typeof response === 'string') return response;
  const m = (response as { message?: unknown })?.message;
  if (typeof m === 'string') return m;
  if (Array.isArray(m) && typeof m[0] === 'string') return m[0];
  return undefined;
}

/**
 * Maps anything thrown into the contract's error answer (B1). Pure. `HttpException`s carry the contract
 * text as their message, or a ready `{error, ...}` body (the agent-login "several teams" answer); Fastify's
 * own errors map by code; everything else is a 500 with the generic text (details are only logged).
 */
export function toHttpError(err: unknown): HttpErrorAnswer {
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    if (response && typeof response === 'object' && !('statusCode' in response) && typeof (response as HttpErrorBody).error === 'string') {
      return { status, body: response as HttpErrorBody };
    }
    if (err instanceof HttpExceptionWithHeaders)
      return { status, body: { error: messageOf(response) ?? INTERNAL_ERROR }, headers: err.headers };
    if (status >= 500) return { status, body: { error: status === 500 ? INTERNAL_ERROR : (messageOf(response) ?? INTERNAL_ERROR) } };
    return { status, body: { error: messageOf(response) ?? GENERIC_4XX[status] ?? 'Bad request' } };
  }
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e?.code === 'string' && FASTIFY_CODES[e.code]) {
    const [status, error] = FASTIFY_CODES[e.code];
    return { status, body: { error } };
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { error: GENERIC_4XX[e.statusCode] ?? 'Bad request' } };
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { error: INTERNAL_ERROR } };
}
