/**
 * Request-body handling for the raw Fastify instance (SPEC §1.2, §1.11, B1, B6, B7).
 *
 * - `preParsing` hook: validates `Content-Encoding`, the content type of body-reading
 *   routes and the size limits, and replaces the payload stream with a counted (and, for
 *   gzip/deflate, streamed-decompressed) stream.
 * - Content-type parsers: every Fastify default parser is removed; one parser function is
 *   registered for `application/json` and as the catch-all (`*`). It parses JSON with
 *   `secure-json-parse` (dropping `__proto__` and `constructor.prototype` keys) for routes that
 *   read a body and ignores the body for every other route.
 * - `preValidation` hook: a body-reading request sent without a body gets `request.body = {}`.
 *
 * Every error produced here is a Nest `HttpException` (exact message from the spec) carrying an
 * own `statusCode` property equal to `getStatus()`, and it reaches the Fastify error handler as
 * that very object.
 *
 * A route reads a body when its method is POST, PUT or PATCH, it is not the 404 route and its
 * route config does not say `{ ignoreBody: true }` (Nest: `@RouteConfig({ ignoreBody: true })`).
 *
 * When a body is rejected before it has been read completely, the rest of it is read and
 * discarded (never buffered) before the error is answered, up to MAX_DISCARD_BYTES. Answering
 * and closing while the client is still uploading makes the kernel reset the connection, and
 * clients that write the whole body before reading (python `requests`, curl with large bodies)
 * would then see a broken pipe instead of the 413/415. Past that cap the answer is sent at once
 * with `Connection: close`.
 */
import { MAX_JSON_DEPTH, tooDeepField } from './json-depth';
import { pgSafeText } from './pg-text';
import { Transform } from 'node:stream';
import type { Readable, TransformCallback } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import type { Gunzip, Inflate } from 'node:zlib';
import { BadRequestException, HttpException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import secureJsonParse from 'secure-json-parse';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads no request body: whatever is sent is ignored (never 413/415/400). */
    ignoreBody?: boolean;
  }
}

/** Largest accepted on-the-wire body (compressed or not): 1 MiB. */
export const MAX_WIRE_BYTES = 1_048_576;
/** Largest accepted decoded (decompressed) body: 10 MiB. */
export const MAX_DECODED_BYTES = 10 * 1_048_576;
/** Most bytes read and thrown away after a rejection so that the client can read the answer. */
export const MAX_DISCARD_BYTES = 64 * 1_048_576;

/** Fixed error texts (SPEC §1.2, B1, B6). */
export const BODY_ERRORS = {
  unsupportedEncoding: 'Unsupported content encoding',
  unsupportedMediaType: 'Unsupported media type',
  compressedTooLarge: 'Compressed payload too large',
  decompressedTooLarge: 'Decompressed payload too large',
  payloadTooLarge: 'Payload too large',
  invalidCompressed: 'Invalid compressed body',
  malformedJson: 'Malformed JSON body',
  notAnObject: 'Request body must be a JSON object',
  aborted: 'Request body could not be read',
} as const;

/** 400 text for a body nested deeper than MAX_JSON_DEPTH, naming the top-level field. */
export const tooDeepMessage = (field: string | null): string =>
  `${field ?? 'Request body'} is nested too deeply (at most ${MAX_JSON_DEPTH} levels)`;

type Coding = 'gzip' | 'deflate' | 'identity';

/**
 * The payload stream handed to Fastify; `receivedEncodedLength` counts on-the-wire bytes.
 * `abandon(err)` stops decoding, discards the rest of the request and then emits `err`.
 */
type DecodedPayload = Transform & {
  receivedEncodedLength: number;
  abandon(error: HttpException): void;
};

