import type { FastifyReply } from 'fastify';
import { HttpErrorBody } from './http-error';

/** The one writer of error bodies: `{"error": "..."}` as application/json (B1). */
export function writeError(reply: FastifyReply, status: number, body: HttpErrorBody, headers: Record<string, string> = {}): void {
  if (reply.sent) return;
  reply.status(status).headers(headers).header('content-type', 'application/json; charset=utf-8').send(body);
}
