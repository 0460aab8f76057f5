import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpErrorAnswer } from './http-error';
import { writeError } from './write-error';

/**
 * Errors Fastify and Node's HTTP parser answer before any route or Nest filter runs — a URL whose
 * %-escapes don't decode, a path parameter over the router's cap, request headers over 16 KB, a malformed
 * header line, a request that timed out — in the envelope of B1 like every other non-2xx answer.
 */

/** Router-level failures (Fastify `frameworkErrors`). Pure. */
export function frameworkErrorAnswer(err: { code?: string }): HttpErrorAnswer {
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return { status: 400, body: { error: 'Malformed URL' } };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { status: 414, body: { error: 'URI too long' } };
    default:
      return { status: 400, body: { error: 'Bad request' } };
  }
}

/** Fastify `frameworkErrors` option: the answer above, written by the one error writer. */
export function onFrameworkError(err: Error & { code?: string }, _req: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = frameworkErrorAnswer(err);
  writeError(reply, status, body);
}

/** Node `clientError` (the request could not be parsed): status and text. Pure. */
export function clientErrorAnswer(err: { code?: string }): HttpErrorAnswer {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, body: { error: 'Request header fields too large' } };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, body: { error: 'Request timeout' } };
    default:
      return { status: 400, body: { error: 'Bad request' } };
  }
}

/** The raw HTTP/1.1 answer written to the socket when no request object exists yet. Pure. */
export function rawErrorResponse({ status, body }: HttpErrorAnswer): string {
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\n` +
    `Connection: close\r\n\r\n${json}`
  );
}

/** Fastify `clientErrorHandler` option (replaces its default, whose body carries statusCode/message). */
export function onClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) socket.end(rawErrorResponse(clientErrorAnswer(err)));
  socket.destroy();
}