function isDecodedPayload(stream: Readable): stream is DecodedPayload {
  return typeof (stream as Partial<DecodedPayload>).abandon === 'function';
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const JSON_PARSE_OPTIONS = { protoAction: 'remove', constructorAction: 'remove' } as const;
/** Same grammar Fastify uses to decide whether a Content-Type header is valid (RFC 9110 token). */
const VALID_MEDIA_TYPE = /^\s*[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+\s*(?:;[\s\S]*)?$/;

function withStatus<E extends HttpException>(error: E): E {
  // Fastify reads `statusCode` (reply status, rawBody error mapping); Nest reads getStatus().
  Object.defineProperty(error, 'statusCode', {
    value: error.getStatus(),
    enumerable: false,
    writable: true,
    configurable: true,
  });
  return error;
}

const errors = {
  unsupportedEncoding: () => withStatus(new UnsupportedMediaTypeException(BODY_ERRORS.unsupportedEncoding)),
  unsupportedMediaType: () => withStatus(new UnsupportedMediaTypeException(BODY_ERRORS.unsupportedMediaType)),
  compressedTooLarge: () => withStatus(new PayloadTooLargeException(BODY_ERRORS.compressedTooLarge)),
  decompressedTooLarge: () => withStatus(new PayloadTooLargeException(BODY_ERRORS.decompressedTooLarge)),
  payloadTooLarge: () => withStatus(new PayloadTooLargeException(BODY_ERRORS.payloadTooLarge)),
  invalidCompressed: () => withStatus(new BadRequestException(BODY_ERRORS.invalidCompressed)),
  malformedJson: () => withStatus(new BadRequestException(BODY_ERRORS.malformedJson)),
  notAnObject: () => withStatus(new BadRequestException(BODY_ERRORS.notAnObject)),
  tooDeep: (field: string | null) => withStatus(new BadRequestException(tooDeepMessage(field))),
  aborted: () => withStatus(new BadRequestException(BODY_ERRORS.aborted)),
};

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Same rule as Fastify's `isEmptyBody`: no Transfer-Encoding and no (or zero) Content-Length. */
function hasBody(request: FastifyRequest): boolean {
  const { headers } = request;
  const contentLength = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (contentLength !== undefined && contentLength !== '0');
}

/** True when the matched route reads (and therefore validates) a request body. */
export function routeReadsBody(request: FastifyRequest): boolean {
  if (request.is404) return false;
  if (!BODY_METHODS.has(request.method.toUpperCase())) return false;
  return request.routeOptions.config?.ignoreBody !== true;
}

/** Exactly one coding, case-insensitive, surrounding spaces ignored; null = unsupported. */
export function parseContentEncoding(raw: string | string[] | undefined): Coding | null {
  const value = headerValue(raw);
  if (value === undefined) return 'identity';
  const coding = value.trim().toLowerCase();
  switch (coding) {
    case '':
    case 'identity':
      return 'identity';
    case 'gzip':
    case 'x-gzip':
      return 'gzip';
    case 'deflate':
      return 'deflate';
    default:
      return null;
  }
}

/** `application/json`, any parameters, case-insensitive. */
export function isJsonContentType(raw: string | undefined): boolean {
  if (raw === undefined) return false;
  const semicolon = raw.indexOf(';');
  const mediaType = (semicolon === -1 ? raw : raw.slice(0, semicolon)).trim().toLowerCase();
  return mediaType === 'application/json';
}

function knownContentLength(request: FastifyRequest): number | undefined {
  const raw = request.headers['content-length'];
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
  return Number(raw);
}

function closeConnection(reply: FastifyReply): void {
  // Unread request bytes may still be arriving: do not keep the connection alive.
  if (!reply.sent) reply.header('connection', 'close');
}

/**
 * Reads and throws away the rest of `source` (never destroys it: that would close the socket
 * before the answer is written). `callback(true)` once it ended; `callback(false)` when the
 * client went away or more than MAX_DISCARD_BYTES arrived (reading then stops).
 */
function discardRest(source: Readable, callback: (completed: boolean) => void): void {
  if (source.readableEnded || source.destroyed) {
    const completed = source.readableEnded;
    process.nextTick(() => callback(completed));
    return;
  }
  let discarded = 0;
  const cleanup = (): void => {
    source.removeListener('data', onData);
    source.removeListener('end', onEnd);
    source.removeListener('error', onGone);
    source.removeListener('aborted', onGone);
    source.removeListener('close', onClose);
  };
  function onData(chunk: Buffer | string): void {
    discarded += chunk.length;
    if (discarded > MAX_DISCARD_BYTES) {
      cleanup();
      source.pause();
      callback(false);
    }
  }
  function onEnd(): void {
    cleanup();
    callback(true);
  }
  function onGone(): void {
    cleanup();
    callback(false);
  }
  function onClose(): void {
    if (source.readableEnded) return;
    onGone();
  }
  source.on('data', onData);
  source.once('end', onEnd);
  source.once('error', onGone);
  source.once('aborted', onGone);
  source.once('close', onClose);
  source.resume();
}

/**
 * Answers `error` from a preParsing hook once the unread body has been discarded (or at once,
 * with `Connection: close`, when the announced body is too big to be worth discarding).
 */
function rejectUnread(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: Readable,
  error: HttpException,
  done: (err?: Error | null) => void,
): void {
  const contentLength = knownContentLength(request);
  if (contentLength !== undefined && contentLength > MAX_DISCARD_BYTES) {
    closeConnection(reply);
    done(error);
    return;
  }
  discardRest(payload, (completed) => {
    if (!completed) closeConnection(reply);
    done(error);
  });
}

/**
 * Builds `source -> wire counter -> [gunzip|inflate] -> decoded counter` and returns the last
 * stage. On failure every stage is destroyed (never the raw request), the rest of the request is
 * discarded, and the error is emitted by the returned stream.
 */
function buildDecodedStream(source: Readable, coding: Coding, reply: FastifyReply): DecodedPayload {
  const compressed = coding !== 'identity';
  let wireBytes = 0;
  let decodedBytes = 0;
  let failed = false;
  let decoder: Gunzip | Inflate | undefined;

  const fail = (error: HttpException): void => {
    if (failed) return;
    failed = true;
    source.removeListener('error', onSourceGone);
    source.removeListener('aborted', onSourceGone);
    source.unpipe(wire);
    wire.destroy();
    decoder?.destroy();
    discardRest(source, (completed) => {
      if (!completed) closeConnection(reply);
      out.destroy(error);
    });
  };

  const wire = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      if (failed) return;
      wireBytes += chunk.length;
      out.receivedEncodedLength = wireBytes;
      if (wireBytes > MAX_WIRE_BYTES) {
        fail(compressed ? errors.compressedTooLarge() : errors.payloadTooLarge());
        return;
      }
      callback(null, chunk);
    },
  });

  const out = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      if (failed) return;
      decodedBytes += chunk.length;
      if (decodedBytes > MAX_DECODED_BYTES) {
        fail(errors.decompressedTooLarge());
        return;
      }
      callback(null, chunk);
    },
  }) as DecodedPayload;
  out.receivedEncodedLength = 0;
  out.abandon = fail;
  // Guarantees an emitted error can never be unhandled (e.g. if nobody reads this stream).
  out.on('error', () => undefined);

  function onSourceGone(): void {
    fail(errors.aborted());
  }
  source.on('error', onSourceGone);
  source.on('aborted', onSourceGone);
  source.once('end', () => {
    source.removeListener('error', onSourceGone);
    source.removeListener('aborted', onSourceGone);
  });
  wire.on('error', () => fail(errors.aborted()));

  if (compressed) {
    decoder = coding === 'gzip' ? createGunzip() : createInflate();
    decoder.on('error', () => {
      if (failed) return;
      // An empty wire body is an empty body (zlib would call it "unexpected end of file").
      if (wireBytes === 0) {
        out.end();
        return;
      }
      fail(errors.invalidCompressed());
    });
    source.pipe(wire).pipe(decoder).pipe(out);
  } else {
    source.pipe(wire).pipe(out);
  }
  return out;
}

