/**
 * The default load generator. Closed model: in-process autocannon (`connections` each with one request
 * in flight); every response's fractional duration goes into a microsecond HDR histogram, since
 * autocannon's own histogram keeps whole milliseconds. Open model and stages: the arrival-schedule driver
 * in open-model.ts, which measures from the intended send time.
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { LoadProfile } from '../../scenarios/index.js';
import { createLatencyHistogram, progressOfLastSecond, recordMs, closedModelResult, type SecondBucket } from './histogram.js';
import { runOpenModel } from './open-model.js';
import type { LoadGenerator, LoadRequest, LoadResult, LoadRunOptions } from './types.js';

type ClosedProfile = Extract<LoadProfile, { model: 'closed' }>;

export async function runClosedModel(baseUrl: string, request: LoadRequest, profile: ClosedProfile, options: LoadRunOptions): Promise<LoadResult> {
  const histogram = createLatencyHistogram();
  const errors = { non2xx: 0, timeouts: 0, connection: 0 };
  const perSecond = new Map<number, SecondBucket>();
  let requests = 0;
  const totalMs = profile.warmupMs + profile.durationMs;
  const t0 = performance.now();
  const cpuStart = process.cpuUsage();
  const inWindow = () => {
    const t = performance.now() - t0;
    return t >= profile.warmupMs && t <= totalMs ? t - profile.warmupMs : null;
  };
  const bucket = (t: number) => {
    const second = Math.floor(t / 1000);
    const b = perSecond.get(second) ?? { n: 0, errors: 0, lat: [] };
    perSecond.set(second, b);
    return b;
  };

  let finished: (error: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finished = (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve());
  });
  const instance = autocannon(
    {
      url: new URL(request.path, baseUrl).toString(),
      connections: profile.connections,
      pipelining: 1,
      duration: totalMs / 1000,
      timeout: 10,
      // We keep our own histogram; autocannon's printing and progress bar stay off.
      excludeErrorStats: false,
    },
    (error) => finished(error),
  );
  let lastProgress = 0;
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    const t = inWindow();
    if (t === null) return;
    requests++;
    const b = bucket(t);
    b.n++;
    if (statusCode < 200 || statusCode >= 300) {
      errors.non2xx++;
      b.errors++;
      return;
    }
    recordMs(histogram, responseTimeMs);
    b.lat.push(responseTimeMs);
  });
  instance.on('reqError', (error: { code?: string } | undefined) => {
    const t = inWindow();
    if (t === null) return;
    requests++;
    bucket(t).errors++;
    if (error?.code === 'ETIMEDOUT' || /timeout/i.test(String((error as Error | undefined)?.message ?? ''))) errors.timeouts++;
    else errors.connection++;
  });
  instance.on('tick', () => {
    const elapsed = performance.now() - t0;
    if (!options.onProgress || elapsed - lastProgress < 900) return;
    lastProgress = elapsed;
    options.onProgress(progressOfLastSecond(perSecond, elapsed, profile.warmupMs, totalMs));
  });
  const onAbort = () => instance.stop();
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await done;
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
  return closedModelResult('autocannon', { requests, errors, histogram, perSecond, t0, cpuStart, profile });
}

/** autocannon for closed-model cells, the arrival-schedule driver for open-model and staged cells. */
export class AutocannonLoadGenerator implements LoadGenerator {
  readonly name = 'autocannon';

  async unavailableReason(): Promise<string | null> {
    return null;
  }

  async run(baseUrl: string, request: LoadRequest, profile: LoadProfile, options: LoadRunOptions): Promise<LoadResult> {
    if (profile.model === 'closed') return runClosedModel(baseUrl, request, profile, options);
    const { outcomes: _outcomes, ...result } = await runOpenModel(baseUrl, request, profile, options);
    return result;
  }
}
