import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { deflateSync, gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { HttpException } from '@nestjs/common';
import Fastify from 'fastify';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { MAX_DECODED_BYTES, MAX_DISCARD_BYTES, MAX_WIRE_BYTES, registerBodyHandling } from './body-handling';

interface Built {
  app: FastifyInstance;
  errors: unknown[];
}

async function build(): Promise<Built> {
  const errors: unknown[] = [];
  const app = Fastify({ bodyLimit: MAX_DECODED_BYTES + 1 });
  registerBodyHandling(app);
  app.setErrorHandler((error, _request, reply) => {
    errors.push(error);
    if (error instanceof HttpException) {
      return reply.status(error.getStatus()).send({ error: error.message });
    }
    return reply.status(500).send({ error: 'Internal server error' });
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: 'Not found' }));
  app.post('/echo', async (request) => ({ body: request.body }));
  app.put('/echo', async (request) => ({ body: request.body }));
  app.post('/size', async (request) => {
    const body = request.body as { data?: string };
    return { length: body.data?.length ?? -1 };
  });
  app.post('/ignore', { config: { ignoreBody: true } }, async (request) => ({
    ok: true,
    body: request.body ?? null,
  }));
  app.get('/get', async (request) => ({ ok: true, body: request.body ?? null }));
  app.delete('/del', async (request) => ({ ok: true, body: request.body ?? null }));
  await app.ready();
  return { app, errors };
}

function json(headers: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json', ...headers };
}

