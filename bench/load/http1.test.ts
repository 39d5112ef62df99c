import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionPool, connectionCloses, type Finish } from './http1.js';

/** A loopback HTTP server for the pool, with the connections it saw and the most requests at once. */
async function server(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  let active = 0;
  const seen = { connections: 0, maxConcurrent: 0 };
  const s = http.createServer((req, res) => {
    active++;
    seen.maxConcurrent = Math.max(seen.maxConcurrent, active);
    res.on('finish', () => active--);
    handler(req, res);
  });
  s.on('connection', () => seen.connections++);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}/work?cpu=1`);
  return { s, url, seen };
}

const pools: ConnectionPool[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) p.destroy();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

function poolFor(url: URL, maxSockets: number, timeoutMs = 10_000): ConnectionPool {
  const pool = new ConnectionPool(url, maxSockets, () => performance.now(), timeoutMs);
  pools.push(pool);
  return pool;
}

/** Sends `n` requests at once; resolves with how each ended. */
function sendAll(pool: ConnectionPool, n: number): Promise<Array<{ status: number | null; error: string | null }>> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<{ status: number | null; error: string | null }>((resolve) => {
          const finish: Finish = (status, error) => resolve({ status, error });
          pool.request(finish);
        }),
    ),
  );
}

describe('ConnectionPool (the open model’s HTTP/1.1 client)', () => {
  it('keeps at most maxSockets keep-alive connections, one request on each, the rest in line', async () => {
    const { s, url, seen } = await server((req, res) => {
      expect(req.url).toBe('/work?cpu=1');
      setTimeout(() => res.end('ok'), 5);
    });
    servers.push(s);
    const results = await sendAll(poolFor(url, 3), 30);
    expect(results.every((r) => r.status === 200 && r.error === null)).toBe(true);
    expect(seen.connections, 'connections opened').toBe(3);
    expect(seen.maxConcurrent, 'requests at once').toBe(3);
  });

  it('does not reuse a connection the server closes (Connection: close), and still answers every request', async () => {
    const { s, url, seen } = await server((_req, res) => {
      res.setHeader('Connection', 'close');
      res.end('bye');
    });
    servers.push(s);
    const results = await sendAll(poolFor(url, 2), 6);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(seen.connections, 'one connection per request').toBe(6);
  });

  it('opens a new connection when the server closed an idle one', async () => {
    const { s, url, seen } = await server((_req, res) => res.end('ok'));
    servers.push(s);
    const pool = poolFor(url, 1);
    expect((await sendAll(pool, 1))[0]?.status).toBe(200);
    s.closeIdleConnections();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await sendAll(pool, 1))[0]?.status).toBe(200);
    expect(seen.connections).toBe(2);
  });

  it('ends a refused request with `connection`, and one unanswered past the timeout with `timeout`', async () => {
    const { s, url } = await server(() => undefined);
    servers.push(s);
    const started = performance.now();
    expect(await sendAll(poolFor(url, 1, 300), 2)).toEqual([
      { status: null, error: 'timeout' },
      { status: null, error: 'timeout' },
    ]);
    expect(performance.now() - started, 'both timed out, one after the other').toBeGreaterThanOrEqual(600);

    const closed = new URL(url);
    await new Promise((resolve) => s.close(resolve));
    s.closeAllConnections();
    servers.splice(0);
    expect(await sendAll(poolFor(closed, 2), 3)).toEqual([
      { status: null, error: 'connection' },
      { status: null, error: 'connection' },
      { status: null, error: 'connection' },
    ]);
  });

  it('reads a status and the Connection header from the response head only', () => {
    const go = Buffer.from('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
    expect(connectionCloses(go, go.length)).toBe(true);
    const body = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 19\r\n\r\n\r\nConnection: close');
    expect(connectionCloses(body, body.length), 'the same bytes in the body do not count').toBe(false);
  });
});
