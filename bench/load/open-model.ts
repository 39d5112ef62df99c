/**
 * Open-model load: requests arrive on a schedule (constant rate, or piecewise-linear stages) whatever the
 * service does, and latency is measured from each request's *intended* send time, so a stalled service
 * cannot hide its queueing delay (no coordinated omission, as wrk2 does it).
 *
 * Why not autocannon's `overallRate`: its rate limiter lets each connection send its per-second quota as
 * fast as it can at the start of every second, then pauses (autocannon lib/httpClient.js,
 * `reqsMadeThisSecond`), which is a burst every second rather than a steady arrival process, and its
 * correction assumes a 1 ms interval whatever the rate.
 */
import { performance } from 'node:perf_hooks';
import type { LoadProfile, RateStage } from '../../scenarios/index.js';
import { createLatencyHistogram, encodeHistogram, recordMs, seriesFromBuckets, summarizeHistogram, type SecondBucket } from './histogram.js';
import { ConnectionPool } from './http1.js';
import type { LoadRequest, LoadResult, LoadRunOptions } from './types.js';
import { dispatchLagLimitMs } from './validity.js';

export type OpenProfile = Extract<LoadProfile, { model: 'open' | 'stages' }>;

/** How close to an arrival the scheduler stops sleeping on a timer and turns the event loop instead, ms. */
const SPIN_MS = 1.5;

/**
 * The runs of this thread (the schedules of a duet share one worker thread). A blocking sleep stops the
 * whole thread, so a run may take one only while no run of the thread has a request in flight (a
 * response would wait unread), and never past another run's next arrival.
 */
interface ThreadRun {
  inFlight(): number;
  /** `performance.now()` of the next arrival; Infinity when the schedule is done. */
  nextDueAt(): number;
}
const runsOfThisThread = new Set<ThreadRun>();

/** How long this thread may sleep blocked, ms: 0 when any run has a request in flight. Exported for tests. */
export function blockingSleepMs(runs: Iterable<ThreadRun>, nowMs: number): number {
  let until = Number.POSITIVE_INFINITY;
  for (const run of runs) {
    if (run.inFlight() > 0) return 0;
    until = Math.min(until, run.nextDueAt());
  }
  return Number.isFinite(until) ? Math.max(0, until - nowMs) : 0;
}

/** The longest blocking sleep, ms: an abort message waits at most this long. */
const MAX_BLOCKING_SLEEP_MS = 50;

/** Request timeout: a request not answered by then counts as a timeout. */
const requestTimeoutMs = 10_000;

/** Target rate at `tMs` after the start (warm-up included), for either profile shape. */
export function rateAt(profile: OpenProfile, tMs: number): number {
  if (profile.model === 'open') return profile.ratePerSec;
  if (tMs < profile.warmupMs) return profile.stages[0]?.ratePerSec ?? 0;
  let start = profile.warmupMs;
  let previous = profile.stages[0]?.ratePerSec ?? 0;
  for (const stage of profile.stages) {
    if (tMs < start + stage.durationMs) {
      const fraction = (tMs - start) / stage.durationMs;
      return previous + (stage.ratePerSec - previous) * fraction;
    }
    start += stage.durationMs;
    previous = stage.ratePerSec;
  }
  return 0;
}

export function measuredDurationMs(profile: OpenProfile): number {
  return profile.model === 'open' ? profile.durationMs : profile.stages.reduce((sum: number, s: RateStage) => sum + s.durationMs, 0);
}

/**
 * Intended send times (ms from start) of every request of a profile: the integral of the rate, one
 * request per unit, each time interpolated inside its integration step (not rounded to it), so the
 * arrivals keep their spacing at any rate. Pure, so the schedule itself is testable.
 */
export function createSchedule(profile: OpenProfile, stepMs = 1): number[] {
  const totalMs = profile.warmupMs + measuredDurationMs(profile);
  const times: number[] = [];
  let accumulated = 0;
  for (let t = 0; t < totalMs; t += stepMs) {
    // Midpoint rule: a linear ramp integrates exactly.
    const perStep = (rateAt(profile, t + stepMs / 2) * stepMs) / 1000;
    const before = accumulated;
    accumulated += perStep;
    // The epsilon keeps float accumulation (0.1 + 0.1 + …) from losing a request at exact boundaries.
    let k = 1;
    while (accumulated >= 1 - 1e-9) {
      accumulated -= 1;
      // Where inside the step the k-th unit is reached (linear within a step).
      const within = perStep > 0 ? Math.min(1, Math.max(0, (k - before) / perStep)) : 0;
      times.push(t + within * stepMs);
      k++;
    }
  }
  return times;
}