describe('registerBodyHandling', () => {
  let app: FastifyInstance;
  let errors: unknown[];

  beforeAll(async () => {
    ({ app, errors } = await build());
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    errors.length = 0;
  });

  async function send(options: InjectOptions): Promise<{ status: number; body: unknown; raw: string; headers: Record<string, unknown> }> {
    const res = await app.inject(options);
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = res.body;
    }
    return { status: res.statusCode, body, raw: res.body, headers: res.headers };
  }

  describe('JSON parsing', () => {
    it('parses a JSON object', async () => {
      const r = await send({ method: 'POST', url: '/echo', headers: json(), payload: '{"a":1,"b":{"c":[1,2]}}' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ body: { a: 1, b: { c: [1, 2] } } });
    });

    it('accepts parameters and any case in the media type', async () => {
      for (const ct of ['application/json; charset=utf-8', 'Application/JSON;Charset=UTF-8', ' application/json ']) {
        const r = await send({ method: 'POST', url: '/echo', headers: { 'content-type': ct }, payload: '{"a":1}' });
        expect([ct, r.status, r.body]).toEqual([ct, 200, { body: { a: 1 } }]);
      }
    });

    it('treats an empty JSON body as {}', async () => {
      const r = await send({ method: 'POST', url: '/echo', headers: json(), payload: '' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ body: {} });
    });

    it('treats no body and no content type as {}', async () => {
      const r = await send({ method: 'POST', url: '/echo' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ body: {} });
      const put = await send({ method: 'PUT', url: '/echo' });
      expect(put.body).toEqual({ body: {} });
    });

    it('treats an empty chunked body without content type as {}', async () => {
      const r = await send({
        method: 'POST',
        url: '/echo',
        headers: { 'transfer-encoding': 'chunked' },
        payload: Readable.from([]),
      });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ body: {} });
    });

    it('answers 400 "Malformed JSON body" for unparseable JSON', async () => {
      for (const payload of ['{"a":', '{a:1}', 'nope', '{"a":1}}', ' ']) {
        const r = await send({ method: 'POST', url: '/echo', headers: json(), payload });
        expect([payload, r.status, r.body]).toEqual([payload, 400, { error: 'Malformed JSON body' }]);
      }
    });

    it('answers 400 "Request body must be a JSON object" for non-objects', async () => {
      for (const payload of ['[]', '[{"a":1}]', '"str"', '42', 'null', 'true', 'false']) {
        const r = await send({ method: 'POST', url: '/echo', headers: json(), payload });
        expect([payload, r.status, r.body]).toEqual([payload, 400, { error: 'Request body must be a JSON object' }]);
      }
    });

    it('drops __proto__ and constructor.prototype keys at any depth', async () => {
      const payload =
        '{"a":1,"__proto__":{"polluted":true},"n":{"__proto__":{"x":1},"keep":2,' +
        '"deep":[{"constructor":{"prototype":{"polluted":true}},"v":3}]},' +
        '"constructor":{"prototype":{"y":1}},"c2":{"constructor":"plain string is kept"}}';
      const r = await send({ method: 'POST', url: '/echo', headers: json(), payload });
      expect(r.status).toBe(200);
      expect(r.raw).not.toContain('__proto__');
      expect(r.raw).not.toContain('prototype');
      expect(r.body).toEqual({
        body: { a: 1, n: { keep: 2, deep: [{ v: 3 }] }, c2: { constructor: 'plain string is kept' } },
      });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('accepts unicode-escaped __proto__ keys without polluting', async () => {
      const payload = '{"\\u005f_proto__":{"polluted":true},"ok":1}';
      const r = await send({ method: 'POST', url: '/echo', headers: json(), payload });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ body: { ok: 1 } });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('content types', () => {
    it('answers 415 for a non-JSON type on a body-reading route', async () => {
      for (const ct of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/jsonx',
        'nonsense',
        'application/json, text/plain',
      ]) {
        const r = await send({ method: 'POST', url: '/echo', headers: { 'content-type': ct }, payload: '{"a":1}' });
        expect([ct, r.status, r.body]).toEqual([ct, 415, { error: 'Unsupported media type' }]);
      }
    });

    it('answers 415 for a body without content type on a body-reading route', async () => {
      const r = await send({ method: 'POST', url: '/echo', payload: Buffer.from('{"a":1}') });
      expect(r.status).toBe(415);
      expect(r.body).toEqual({ error: 'Unsupported media type' });
      const chunked = await send({
        method: 'POST',
        url: '/echo',
        headers: { 'transfer-encoding': 'chunked' },
        payload: Readable.from([Buffer.from('{"a":1}')]),
      });
      expect(chunked.status).toBe(415);
      expect(chunked.body).toEqual({ error: 'Unsupported media type' });
    });

    it('ignores any body on an ignoreBody route', async () => {
      const cases: InjectOptions[] = [
        { headers: { 'content-type': 'text/plain' }, payload: 'hello' },
        { headers: { 'content-type': 'nonsense' }, payload: 'hello' },
        { headers: json(), payload: '{bad json' },
        { headers: json(), payload: '[1,2]' },
        { headers: json({ 'content-encoding': 'br' }), payload: 'xx' },
        { headers: json({ 'content-encoding': 'gzip' }), payload: 'not gzip' },
        { payload: Buffer.from('raw bytes') },
        { headers: json(), payload: 'x'.repeat(MAX_WIRE_BYTES + 10) },
      ];
      for (const c of cases) {
        const r = await send({ method: 'POST', url: '/ignore', ...c });
        expect(r.status).toBe(200);
        expect(r.body).toEqual({ ok: true, body: null });
      }
    });

    it('never fails a GET, whatever is sent', async () => {
      const r = await send({ method: 'GET', url: '/get' });
      expect(r.status).toBe(200);
      const withBody = await send({
        method: 'GET',
        url: '/get',
        headers: { 'content-type': 'text/plain', 'content-encoding': 'br' },
        payload: 'junk',
      });
      expect(withBody.status).toBe(200);
      expect(withBody.body).toEqual({ ok: true, body: null });
    });

    it('ignores the body of a DELETE', async () => {
      const r = await send({ method: 'DELETE', url: '/del', headers: json(), payload: '{not json' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ ok: true, body: null });
      const odd = await send({ method: 'DELETE', url: '/del', headers: { 'content-type': '???' }, payload: 'x' });
      expect(odd.status).toBe(200);
    });

    it('lets the 404 answer win over body problems', async () => {
      const cases: InjectOptions[] = [
        { headers: json(), payload: '{bad' },
        { headers: { 'content-type': 'text/plain' }, payload: 'x' },
        { headers: { 'content-type': 'nonsense' }, payload: 'x' },
        { headers: json({ 'content-encoding': 'br' }), payload: 'x' },
        { headers: json(), payload: 'x'.repeat(MAX_WIRE_BYTES + 10) },
      ];
      for (const c of cases) {
        const r = await send({ method: 'POST', url: '/missing', ...c });
        expect(r.status).toBe(404);
        expect(r.body).toEqual({ error: 'Not found' });
      }
    });
  });

  describe('Content-Encoding', () => {
    const doc = { hello: 'world', n: [1, 2, 3] };
    const text = JSON.stringify(doc);

    it('accepts gzip, x-gzip, deflate and identity in any case with spaces', async () => {
      const cases: Array<[string, Buffer]> = [
        ['gzip', gzipSync(text)],
        ['x-gzip', gzipSync(text)],
        ['  GZIP  ', gzipSync(text)],
        ['X-Gzip', gzipSync(text)],
        ['deflate', deflateSync(text)],
        ['Deflate ', deflateSync(text)],
        ['identity', Buffer.from(text)],
        [' IDENTITY', Buffer.from(text)],
      ];
      for (const [encoding, payload] of cases) {
        const r = await send({
          method: 'POST',
          url: '/echo',
          headers: json({ 'content-encoding': encoding }),
          payload,
        });
        expect([encoding, r.status, r.body]).toEqual([encoding, 200, { body: doc }]);
      }
    });

    it('accepts a chunked gzip body', async () => {
      const gz = gzipSync(text);
      const r = await send({
        method: 'POST',
        url: '/echo',
        headers: json({ 'content-encoding': 'gzip', 'transfer-encoding': 'chunked' }),
        payload: Readable.from([gz.subarray(0, 5), gz.subarray(5)]),
      });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ body: doc });
    });

    it('treats an empty gzip body as {}', async () => {
      const r = await send({ method: 'POST', url: '/echo', headers: json({ 'content-encoding': 'gzip' }), payload: '' });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ body: {} });
      const chunked = await send({
        method: 'POST',
        url: '/echo',
        headers: json({ 'content-encoding': 'gzip', 'transfer-encoding': 'chunked' }),
        payload: Readable.from([]),
      });
      expect(chunked.status).toBe(200);
      expect(chunked.body).toEqual({ body: {} });
    });

    it('answers 415 "Unsupported content encoding" for anything else', async () => {
      for (const encoding of ['br', 'gzip, br', 'gzip,gzip', 'compress', 'zstd', 'deflate, identity']) {
        const r = await send({
          method: 'POST',
          url: '/echo',
          headers: json({ 'content-encoding': encoding }),
          payload: gzipSync(text),
        });
        expect([encoding, r.status, r.body]).toEqual([encoding, 415, { error: 'Unsupported content encoding' }]);
      }
    });

    it('answers 400 "Invalid compressed body" for corrupt data', async () => {
      const good = gzipSync(text);
      const cases: Array<[string, Buffer]> = [
        ['gzip', Buffer.from('definitely not gzip')],
        ['gzip', good.subarray(0, good.length - 6)],
        ['deflate', Buffer.from('not deflate either')],
        ['deflate', good],
      ];
      for (const [encoding, payload] of cases) {
        const r = await send({ method: 'POST', url: '/echo', headers: json({ 'content-encoding': encoding }), payload });
        expect([encoding, r.status, r.body]).toEqual([encoding, 400, { error: 'Invalid compressed body' }]);
      }
    });

    it('answers 400 "Malformed JSON body" when the decoded text is not JSON', async () => {
      const r = await send({
        method: 'POST',
        url: '/echo',
        headers: json({ 'content-encoding': 'gzip' }),
        payload: gzipSync('{oops'),
      });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ error: 'Malformed JSON body' });
    });

    it('accepts a decompressed body between 1 and 10 MiB', async () => {
      const data = 'a'.repeat(5 * 1_048_576);
      const payload = gzipSync(JSON.stringify({ data }));
      expect(payload.length).toBeLessThan(MAX_WIRE_BYTES);
      const r = await send({ method: 'POST', url: '/size', headers: json({ 'content-encoding': 'gzip' }), payload });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ length: data.length });
    });

    it('accepts a decoded body of exactly 10 MiB', async () => {
      const overhead = '{"data":""}'.length;
      const data = 'b'.repeat(MAX_DECODED_BYTES - overhead);
      const r = await send({
        method: 'POST',
        url: '/size',
        headers: json({ 'content-encoding': 'deflate' }),
        payload: deflateSync(JSON.stringify({ data })),
      });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ length: data.length });
    });
  });

  describe('size limits', () => {
    it('answers 413 "Compressed payload too large" from Content-Length before reading', async () => {
      const payload = Buffer.concat([gzipSync(text()), randomBytes(MAX_WIRE_BYTES)]);
      const r = await send({ method: 'POST', url: '/echo', headers: json({ 'content-encoding': 'gzip' }), payload });
      expect(r.status).toBe(413);
      expect(r.body).toEqual({ error: 'Compressed payload too large' });
    });

    it('answers at once with Connection: close when the announced body is not worth discarding', async () => {
      const r = await send({
        method: 'POST',
        url: '/echo',
        headers: json({ 'content-length': String(MAX_DISCARD_BYTES + 1) }),
        payload: Readable.from([Buffer.from('{}')]),
      });
      expect(r.status).toBe(413);
      expect(r.body).toEqual({ error: 'Payload too large' });
      expect(r.headers.connection).toBe('close');
    });

    it('answers 413 "Compressed payload too large" while streaming an unknown length', async () => {
      const compressed = gzipSync(randomBytes(MAX_WIRE_BYTES + 100_000));
      expect(compressed.length).toBeGreaterThan(MAX_WIRE_BYTES);
      const chunks: Buffer[] = [];
      for (let i = 0; i < compressed.length; i += 64 * 1024) chunks.push(compressed.subarray(i, i + 64 * 1024));
      const r = await send({
        method: 'POST',
        url: '/echo',
        headers: json({ 'content-encoding': 'gzip', 'transfer-encoding': 'chunked' }),
        payload: Readable.from(chunks),
      });
      expect(r.status).toBe(413);
      expect(r.body).toEqual({ error: 'Compressed payload too large' });
    });

    it('accepts a wire body of exactly 1 MiB', async () => {
      const overhead = '{"data":""}'.length;
      const payload = JSON.stringify({ data: 'c'.repeat(MAX_WIRE_BYTES - overhead) });
      expect(Buffer.byteLength(payload)).toBe(MAX_WIRE_BYTES);
      const r = await send({ method: 'POST', url: '/size', headers: json(), payload });
      expect(r.status).toBe(200);
    });

    it('answers 413 "Payload too large" for an uncompressed body over 1 MiB (Content-Length)', async () => {
      const payload = JSON.stringify({ data: 'd'.repeat(MAX_WIRE_BYTES) });
      for (const encoding of [undefined, 'identity']) {
        const headers = encoding === undefined ? json() : json({ 'content-encoding': encoding });
        const r = await send({ method: 'POST', url: '/echo', headers, payload });
        expect(r.status).toBe(413);
        expect(r.body).toEqual({ error: 'Payload too large' });
      }
    });

    it('answers 413 "Payload too large" for an uncompressed chunked body over 1 MiB', async () => {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const chunks = [Buffer.from('{"data":"'), ...Array.from({ length: 20 }, () => chunk), Buffer.from('"}')];
      const r = await send({
        method: 'POST',
        url: '/echo',
        headers: json({ 'transfer-encoding': 'chunked' }),
        payload: Readable.from(chunks),
      });
      expect(r.status).toBe(413);
      expect(r.body).toEqual({ error: 'Payload too large' });
    });

    it('stops a gzip bomb at 10 MiB with bounded memory', async () => {
      const bomb = gzipSync(Buffer.alloc(50 * 1_048_576));
      expect(bomb.length).toBeLessThan(MAX_WIRE_BYTES);
      const before = process.memoryUsage();
      const r = await send({ method: 'POST', url: '/echo', headers: json({ 'content-encoding': 'gzip' }), payload: bomb });
      const after = process.memoryUsage();
      expect(r.status).toBe(413);
      expect(r.body).toEqual({ error: 'Decompressed payload too large' });
      expect(after.rss - before.rss).toBeLessThan(60 * 1_048_576);
      expect(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)).toBeLessThan(60 * 1_048_576);
    });

    it('stops a chunked deflate bomb too', async () => {
      const bomb = deflateSync(Buffer.alloc(30 * 1_048_576, 0x20));
      const r = await send({
        method: 'POST',
        url: '/echo',
        headers: json({ 'content-encoding': 'deflate', 'transfer-encoding': 'chunked' }),
        payload: Readable.from([bomb]),
      });
      expect(r.status).toBe(413);
      expect(r.body).toEqual({ error: 'Decompressed payload too large' });
    });
  });

  describe('over a real socket', () => {
    let port: number;

    beforeAll(async () => {
      await app.listen({ port: 0, host: '127.0.0.1' });
      port = (app.server.address() as AddressInfo).port;
    });

    /**
     * Writes the whole request (like python `requests`: body first, answer afterwards) and reads
     * the answer; a reset or broken pipe shows up as `error`.
     */
    function rawRequest(head: string, body: Buffer, chunked: boolean): Promise<{ status: number; text: string; error?: string }> {
      return new Promise((resolve) => {
        const socket = connect(port, '127.0.0.1');
        const received: Buffer[] = [];
        let error: string | undefined;
        socket.on('data', (chunk: Buffer) => received.push(chunk));
        socket.on('error', (e: NodeJS.ErrnoException) => {
          error = e.code ?? e.message;
        });
        socket.on('close', () => {
          const text = Buffer.concat(received).toString('latin1');
          const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
          resolve({ status: match ? Number(match[1]) : 0, text, error });
        });
        socket.on('connect', () => {
          const parts: Buffer[] = [Buffer.from(head)];
          if (chunked) {
            for (let i = 0; i < body.length; i += 65_536) {
              const piece = body.subarray(i, i + 65_536);
              parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
            }
            parts.push(Buffer.from('0\r\n\r\n'));
          } else {
            parts.push(body);
          }
          socket.write(Buffer.concat(parts));
        });
      });
    }

    const cases: Array<[string, string, Buffer, boolean, number, string]> = [
      ['4 MiB with Content-Length', 'content-type: application/json', Buffer.alloc(4 * 1_048_576, 0x61), false, 413, 'Payload too large'],
      ['4 MiB chunked', 'content-type: application/json', Buffer.alloc(4 * 1_048_576, 0x61), true, 413, 'Payload too large'],
      ['3 MiB text/plain', 'content-type: text/plain', Buffer.alloc(3 * 1_048_576, 0x61), false, 415, 'Unsupported media type'],
      [
        '3 MiB br',
        'content-type: application/json\r\ncontent-encoding: br',
        Buffer.alloc(3 * 1_048_576, 0x61),
        false,
        415,
        'Unsupported content encoding',
      ],
      [
        '3 MiB compressed',
        'content-type: application/json\r\ncontent-encoding: gzip',
        randomBytes(3 * 1_048_576),
        false,
        413,
        'Compressed payload too large',
      ],
    ];

    it.each(cases)(
      'delivers the answer for %s after the client wrote everything',
      async (_name, headers, body, chunked, status, message) => {
        const length = chunked ? 'transfer-encoding: chunked' : `content-length: ${body.length}`;
        const head = `POST /echo HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n${headers}\r\n${length}\r\n\r\n`;
        const r = await rawRequest(head, body, chunked);
        expect(r.error).toBeUndefined();
        expect(r.status).toBe(status);
        expect(r.text).toContain(JSON.stringify({ error: message }));
      },
    );

    it('stops a gzip bomb over a real socket', async () => {
      const bomb = gzipSync(Buffer.alloc(40 * 1_048_576));
      const head = `POST /echo HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: ${bomb.length}\r\n\r\n`;
      const r = await rawRequest(head, bomb, false);
      expect(r.error).toBeUndefined();
      expect(r.status).toBe(413);
      expect(r.text).toContain('{"error":"Decompressed payload too large"}');
    });
  });

  describe('error contract', () => {
    it('hands HttpException instances carrying statusCode to the error handler', async () => {
      const cases: Array<[InjectOptions, number, string]> = [
        [{ headers: json(), payload: '{' }, 400, 'Malformed JSON body'],
        [{ headers: json(), payload: '[]' }, 400, 'Request body must be a JSON object'],
        [{ headers: { 'content-type': 'text/plain' }, payload: 'x' }, 415, 'Unsupported media type'],
        [{ headers: json({ 'content-encoding': 'br' }), payload: 'x' }, 415, 'Unsupported content encoding'],
        [{ headers: json({ 'content-encoding': 'gzip' }), payload: 'x' }, 400, 'Invalid compressed body'],
        [
          { headers: json({ 'content-encoding': 'gzip' }), payload: gzipSync(Buffer.alloc(11 * 1_048_576)) },
          413,
          'Decompressed payload too large',
        ],
      ];
      for (const [options, status, message] of cases) {
        errors.length = 0;
        const r = await send({ method: 'POST', url: '/echo', ...options });
        expect(r.status).toBe(status);
        expect(errors).toHaveLength(1);
        const error = errors[0];
        expect(error).toBeInstanceOf(HttpException);
        expect((error as HttpException).getStatus()).toBe(status);
        expect((error as HttpException).message).toBe(message);
        expect((error as { statusCode?: number }).statusCode).toBe(status);
      }
    });
  });
});

function text(): string {
  return JSON.stringify({ a: 1 });
}

describe('parseJsonObject: text PostgreSQL cannot store', () => {
  it('replaces U+0000 and lone surrogates in strings and keys, keeps valid pairs', () => {
    const { parseJsonObject } = jest.requireActual<typeof import('./body-handling')>('./body-handling');
    expect(parseJsonObject('{"name":"a\\u0000b","k\\ud800":["\\udc00x","🦉"],"ok":"\\ud83e\\udd89"}')).toEqual({
      name: 'a\uFFFDb',
      'k\uFFFD': ['\uFFFDx', '🦉'],
      ok: '🦉',
    });
    expect(parseJsonObject('{"plain":"text"}')).toEqual({ plain: 'text' });
  });
});
