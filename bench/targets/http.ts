/**
 * Small HTTP GETs to the service under test (readiness, /debug/runtime), on node:http with a socket
 * timeout. Not `fetch`: undici's pending request on a connection that a proxy accepted but never
 * answers (Docker's userland proxy before the service listens) holds no referenced handle, so Node
 * could exit mid-await with "unsettled top-level await" (exit 13).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RuntimeSnapshot } from '../collect/index.js';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** GET `url`; rejects on a connection error, or when no answer came within `timeoutMs`. */
export function httpGet(url: string, timeoutMs: number, signal?: AbortSignal): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: timeoutMs, agent: false, ...(signal ? { signal } : {}) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/** Polls `url` until it answers 200; returns the monotonic time (performance.now()) of the first 200. */
export async function waitForReady(url: string, timeoutMs: number, signal: AbortSignal, intervalMs = 2): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let lastError = 'no answer';
  while (performance.now() < deadline) {
    signal.throwIfAborted();
    try {
      const answer = await httpGet(url, 1000, signal);
      if (answer.status === 200) return performance.now();
      lastError = `HTTP ${answer.status}`;
    } catch (error) {
      signal.throwIfAborted();
      lastError = (error as Error).message;
    }
    await sleep(intervalMs, undefined, { signal });
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${lastError})`);
}

/** The service's `/debug/runtime` snapshot. */
export async function fetchRuntime(baseUrl: string, signal: AbortSignal): Promise<RuntimeSnapshot> {
  const answer = await httpGet(new URL('/debug/runtime', baseUrl).toString(), 5000, signal);
  if (answer.status !== 200) throw new Error(`${baseUrl}/debug/runtime answered HTTP ${answer.status}`);
  return JSON.parse(answer.body) as RuntimeSnapshot;
}
