/**
 * The generators' HTTP/1.1 client, lean on purpose: raw `net` sockets, one pre-encoded GET, a minimal
 * response parser (status line, `Content-Length` or chunked body). On a small host every cycle the
 * generator spends is taken from the service or delays its next send; this path costs a fraction of
 * node:http's per request (`npm run bench:generators`). The closed model drives its connections itself;
 * the open model sends through `ConnectionPool`, which behaves as node:http's keep-alive agent with
 * `maxSockets`: a request takes an idle connection, else opens one while fewer than the limit are open,
 * else waits in line for the next one free.
 */
import net from 'node:net';

const CRLF2 = Buffer.from('\r\n\r\n');
const CHUNK_END = Buffer.from('0\r\n\r\n');
const CONTENT_LENGTH = Buffer.from('\r\nContent-Length:');

/**
 * Where the first complete HTTP/1.1 response in `buffer` ends, with its status; `null` while incomplete.
 * Exported for tests.
 */
export function parseResponse(buffer: Buffer): { status: number; end: number } | null {
  const headerEnd = buffer.indexOf(CRLF2);
  if (headerEnd < 0) return null;
  const status = digitsAt(buffer, 9, 12);
  const bodyStart = headerEnd + 4;
  // Fast path: the header as Go's net/http writes it; the case-insensitive scan below for anything else.
  const at = buffer.indexOf(CONTENT_LENGTH);
  if (at >= 0 && at < headerEnd) {
    let i = at + CONTENT_LENGTH.length;
    while (buffer[i] === 0x20) i++;
    let length = 0;
    for (let c = buffer[i]; c !== undefined && c >= 0x30 && c <= 0x39; c = buffer[++i]) length = length * 10 + (c - 0x30);
    const end = bodyStart + length;
    return buffer.length >= end ? { status, end } : null;
  }
  const head = buffer.toString('latin1', 0, headerEnd);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const end = bodyStart + Number(length[1]);
    return buffer.length >= end ? { status, end } : null;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const end = buffer.indexOf(CHUNK_END, bodyStart);
    return end < 0 ? null : { status, end: end + CHUNK_END.length };
  }
  // No body (204/304) or a body delimited by close, which keep-alive servers do not send.
  return { status, end: bodyStart };
}

/** The decimal number in bytes [from, to) (the status code of a status line). */
function digitsAt(buffer: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + ((buffer[i] ?? 0x30) - 0x30);
  return n;
}

/** The one request a load sends, pre-encoded. */
export function requestPayload(url: URL): Buffer {
  return Buffer.from(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: keep-alive\r\n\r\n`, 'latin1');
}

const CONNECTION_CLOSE = [Buffer.from('\r\nConnection: close'), Buffer.from('\r\nconnection: close')];

/** Whether the response in `buffer[0, end)` says the server closes the connection after it. Exported for tests. */
export function connectionCloses(buffer: Buffer, end: number): boolean {
  const head = buffer.subarray(0, Math.min(end, buffer.indexOf(CRLF2) + 2));
  return CONNECTION_CLOSE.some((needle) => head.indexOf(needle) >= 0);
}

/** How one request ended: its status, or why it has none. */
export type Finish = (status: number | null, error: 'timeout' | 'connection' | null) => void;

interface Connection {
  socket: net.Socket;
  buffer: Buffer;
  /** The request in flight and when it was written (ms, the pool's clock); null while idle. */
  current: { finish: Finish; sentAt: number } | null;
  openedAt: number;
  connected: boolean;
  /** Not connected within the timeout: the request that opened it timed out. */
  connectTimedOut: boolean;
}

/**
 * Keep-alive connections to one address, at most `maxSockets`, one request in flight on each (no
 * pipelining), requests in line when all are busy. A request whose connection fails or closes before its
 * response ends with `connection`; one unanswered after `timeoutMs` with `timeout` and its connection is
 * closed (one sweep for all requests: a timer per request costs more than the rest of the request path).
 */
export class ConnectionPool {
  private readonly idle: Connection[] = [];
  private readonly open = new Set<Connection>();
  private readonly waiting: Finish[] = [];
  private readonly payload: Buffer;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly url: URL,
    private readonly maxSockets: number,
    private readonly now: () => number,
    private readonly timeoutMs: number,
  ) {
    this.payload = requestPayload(url);
    this.sweeper = setInterval(() => this.sweep(), 250);
    this.sweeper.unref();
  }

  /** Sends one request; `finish` is called once, when it ends. */
  request(finish: Finish): void {
    if (this.closed) return finish(null, 'connection');
    const free = this.idle.pop();
    if (free !== undefined) return this.write(free, finish);
    if (this.open.size < this.maxSockets) return this.connect(finish);
    this.waiting.push(finish);
  }

  /** Closes every connection; requests still in flight or in line are dropped without a call. */
  destroy(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    this.waiting.length = 0;
    for (const c of [...this.open]) c.socket.destroy();
  }

  private write(c: Connection, finish: Finish): void {
    c.current = { finish, sentAt: this.now() };
    c.socket.write(this.payload);
  }

  private connect(first: Finish): void {
    const socket = net.connect({ host: this.url.hostname, port: Number(this.url.port || 80), noDelay: true });
    const c: Connection = { socket, buffer: Buffer.alloc(0), current: null, openedAt: this.now(), connected: false, connectTimedOut: false };
    this.open.add(c);
    socket.on('connect', () => {
      c.connected = true;
      this.write(c, first);
    });
    socket.on('data', (chunk: Buffer) => this.read(c, chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.open.delete(c);
      const at = this.idle.indexOf(c);
      if (at >= 0) this.idle.splice(at, 1);
      if (this.closed) return;
      // A connection that never connected fails the request that opened it, as node:http's agent does.
      const lost = c.connected ? c.current : { finish: first, sentAt: c.openedAt };
      c.current = null;
      lost?.finish(null, c.connectTimedOut ? 'timeout' : 'connection');
      const next = this.waiting.shift();
      if (next !== undefined) this.request(next);
    });
  }

  private read(c: Connection, chunk: Buffer): void {
    c.buffer = c.buffer.length === 0 ? chunk : Buffer.concat([c.buffer, chunk]);
    for (;;) {
      const current = c.current;
      if (current === null) return;
      const response = parseResponse(c.buffer);
      if (response === null) return;
      const closes = connectionCloses(c.buffer, response.end);
      c.buffer = c.buffer.length === response.end ? Buffer.alloc(0) : c.buffer.subarray(response.end);
      c.current = null;
      current.finish(response.status, null);
      if (closes) {
        c.socket.destroy();
        return;
      }
      const next = this.waiting.shift();
      if (next !== undefined) this.write(c, next);
      else this.idle.push(c);
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const c of this.open) {
      if (!c.connected && !c.connectTimedOut && now - c.openedAt > this.timeoutMs) {
        c.connectTimedOut = true;
        c.socket.destroy();
        continue;
      }
      const current = c.current;
      if (current === null || !c.connected || now - current.sentAt <= this.timeoutMs) continue;
      c.current = null;
      current.finish(null, 'timeout');
      c.socket.destroy();
    }
  }
}