/** One request of an open-model load, on the load's clock (ms). */
export interface RequestOutcome {
  intendedMs: number;
  doneMs: number;
  status: number | null;
  error: 'timeout' | 'connection' | null;
}

/** Runs an open-model load. `stopIssuing` ends the arrivals early (shutdown scenario) without aborting in-flight requests. */
export async function runOpenModel(
  baseUrl: string,
  request: LoadRequest,
  profile: OpenProfile,
  options: LoadRunOptions & { stopIssuing?: AbortSignal; maxBacklog?: number; phase?: number; blockingWait?: boolean },
): Promise<LoadResult & { outcomes: RequestOutcome[]; startedAtEpochMs: number }> {
  // Only a worker thread of its own may block its event loop while it waits (see the scheduler below).
  const sleeper = options.blockingWait === true ? new Int32Array(new SharedArrayBuffer(4)) : null;
  const url = new URL(request.path, baseUrl);
  // `phase` (a fraction of the first inter-arrival time) staggers schedules that run side by side, so the
  // cells of a duet do not all have their requests due at the same instant.
  const shift = options.phase === undefined || options.phase === 0 ? 0 : (options.phase * 1000) / Math.max(1e-9, rateAt(profile, 0));
  const totalScheduleMs = profile.warmupMs + measuredDurationMs(profile);
  const schedule =
    shift === 0
      ? createSchedule(profile)
      : createSchedule(profile)
          .map((t) => t + shift)
          .filter((t) => t < totalScheduleMs);
  const maxBacklog = options.maxBacklog ?? Math.max(profile.connections * 8, 1000);
  const outcomes: RequestOutcome[] = [];
  let outstanding = 0;
  let dropped = 0;
  let next = 0;
  const t0 = performance.now();
  const cpuStart = process.cpuUsage();
  const totalMs = profile.warmupMs + measuredDurationMs(profile);
  let lastProgress = 0;
  // Dispatch lag: actual send time − intended send time, µs, over the measured window.
  const dispatchLag = createLatencyHistogram();
  // Sends later than the limit at their arrival's rate (validity.ts judges how many is too many).
  let lateSends = 0;
  let arrivalsOver = false;
  const threadRun: ThreadRun = {
    inFlight: () => outstanding,
    nextDueAt: () => (arrivalsOver || next >= schedule.length ? Number.POSITIVE_INFINITY : t0 + (schedule[next] as number)),
  };
  runsOfThisThread.add(threadRun);

  // At most `connections` keep-alive connections; a request due while all are busy waits in line, and its
  // latency, counted from its intended send time, includes that wait.
  const pool = new ConnectionPool(url, profile.connections, () => performance.now(), requestTimeoutMs);
  // The progress line's figures for the second so far, kept as responses arrive: computing them from
  // `outcomes` once a second (a filter over every outcome and a sort) stalled the sends due then by
  // 3–6 ms, and made a burst of late sends every second.
  const progressLatency = createLatencyHistogram();
  let progressCount = 0;
  const stopped = () => options.signal.aborted || options.stopIssuing?.aborted === true;
  const send = (intendedMs: number) => {
    outstanding++;
    pool.request((status, error) => {
      outstanding--;
      const doneMs = performance.now() - t0;
      outcomes.push({ intendedMs, doneMs, status, error });
      if (options.onProgress) {
        progressCount++;
        recordMs(progressLatency, doneMs - intendedMs);
      }
      // Responses come in bursts (a service resuming after a GC pause or a throttled period answers
      // dozens at once): an arrival that falls due while a burst is read goes out between two responses.
      if (!arrivalsOver && !stopped()) dispatchDue(doneMs);
    });
  };
  /** Sends every arrival due by `now`, recording how late each one went out. */
  const dispatchDue = (now: number) => {
    while (next < schedule.length && (schedule[next] as number) <= now) {
      const intended = schedule[next] as number;
      // Counted before the send: a request that fails at once calls back into this loop.
      next++;
      if (outstanding >= maxBacklog) dropped++;
      else {
        if (intended >= profile.warmupMs) {
          const lag = performance.now() - t0 - intended;
          recordMs(dispatchLag, lag);
          if (lag > dispatchLagLimitMs(rateAt(profile, intended))) lateSends++;
        }
        send(intended);
      }
    }
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now() - t0;
      const isStopped = stopped();
      if (!isStopped) dispatchDue(now);
      if (options.onProgress && now - lastProgress >= 1000) {
        const seconds = (now - lastProgress) / 1000;
        lastProgress = now;
        options.onProgress({
          elapsedMs: now,
          totalMs,
          rps: Math.round(progressCount / seconds),
          p99Ms: progressCount === 0 ? 0 : progressLatency.getValueAtPercentile(99) / 1000,
          phase: now < profile.warmupMs ? 'warmup' : 'measure',
        });
        progressLatency.reset();
        progressCount = 0;
      }
      if (isStopped || next >= schedule.length) {
        // Arrivals are over: wait for what is in flight (bounded by the request timeout), then for the
        // other runs of this thread, whose arrivals and responses the summary below (milliseconds of
        // work) would otherwise hold up.
        arrivalsOver = true;
        const waitStart = performance.now();
        const drain = () => {
          if (outstanding === 0 || performance.now() - waitStart > requestTimeoutMs + 1000) runsOfThisThread.delete(threadRun);
          if (runsOfThisThread.has(threadRun) || runsOfThisThread.size > 0) setTimeout(drain, 5);
          else resolve();
        };
        drain();
        return;
      }
      // Wake up for the next arrival. In the generator's own thread (`blockingWait`) with no request in
      // flight in any run of the thread, nothing can arrive for it, so it sleeps exactly (Atomics.wait)
      // until the thread's next arrival: one wake-up per arrival, and a thread that sleeps, unlike one
      // that spins, is scheduled at once when it wakes. Otherwise a timer while the arrival is more than
      // SPIN_MS away (Node's timers have millisecond resolution and fire late rather than early), then the
      // event loop's next turns, which also read responses, for the last fraction of a millisecond.
      const wait = (schedule[next] as number) - (performance.now() - t0);
      const sleepMs = sleeper === null || wait <= 0 ? 0 : Math.min(wait, MAX_BLOCKING_SLEEP_MS, blockingSleepMs(runsOfThisThread, performance.now()));
      if (sleepMs > 0) {
        Atomics.wait(sleeper as Int32Array, 0, 0, sleepMs);
        setImmediate(tick);
      } else if (wait > SPIN_MS) setTimeout(tick, Math.max(0, Math.floor(wait - SPIN_MS)));
      else setImmediate(tick);
    };
    tick();
  });
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = performance.now() - t0;
  pool.destroy();

  const measured = outcomes.filter((o) => o.intendedMs >= profile.warmupMs);
  const histogram = createLatencyHistogram();
  const errors = { non2xx: 0, timeouts: 0, connection: 0 };
  const perSecond = new Map<number, SecondBucket>();
  for (const o of measured) {
    if (o.error === 'timeout') errors.timeouts++;
    else if (o.error === 'connection') errors.connection++;
    else if (o.status === null || o.status < 200 || o.status >= 300) errors.non2xx++;
    const latencyMs = o.doneMs - o.intendedMs;
    if (o.error === null) recordMs(histogram, latencyMs);
    const second = Math.floor((o.doneMs - profile.warmupMs) / 1000);
    const bucket = perSecond.get(second) ?? { n: 0, errors: 0, lat: [] };
    bucket.n++;
    if (o.error !== null) bucket.errors++;
    else bucket.lat.push(latencyMs);
    perSecond.set(second, bucket);
  }
  const durationMs = measuredDurationMs(profile);
  const completedInWindow = measured.filter((o) => o.doneMs <= profile.warmupMs + durationMs).length;
  const targetCount = schedule.filter((t) => t >= profile.warmupMs).length;
  const stoppedEarly = options.stopIssuing?.aborted === true;
  return {
    generator: 'open-model (net, keep-alive)',
    requests: measured.length,
    achievedRps: completedInWindow / (durationMs / 1000),
    targetRps: stoppedEarly ? null : targetCount / (durationMs / 1000),
    durationMs,
    latency: summarizeHistogram(histogram),
    histogramUs: encodeHistogram(histogram),
    fromIntendedStart: true,
    errors,
    dropped,
    generatorCpu: (cpu.user + cpu.system) / 1000 / wallMs,
    dispatchLagMs:
      dispatchLag.totalCount === 0
        ? null
        : {
            p50Ms: dispatchLag.getValueAtPercentile(50) / 1000,
            p99Ms: dispatchLag.getValueAtPercentile(99) / 1000,
            maxMs: dispatchLag.maxValue / 1000,
            sends: dispatchLag.totalCount,
            lateSends,
          },
    series: seriesFromBuckets(perSecond),
    outcomes,
    // The load's clock (intendedMs, doneMs) as wall-clock time, so that another process can place its
    // own events (a SIGTERM) on it.
    startedAtEpochMs: performance.timeOrigin + t0,
  };
}
