import { describe, expect, it } from 'vitest';
import { parseResponse } from './http1.js';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('minimal HTTP/1.1 response parser', () => {
  it('waits for the whole Content-Length body and reports where the response ends', () => {
    const full = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello';
    expect(parseResponse(b(full.slice(0, -1)))).toBeNull();
    expect(parseResponse(b(full))).toEqual({ status: 200, end: full.length });
    expect(parseResponse(b(`${full}HTTP/1.1 503`))).toEqual({ status: 200, end: full.length });
  });

  it('reads chunked bodies to the last chunk and statuses other than 200', () => {
    const chunked = 'HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n';
    expect(parseResponse(b(chunked.slice(0, -2)))).toBeNull();
    expect(parseResponse(b(chunked))).toEqual({ status: 503, end: chunked.length });
  });

  it('waits for the end of the headers', () => {
    expect(parseResponse(b('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n'))).toBeNull();
    expect(parseResponse(b('HTTP/1.1 204 No Content\r\n\r\n'))).toEqual({ status: 204, end: 27 });
  });
});

describe('Content-Length fast path', () => {
  it('reads Go net/http’s header without the regex, and a lower-case header with it', () => {
    const go = 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\nhello world!';
    expect(parseResponse(b(go))).toEqual({ status: 200, end: go.length });
    const lower = 'HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\nnop';
    expect(parseResponse(b(lower))).toEqual({ status: 404, end: lower.length });
  });
});
