/**
 * The built-in closed-model driver: `connections` keep-alive sockets, each with one request in flight,
 * over raw `net` sockets with one pre-encoded HTTP/1.1 request and a minimal response parser (http1.ts). On a small host every cycle the generator spends is taken from
 * the service; this path costs a fraction of node:http's or autocannon's per request
 * (`npm run bench:generators` compares it with wrk). Latency is per response, microsecond HDR.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { LoadProfile } from '../../scenarios/index.js';
import { createLatencyHistogram, progressOfLastSecond, recordMs, closedModelResult, type SecondBucket } from './histogram.js';
import { parseResponse, requestPayload } from './http1.js';
import type { LoadRequest, LoadResult, LoadRunOptions } from './types.js';

type ClosedProfile = Extract<LoadProfile, { model: 'closed' }>;

/** A request not answered by then counts as a timeout and its connection is replaced. */
const requestTimeoutMs = 10_000;

interface ConnectionState {
  socket: net.Socket;
  /** When the request in flight was sent (ms since the start). */
  sentAt: number;
  /** A request is in flight on this connection. */
  waiting: boolean;
  timedOut?: boolean;
}

export async function runNativeClosedModel(baseUrl: string, request: LoadRequest, profile: ClosedProfile, options: LoadRunOptions): Promise<LoadResult> {
  const url = new URL(request.path, baseUrl);
  const port = Number(url.port || 80);
  const payload = requestPayload(url);
  const histogram = createLatencyHistogram();
  const errors = { non2xx: 0, timeouts: 0, connection: 0 };
  const perSecond = new Map<number, SecondBucket>();
  const totalMs = profile.warmupMs + profile.durationMs;
  const t0 = performance.now();
  const cpuStart = process.cpuUsage();
  let requests = 0;
  let stopping = false;
  let lastProgress = 0;
  const sockets = new Set<ConnectionState>();

  const inWindow = (t: number) => (t >= profile.warmupMs && t <= totalMs ? t - profile.warmupMs : null);
  const bucket = (t: number) => {
    const second = Math.floor(t / 1000);
    const b = perSecond.get(second) ?? { n: 0, errors: 0, lat: [] };
    perSecond.set(second, b);
    return b;
  };
  const count = (startMs: number, status: number | null, error: 'timeout' | 'connection' | null) => {
    const now = performance.now() - t0;
    const t = inWindow(now);
    if (t === null) return;
    requests++;
    const b = bucket(t);
    b.n++;
    if (error === 'timeout') errors.timeouts++;
    else if (error === 'connection') errors.connection++;
    else if (status === null || status < 200 || status >= 300) errors.non2xx++;
    if (error !== null || status === null || status < 200 || status >= 300) {
      b.errors++;
      return;
    }
    const latency = now - startMs;
    recordMs(histogram, latency);
    b.lat.push(latency);
  };

  const connection = () =>
    new Promise<void>((resolve) => {
      let buffer: Buffer = Buffer.alloc(0);
      const socket = net.connect({ host: url.hostname, port, noDelay: true });
      const state: ConnectionState = { socket, sentAt: 0, waiting: false };
      sockets.add(state);
      const send = () => {
        const now = performance.now() - t0;
        if (stopping || now >= totalMs) {
          state.waiting = false;
          socket.end();
          return;
        }
        state.sentAt = now;
        state.waiting = true;
        socket.write(payload);
      };
      socket.on('connect', send);
      socket.on('data', (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        const response = parseResponse(buffer);
        if (response === null) return;
        buffer = buffer.length === response.end ? Buffer.alloc(0) : buffer.subarray(response.end);
        state.waiting = false;
        count(state.sentAt, response.status, null);
        send();
      });
      socket.on('error', () => {
        if (state.waiting && !stopping && !state.timedOut) count(state.sentAt, null, 'connection');
        state.waiting = false;
      });
      socket.on('close', () => {
        sockets.delete(state);
        // A connection lost before the end is replaced, as a closed-model client would reconnect.
        if (!stopping && performance.now() - t0 < totalMs) void connection().then(resolve);
        else resolve();
      });
    });

  // One sweep for timeouts instead of a timer per request (a timer per request costs more than the rest
  // of the request path): a request older than the timeout is counted and its connection replaced.
  const sweeper = setInterval(() => {
    const now = performance.now() - t0;
    for (const c of sockets) {
      if (c.waiting && now - c.sentAt > requestTimeoutMs) {
        c.waiting = false;
        c.timedOut = true;
        count(c.sentAt, null, 'timeout');
        c.socket.destroy();
      }
    }
  }, 250);
  const progress = setInterval(() => {
    const elapsed = performance.now() - t0;
    if (!options.onProgress || elapsed - lastProgress < 900) return;
    lastProgress = elapsed;
    options.onProgress(progressOfLastSecond(perSecond, elapsed, profile.warmupMs, totalMs));
  }, 250);
  const stopAll = () => {
    stopping = true;
    for (const c of sockets) c.socket.destroy();
  };
  const deadline = setTimeout(stopAll, totalMs + requestTimeoutMs);
  options.signal.addEventListener('abort', stopAll, { once: true });
  try {
    await Promise.all(Array.from({ length: profile.connections }, () => connection()));
  } finally {
    clearInterval(progress);
    clearInterval(sweeper);
    clearTimeout(deadline);
    options.signal.removeEventListener('abort', stopAll);
    stopAll();
  }
  return closedModelResult('native (net, keep-alive)', { requests, errors, histogram, perSecond, t0, cpuStart, profile });
}