function preParsing(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: Readable,
  done: (err?: Error | null, res?: Readable) => void,
): void {
  if (!hasBody(request)) {
    done(null, payload);
    return;
  }

  if (!routeReadsBody(request)) {
    // The body is ignored. Drop a Content-Type Fastify would reject as invalid (it would answer
    // 415 before any parser runs, although a bodyless route / 404 must not care).
    const contentType = headerValue(request.headers['content-type']);
    if (contentType !== undefined && !VALID_MEDIA_TYPE.test(contentType)) {
      delete request.headers['content-type'];
      delete request.raw.headers['content-type'];
    }
    done(null, payload);
    return;
  }

  const coding = parseContentEncoding(request.headers['content-encoding']);
  if (coding === null) {
    rejectUnread(request, reply, payload, errors.unsupportedEncoding(), done);
    return;
  }

  const contentType = headerValue(request.headers['content-type']);
  const contentLength = knownContentLength(request);
  if (
    (contentType !== undefined && !isJsonContentType(contentType)) ||
    (contentType === undefined && contentLength !== undefined && contentLength > 0)
  ) {
    rejectUnread(request, reply, payload, errors.unsupportedMediaType(), done);
    return;
  }

  if (contentLength !== undefined && contentLength > MAX_WIRE_BYTES) {
    const error = coding === 'identity' ? errors.payloadTooLarge() : errors.compressedTooLarge();
    rejectUnread(request, reply, payload, error, done);
    return;
  }

  done(null, buildDecodedStream(payload, coding, reply));
}

