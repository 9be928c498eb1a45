import { clientErrorHandler, clientErrorResponse } from './framework-errors';

describe('requests Node could not parse', () => {
  const parsed = (raw: string) => {
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    return { statusLine: head.split('\r\n')[0], head, body: JSON.parse(body) as Record<string, unknown> };
  };

  it('answer problem+json: 400 for a bad header (a NUL), 431 for headers too large, 408 for a request too slow', () => {
    const bad = parsed(clientErrorResponse(Object.assign(new Error('Parse Error: Invalid header value char'), { code: 'HPE_INVALID_HEADER_TOKEN' })));
    expect(bad.statusLine).toBe('HTTP/1.1 400 Bad request');
    expect(bad.head).toContain('Content-Type: application/problem+json');
    expect(bad.head).toContain('Connection: close');
    expect(bad.body).toMatchObject({ type: 'https://lienthong.vn/problems/bad-request', status: 400, code: 'bad-request' });
    expect(parsed(clientErrorResponse(Object.assign(new Error('overflow'), { code: 'HPE_HEADER_OVERFLOW' }))).body).toMatchObject({ status: 431, code: 'request-header-fields-too-large' });
    expect(parsed(clientErrorResponse(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }))).body).toMatchObject({ status: 408, code: 'request-timeout' });
  });

  it('is written when the socket can take it, and the socket closed; a reset connection is left alone', () => {
    const written: string[] = [];
    const socket = { destroyed: false, writable: true, write: (s: string) => written.push(s), destroy: jest.fn() };
    clientErrorHandler(Object.assign(new Error('bad'), { code: 'HPE_INVALID_HEADER_TOKEN' }), socket as never);
    expect(written).toHaveLength(1);
    expect(socket.destroy).toHaveBeenCalled();

    const reset = { destroyed: false, writable: true, write: jest.fn(), destroy: jest.fn() };
    clientErrorHandler(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), reset as never);
    expect(reset.write).not.toHaveBeenCalled();
  });
});
