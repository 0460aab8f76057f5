import { clientErrorAnswer, frameworkErrorAnswer, rawErrorResponse } from './framework-errors';

describe('framework error answers (B1)', () => {
  it('router failures', () => {
    expect(frameworkErrorAnswer({ code: 'FST_ERR_BAD_URL' })).toEqual({ status: 400, body: { error: 'Malformed URL' } });
    expect(frameworkErrorAnswer({ code: 'FST_ERR_MAX_PARAM_LENGTH' })).toEqual({ status: 414, body: { error: 'URI too long' } });
    expect(frameworkErrorAnswer({ code: 'FST_ERR_ASYNC_CONSTRAINT' })).toEqual({ status: 400, body: { error: 'Bad request' } });
  });

  it('HTTP parser failures', () => {
    expect(clientErrorAnswer({ code: 'HPE_HEADER_OVERFLOW' })).toEqual({ status: 431, body: { error: 'Request header fields too large' } });
    expect(clientErrorAnswer({ code: 'ERR_HTTP_REQUEST_TIMEOUT' })).toEqual({ status: 408, body: { error: 'Request timeout' } });
    expect(clientErrorAnswer({ code: 'HPE_INVALID_HEADER_TOKEN' })).toEqual({ status: 400, body: { error: 'Bad request' } });
    expect(clientErrorAnswer({})).toEqual({ status: 400, body: { error: 'Bad request' } });
  });

  it('raw response: status line, JSON type, exact length, connection close, envelope only', () => {
    const raw = rawErrorResponse({ status: 431, body: { error: 'Request header fields too large' } });
    const [head, body] = raw.split('\r\n\r\n');
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.1 431 Request Header Fields Too Large',
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
    ]);
    expect(JSON.parse(body)).toEqual({ error: 'Request header fields too large' });
  });
});
