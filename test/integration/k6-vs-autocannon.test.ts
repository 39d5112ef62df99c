/**
 * The same cell measured by autocannon's open-model driver and by a real k6: their P99 must agree within
 * a stated tolerance. Needs a real `k6` (on PATH, or K6_BINARY); k6 cannot be installed by this project
 * (AGPL, never downloaded or built), so where it is absent the suite is reported as skipped with the reason.
 *
 * The reference service runs on the host, on a free 127.0.0.1 port; the workload is a fixed 10 ms sleep,
 * so both generators should see ~10 ms plus loopback and scheduling noise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadProfile } from '../../scenarios/define.js';
import { runProcess } from '../../bench/exec/index.js';
import { AutocannonLoadGenerator } from '../../bench/load/autocannon.js';
import { findK6, K6LoadGenerator } from '../../bench/load/k6.js';
import { judgeLoad } from '../../bench/load/validity.js';
import type { LoadResult } from '../../bench/load/types.js';
import { refsvcDir } from '../../bench/paths.js';
import { parseBuildOutput } from '../../bench/targets/images.js';

const k6 = await findK6(process.env);
const skipReason = 'skipped: no k6 binary found (not on PATH, K6_BINARY unset); install k6 from a package manager to run it';

/** P99s may differ by this fraction of the autocannon P99, or by this many ms, whichever is larger. */
const p99Tolerance = { fraction: 0.25, ms: 2 } as const;

const profile: LoadProfile = { model: 'open', ratePerSec: 100, connections: 32, warmupMs: 3000, durationMs: 15_000 };
const request = { path: '/work?sleep_ms=10' };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitReady(baseUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(new URL('/ready', baseUrl))).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`reference service at ${baseUrl} not ready after ${timeoutMs} ms`);
}

describe.skipIf(!k6)(k6 ? `autocannon and k6 ${k6.version} measure the same cell` : `autocannon and k6 measure the same cell — ${skipReason}`, () => {
  let service: ChildProcess | undefined;
  let baseUrl = '';

  beforeAll(async () => {
    const { stdout } = await runProcess('bash', ['build.sh', '--json'], { cwd: refsvcDir });
    const binary = parseBuildOutput(stdout)[0];
    if (!binary) throw new Error('infra/refsvc/build.sh --json printed no binary');
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    service = spawn(binary.path, [], { env: { ...process.env, ADDR: `127.0.0.1:${port}` }, stdio: 'ignore' });
    await waitReady(baseUrl, 15_000);
  }, 300_000);

  afterAll(() => {
    service?.kill('SIGKILL');
  });

  it(`P99 agrees within ${p99Tolerance.fraction * 100}% or ${p99Tolerance.ms} ms`, async () => {
    const signal = new AbortController().signal;
    const results: Record<string, LoadResult> = {};
    results['autocannon'] = await new AutocannonLoadGenerator().run(baseUrl, request, profile, { signal });
    results['k6'] = await new K6LoadGenerator().run(baseUrl, request, profile, { signal });
    for (const [name, result] of Object.entries(results)) {
      expect(judgeLoad(result, profile), `${name} held the load`).toEqual({ valid: true });
      expect(result.latency.p99Ms, `${name} P99 is at least the 10 ms sleep`).toBeGreaterThanOrEqual(10);
    }
    const a = (results['autocannon'] as LoadResult).latency.p99Ms;
    const b = (results['k6'] as LoadResult).latency.p99Ms;
    const allowed = Math.max(p99Tolerance.ms, p99Tolerance.fraction * a);
    console.info(`P99 autocannon ${a.toFixed(2)} ms, k6 ${b.toFixed(2)} ms, allowed difference ${allowed.toFixed(2)} ms`);
    expect(Math.abs(a - b), `|P99 autocannon ${a} − P99 k6 ${b}|`).toBeLessThanOrEqual(allowed);
  }, 120_000);
});