/** Parses the decoded JSON text; the result is always a plain object. */
export function parseJsonObject(text: string): Record<string, unknown> {
  if (text.length === 0) return {};
  let value: unknown;
  try {
    value = secureJsonParse(text, null, JSON_PARSE_OPTIONS);
  } catch {
    throw errors.malformedJson();
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.notAnObject();
  }
  const deep = tooDeepField(value);
  if (deep !== undefined) throw errors.tooDeep(deep);
  // U+0000 and lone surrogates can only arrive as \u escapes; only then is the (rare) deep walk needed.
  return (ESCAPED_UNSTORABLE.test(text) ? storableJson(value) : value) as Record<string, unknown>;
}

const ESCAPED_UNSTORABLE = /\\u(0000|d[89a-f])/i;

/** Replaces what PostgreSQL cannot store (see pgSafeText) in every string and key of a parsed document. */
function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return pgSafeText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[pgSafeText(k)] = storableJson(v);
    return out;
  }
  return value;
}

function toBodyError(error: unknown): Error {
  if (error instanceof HttpException) return error;
  return errors.aborted();
}

/**
 * The single body parser (registered for `application/json` and as catch-all). It consumes
 * the stream itself (no `parseAs`), so Fastify's own `bodyLimit` / Content-Length checks of
 * `rawBody` never apply.
 */
function parseBody(request: FastifyRequest, rawPayload: unknown, done: (err: Error | null, body?: unknown) => void): void {
  const payload = rawPayload as Readable;
  if (!routeReadsBody(request)) {
    // Ignored body: not read; Node discards whatever is left once the answer is sent.
    done(null, undefined);
    return;
  }

  const contentType = headerValue(request.headers['content-type']);
  if (contentType !== undefined && !isJsonContentType(contentType)) {
    // Normally already answered by the preParsing hook.
    done(errors.unsupportedMediaType());
    return;
  }

  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;

  const finish = (error: Error | null, body?: unknown): void => {
    if (finished) return;
    finished = true;
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    done(error, body);
  };

  /** Rejects a body that is still being received: discard the rest first, then answer. */
  const reject = (error: HttpException): void => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    if (isDecodedPayload(payload)) {
      payload.abandon(error); // emits `error` once the request has been discarded
    } else {
      finish(error);
    }
  };

  function onData(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (buffer.length === 0) return;
    if (contentType === undefined) {
      // A body without any Content-Type on a body-reading route.
      reject(errors.unsupportedMediaType());
      return;
    }
    size += buffer.length;
    if (size > MAX_DECODED_BYTES) {
      // Only reachable if the preParsing stream was bypassed; keep memory bounded anyway.
      reject(errors.payloadTooLarge());
      return;
    }
    chunks.push(buffer);
  }

  function onEnd(): void {
    let body: Record<string, unknown>;
    try {
      body = parseJsonObject(Buffer.concat(chunks, size).toString('utf8'));
    } catch (error) {
      finish(toBodyError(error));
      return;
    }
    finish(null, body);
  }

  function onError(error: unknown): void {
    finish(toBodyError(error));
  }

  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
  payload.resume();
}

/**
 * Installs the body handling on a raw Fastify instance. Call before any route is registered.
 */
export function registerBodyHandling(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', parseBody);
  fastify.addContentTypeParser('*', parseBody);

  fastify.addHook('preParsing', preParsing);

  fastify.addHook('preValidation', (request, _reply, done) => {
    // SPEC §1.11 "No body": no body and no Content-Type on a body-reading route → {}.
    if (request.body === undefined && routeReadsBody(request)) {
      request.body = {};
    }
    done();
  });
}
