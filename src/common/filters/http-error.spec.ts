import {
  BadRequestException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { toHttpError } from './http-error';

describe('toHttpError', () => {
  it('keeps the contract text of HttpExceptions', () => {
    expect(toHttpError(new NotFoundException('App not found'))).toEqual({ status: 404, body: { error: 'App not found' } });
    expect(toHttpError(new HttpException('Too many verification codes requested. Try again later.', 429))).toEqual({
      status: 429,
      body: { error: 'Too many verification codes requested. Try again later.' },
    });
  });

  it('passes a ready {error, ...} body through (the agent-login teams answer)', () => {
    const body = { error: 'Multiple teams found. Specify team_id.', teams: [{ id: 't' }] };
    expect(toHttpError(new HttpException(body, 400))).toEqual({ status: 400, body });
  });

  it('uses the first message of a validation array', () => {
    expect(toHttpError(new BadRequestException(['name must be a string', 'x']))).toEqual({
      status: 400,
      body: { error: 'name must be a string' },
    });
  });

  it('maps Fastify parser errors by code', () => {
    expect(toHttpError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 })).toEqual({
      status: 415,
      body: { error: 'Unsupported media type' },
    });
    expect(toHttpError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })).toEqual({
      status: 413,
      body: { error: 'Payload too large' },
    });
    expect(toHttpError(new PayloadTooLargeException('Decompressed payload too large'))).toEqual({
      status: 413,
      body: { error: 'Decompressed payload too large' },
    });
  });

  it('gives other 4xx errors a generic text and hides everything else behind a 500', () => {
    expect(toHttpError({ statusCode: 408, message: 'internal detail' })).toEqual({ status: 408, body: { error: 'Request timeout' } });
    const leaky = Object.assign(new Error('duplicate key value violates unique constraint "teams_slug_key"'), { code: '23505' });
    expect(toHttpError(leaky)).toEqual({ status: 500, body: { error: 'Internal server error' } });
    expect(toHttpError('a string')).toEqual({ status: 500, body: { error: 'Internal server error' } });
  });

  it('keeps 503 texts (readiness) but never a 500 detail', () => {
    expect(toHttpError(new ServiceUnavailableException('Database unavailable'))).toEqual({
      status: 503,
      body: { error: 'Database unavailable' },
    });
    expect(toHttpError(new HttpException('boom detail', 500))).toEqual({ status: 500, body: { error: 'Internal server error' } });
  });
});
