/**
 * What one repeat of a cell does, per scenario kind. Each procedure deploys what it needs through the
 * target, measures, and leaves teardown to the task stack, which runs it in reverse order whatever
 * happens (failure, Ctrl-C).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { cellRequestPath, defaultEndpointRemovalDelayMs, type Cell } from '../../scenarios/index.js';
import { loadResultMetrics, summariseLoadWindow, type RuntimeSnapshot } from '../collect/index.js';
import { openModelProcess, type LoadGenerator, type LoadProgress, type LoadResult } from '../load/index.js';
import type { EffectiveSettings, Outcome, RepeatResult, RuntimeWindow } from '../results/index.js';
import { settingsMismatches, capability, type ContainerSample, type ServiceHandle, type Target } from '../targets/index.js';
import type { TaskStack } from './task-stack.js';

export interface RepeatContext {
  cell: Cell;
  runId: string;
  target: Target;
  generator: LoadGenerator;
  signal: AbortSignal;
  stack: TaskStack;
  cpuset: string | null;
  /** CPUs the service can run on (for the GOMAXPROCS rule). */
  availableCpus: number;
  /**
   * Awaited after the service is deployed and verified, right before its load starts: in a duet group it
   * resolves when every member is ready, so the pair's loads run at the same time.
   */
  beforeLoad?: (() => Promise<void>) | undefined;
  onLoadProgress: (progress: LoadProgress) => void;
  log: (line: string) => void;
}

/** What a procedure measured; the runner adds ids and times. */
export interface Measurement {
  outcome: Outcome;
  metrics: Record<string, number>;
  effective: EffectiveSettings | null;
  load: Omit<LoadResult, 'series'> | null;
  /** Raw counters behind the window's GC and CPU figures (load procedures). */
  runtimeWindow?: RuntimeWindow;
  series: RepeatResult['series'];
  events: RepeatResult['events'];
  notes: string[];
  /** Images used (tag → id), for the run's fingerprint. */
  images: Record<string, string>;
}

export class SettingsMismatchError extends Error {
  override readonly name = 'SettingsMismatchError';
}

const readyTimeoutMs = 30_000;

function emptyMeasurement(): Measurement {
  return { outcome: { state: 'completed' }, metrics: {}, effective: null, load: null, series: {}, events: [], notes: [], images: {} };
}

async function deployVerified(ctx: RepeatContext, m: Measurement): Promise<{ handle: ServiceHandle; runtime: RuntimeSnapshot; effective: EffectiveSettings }> {
  const handle = await ctx.target.deploy(ctx.cell, { runId: ctx.runId, signal: ctx.signal, cpuset: ctx.cpuset, readyTimeoutMs });
  ctx.stack.defer(`remove ${ctx.cell.id}`, () => ctx.target.teardown(handle));
  m.images[handle.image.tag] = handle.image.id;
  const { runtime, effective } = await ctx.target.inspect(handle, ctx.signal);
  const problems = settingsMismatches(ctx.cell.settings, effective, ctx.availableCpus);
  if (problems.length > 0) throw new SettingsMismatchError(`the running service does not have the planned settings: ${problems.join('; ')}`);
  return { handle, runtime, effective };
}

/** Latency, error and successful-response throughput figures of a load result. */
const loadMetrics = (load: LoadResult): Record<string, number> => loadResultMetrics(load);

function withoutSeries(load: LoadResult): Omit<LoadResult, 'series'> {
  const { series: _series, ...rest } = load;
  return rest;
}

/** Samples the container every `intervalMs` until stopped. */
function startSampler(ctx: RepeatContext, handle: ServiceHandle, intervalMs = 250): { samples: ContainerSample[]; stop(): Promise<void> } {
  const samples: ContainerSample[] = [];
  const sampler = capability(ctx.target, 'sample');
  let running = sampler !== null;
  const loop = (async () => {
    while (running && sampler !== null && !ctx.signal.aborted) {
      try {
        samples.push(await sampler.sample(handle, ctx.signal));
      } catch {
        // The container may be gone (OOM kill, shutdown); the samples so far stand.
        break;
      }
      await sleep(intervalMs);
    }
  })();
  return {
    samples,
    async stop() {
      running = false;
      await loop;
    },
  };
}

function containerSeries(samples: readonly ContainerSample[], originMs: number): Array<Record<string, number>> {
  const out: Array<Record<string, number>> = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1] as ContainerSample;
    const b = samples[i] as ContainerSample;
    const seconds = (b.tMs - a.tMs) / 1000;
    if (seconds <= 0) continue;
    const sample: Record<string, number> = {
      tMs: Math.round(b.tMs - originMs),
      cpuCores: (b.cpuUsageNs - a.cpuUsageNs) / 1e9 / seconds,
      memBytes: b.memUsageBytes,
    };
    if (a.nrThrottled !== null && b.nrThrottled !== null) sample.throttledPeriods = b.nrThrottled - a.nrThrottled;
    out.push(sample);
  }
  return out;
}

/** Waits for a promise started on a timer, whatever it ends with; nothing for one never started. */
async function settled(started: Promise<unknown> | null): Promise<void> {
  if (started !== null)
    await started.then(
      () => undefined,
      () => undefined,
    );
}

/** Runs the cell's load; `atMs` after it starts (warm-up included), `action` runs once. */
async function runLoadWith(ctx: RepeatContext, handle: ServiceHandle, atMs: number, action: () => void): Promise<LoadResult> {
  const timer = setTimeout(action, atMs);
  try {
    return await ctx.generator.run(handle.baseUrl, { path: cellRequestPath(ctx.cell) }, ctx.cell.load, {
      signal: ctx.signal,
      onProgress: ctx.onLoadProgress,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** Steady load (closed or open model) on one service: latency, throughput, CPU, throttling, memory, GC. */
async function loadProcedure(ctx: RepeatContext): Promise<Measurement> {
  const m = emptyMeasurement();
  const { handle, effective } = await deployVerified(ctx, m);
  m.effective = effective;
  await ctx.beforeLoad?.();
  const sampler = startSampler(ctx, handle);
  ctx.stack.defer('stop sampler', () => sampler.stop());
  const profile = ctx.cell.load;
  const warmupMs = profile.warmupMs;
  const loadStart = performance.now();
  let startSnapshot: Promise<RuntimeSnapshot | null> = Promise.resolve(null);
  // The window's first runtime snapshot is taken when the warm-up ends, on the same clock as the samples.
  const load = await runLoadWith(ctx, handle, warmupMs, () => {
    startSnapshot = ctx.target.inspect(handle, ctx.signal).then(
      (r) => r.runtime,
      () => null,
    );
  });
  const windowStart = loadStart + warmupMs;
  const windowEnd = performance.now();
  ctx.signal.throwIfAborted();
  const startRuntime = await startSnapshot;
  const endRuntime = await ctx.target.inspect(handle, ctx.signal).then(
    (r) => r.runtime,
    () => null,
  );
  await sampler.stop();
  const stopped = await ctx.target.stop(handle, { signal: ctx.signal, graceSeconds: 5 });
  const exitedOnItsOwn = stopped.exitedAt !== undefined;
  // Docker reports the exit in wall-clock time; the load's clock is performance.now().
  const diedAtMs = exitedOnItsOwn && stopped.exitedAt != null ? Date.parse(stopped.exitedAt) - (Date.now() - (performance.now() - loadStart)) : null;

  m.load = withoutSeries(load);
  const summary = summariseLoadWindow({
    settings: ctx.cell.settings,
    profile,
    load: m.load,
    samples: sampler.samples,
    windowStartMs: windowStart,
    windowEndMs: windowEnd,
    startRuntime,
    endRuntime,
    effective,
    end: { exitCode: stopped.exitCode, oomKilled: stopped.oomKilled, exitedOnItsOwn, atMs: diedAtMs },
  });
  m.outcome = summary.outcome;
  m.metrics = summary.metrics;
  m.runtimeWindow = summary.runtimeWindow;
  m.notes.push(...summary.notes);
  m.series = {
    container: containerSeries(sampler.samples, loadStart),
    load: load.series.map((s) => ({ ...s })),
  };
  return m;
}

/**
 * Start-up figures side by side, and idle memory a second later:
 * - `processReadyMs`: the service's Go start → its open listener, measured by the service itself:
 *   the Go figure a cold-start claim is about;
 * - `processCreatedReadyMs`: the kernel's creation of the process → ready, also from the service; it
 *   adds the container runtime's set-up of the container before exec (10 ms resolution);
 * - `startupMs`: the target's start request (container start on Docker, deploy on Kubernetes) → first
 *   200 of /ready seen by the harness: adds the engine's work and the readiness polling;
 * - on Kubernetes, the pod timeline of the deploy (created → scheduled → started → Ready).
 */
async function startupProcedure(ctx: RepeatContext): Promise<Measurement> {
  const m = emptyMeasurement();
  const { handle, runtime, effective } = await deployVerified(ctx, m);
  m.effective = effective;
  const watches = capability(ctx.target, 'observe');
  if (watches !== null) {
    const observed = await watches.observe(handle, () => 0, ctx.signal).stop();
    Object.assign(m.metrics, observed.metrics);
    m.events = observed.events;
    m.notes.push(...observed.notes);
  }
  m.metrics.startupMs = handle.readyAtMs - handle.startedAtMs;
  const startup = runtime.startup;
  if (startup !== undefined && startup.processStartToReadyMs > 0) {
    m.metrics.processReadyMs = startup.processStartToReadyMs;
    if (startup.kernelStartToReadyMs > 0) m.metrics.processCreatedReadyMs = startup.kernelStartToReadyMs;
  } else {
    m.notes.push('the service does not report its own start → ready time (/debug/runtime has no startup): processReadyMs not measured');
  }
  await sleep(1000, undefined, { signal: ctx.signal });
  const idle = await ctx.target.inspect(handle, ctx.signal);
  m.metrics.idleRssBytes = idle.runtime.rssBytes;
  const sample = await capability(ctx.target, 'sample')?.sample(handle, ctx.signal);
  if (sample !== undefined) m.metrics.memAvgBytes = sample.memUsageBytes;
  m.metrics.gomaxprocs = effective.gomaxprocs;
  m.notes.push(
    "processReadyMs: the service's Go start → its open listener, reported by the service; " +
      "processCreatedReadyMs: the kernel's creation of the process → ready (includes the container runtime's set-up before exec; 10 ms resolution); " +
      "startupMs: the target's start request → the first 200 of /ready seen by the harness",
  );
  return m;
}

/** Image and binary size. */
async function imageProcedure(ctx: RepeatContext): Promise<Measurement> {
  const m = emptyMeasurement();
  const builder = capability(ctx.target, 'image');
  if (builder === null) {
    m.outcome = { state: 'skipped', reason: `target ${ctx.target.name} does not build images` };
    return m;
  }
  const image = await builder.image(ctx.cell.settings, ctx.signal);
  m.images[image.tag] = image.id;
  m.metrics.imageBytes = image.bytes;
  m.metrics.binaryBytes = image.binaryBytes;
  m.notes.push(`image ${image.tag} (${image.id.slice(0, 19)})`);
  return m;
}

/**
 * SIGTERM under steady open-model load, the way a rollout meets it: arrivals go on for the cell's
 * `endpointRemovalDelayMs` after SIGTERM (an endpoints update reaching a load balancer takes that
 * long), then the endpoint leaves the generator's target list. Exposed are the requests in flight at
 * SIGTERM and those sent after it; a failed one is what a rollout drops. The service's drain
 * (`drainMs`, the preStop sleep's role) is independent of the removal delay: a drain shorter than the
 * delay leaves requests arriving at a closed listener.
 */
async function shutdownProcedure(ctx: RepeatContext): Promise<Measurement> {
  const m = emptyMeasurement();
  const profile = ctx.cell.load;
  if (profile.model !== 'open') throw new Error(`shutdown scenarios need an open-model load (got ${profile.model})`);
  const removalDelayMs = ctx.cell.endpointRemovalDelayMs ?? defaultEndpointRemovalDelayMs;
  const sigtermAtMs = profile.warmupMs + profile.durationMs / 2;
  const removedAtMs = sigtermAtMs + removalDelayMs;
  if (removedAtMs > profile.warmupMs + profile.durationMs) {
    throw new Error(
      `shutdown cell ${ctx.cell.id}: SIGTERM at ${sigtermAtMs} ms plus endpointRemovalDelayMs ${removalDelayMs} ends after the load (${profile.warmupMs + profile.durationMs} ms); lengthen durationMs`,
    );
  }
  const { handle, effective } = await deployVerified(ctx, m);
  m.effective = effective;
  const endpointRemoved = new AbortController();
  let stopped: Promise<{ exitCode: number | null; oomKilled: boolean }> | null = null;
  const timersSetAtEpochMs = performance.timeOrigin + performance.now();
  const sigterm = setTimeout(() => {
    stopped = ctx.target.stop(handle, { signal: ctx.signal, graceSeconds: 30 });
  }, sigtermAtMs);
  const removal = setTimeout(() => endpointRemoved.abort(), removedAtMs);
  let result: Awaited<ReturnType<typeof openModelProcess.runWithOutcomes>>;
  try {
    // In the generator's own process, like every open-model load (see load/native.ts).
    result = await openModelProcess.runWithOutcomes(handle.baseUrl, { path: cellRequestPath(ctx.cell) }, profile, {
      signal: ctx.signal,
      stopIssuing: endpointRemoved.signal,
      withOutcomes: true,
      onProgress: ctx.onLoadProgress,
    });
  } catch (error) {
    // The load failed: a stop already under way is still awaited (see the rollout procedure).
    await settled(stopped);
    throw error;
  } finally {
    clearTimeout(sigterm);
    clearTimeout(removal);
  }
  const exit = await (stopped ?? ctx.target.stop(handle, { signal: ctx.signal, graceSeconds: 30 }));
  // The load ran in the generator's process, on its own clock: SIGTERM placed on that clock.
  const exposure = judgeShutdownExposure(result.outcomes, sigtermAtMs - (result.startedAtEpochMs - timersSetAtEpochMs));
  Object.assign(m.metrics, exposure);
  m.metrics.latencyP99Ms = result.latency.p99Ms;
  const { outcomes: _outcomes, series: _series, startedAtEpochMs: _started, ...load } = result;
  m.load = load;
  m.notes.push(
    `SIGTERM at ${sigtermAtMs} ms, endpoint removed ${removalDelayMs} ms later; service exit code ${exit.exitCode}; ` +
      `${exposure.requestsExposed} requests exposed (${exposure.inFlightAtStop} in flight at SIGTERM, ${exposure.sentAfterSigterm} sent after it), ${exposure.failedRequests} failed`,
  );
  return m;
}

/** One request of an open-model load, on the load's clock (ms). */
interface TimedOutcome {
  intendedMs: number;
  doneMs: number;
  status: number | null;
  error: string | null;
}

/**
 * The requests a shutdown exposes: in flight at SIGTERM (sent before, done after) or sent after it;
 * failed = an error or a non-2xx status among them. Exported for tests.
 */
export function judgeShutdownExposure(
  outcomes: readonly TimedOutcome[],
  sigtermAtMs: number,
): { requestsExposed: number; failedRequests: number; errorRate: number; inFlightAtStop: number; sentAfterSigterm: number } {
  const inFlight = outcomes.filter((o) => o.intendedMs < sigtermAtMs && o.doneMs > sigtermAtMs);
  const after = outcomes.filter((o) => o.intendedMs >= sigtermAtMs);
  const exposed = [...inFlight, ...after];
  const failed = exposed.filter((o) => o.error !== null || o.status === null || o.status < 200 || o.status >= 300).length;
  return {
    requestsExposed: exposed.length,
    failedRequests: failed,
    errorRate: exposed.length === 0 ? 0 : failed / exposed.length,
    inFlightAtStop: inFlight.length,
    sentAfterSigterm: after.length,
  };
}

/** Staged load against an autoscaled deployment; the target's observer records replicas and events. */
async function hpaProcedure(ctx: RepeatContext): Promise<Measurement> {
  const m = emptyMeasurement();
  const watches = capability(ctx.target, 'observe');
  if (watches === null) {
    m.outcome = { state: 'skipped', reason: `target ${ctx.target.name} has no autoscaler (not measurable on this target)` };
    return m;
  }
  const { handle, effective } = await deployVerified(ctx, m);
  m.effective = effective;
  const origin = performance.now();
  const observer = watches.observe(handle, () => performance.now() - origin, ctx.signal);
  let observed: Awaited<ReturnType<typeof observer.stop>> | null = null;
  ctx.stack.defer('stop observer', async () => {
    if (observed === null) await observer.stop().catch(() => undefined);
  });
  const load = await ctx.generator.run(handle.baseUrl, { path: cellRequestPath(ctx.cell) }, ctx.cell.load, {
    signal: ctx.signal,
    onProgress: ctx.onLoadProgress,
  });
  observed = await observer.stop();
  m.load = withoutSeries(load);
  m.metrics = { ...loadMetrics(load), ...observed.metrics };
  m.series = { ...observed.series, load: load.series.map((s) => ({ ...s })) };
  m.events = observed.events;
  m.notes.push(...observed.notes);
  if (observed.metrics.replicaCapReached === 1) {
    // At the cap the HPA could not give what the load asked for: replica counts of such a repeat
    // understate the difference between variants, so it is not used for a verdict.
    m.outcome = {
      state: 'invalid',
      reason: `the HPA reached its maxReplicas (${observed.metrics.replicaCap}): the replica figures are capped; raise maxReplicas above what the load needs`,
    };
  }
  return m;
}

/** Steady load while the target rolls the deployment: failed requests are the rollout's cost. */
async function rolloutProcedure(ctx: RepeatContext): Promise<Measurement> {
  const m = emptyMeasurement();
  const roller = capability(ctx.target, 'rollout');
  if (roller === null) {
    m.outcome = { state: 'skipped', reason: `target ${ctx.target.name} cannot roll a deployment (not measurable on this target)` };
    return m;
  }
  const { handle, effective } = await deployVerified(ctx, m);
  m.effective = effective;
  const profile = ctx.cell.load;
  const rollAtMs = profile.warmupMs + 1000;
  let rolled: Promise<void> | null = null;
  let load: LoadResult;
  try {
    load = await runLoadWith(ctx, handle, rollAtMs, () => {
      rolled = roller.rollout(handle, ctx.signal);
    });
  } catch (error) {
    // The load failed: a rollout already under way is still awaited, so its own failure cannot surface
    // later as an unhandled rejection.
    await settled(rolled);
    throw error;
  }
  if (rolled !== null) await rolled;
  m.load = withoutSeries(load);
  m.metrics = loadMetrics(load);
  // The rollout starts a second into the measured window and runs through it: every request of the
  // window met it, so all are exposed to a drop.
  m.metrics.requestsExposed = load.requests;
  return m;
}

export const procedures = {
  load: loadProcedure,
  startup: startupProcedure,
  image: imageProcedure,
  shutdown: shutdownProcedure,
  hpa: hpaProcedure,
  rollout: rolloutProcedure,
} satisfies Record<Cell['kind'], (ctx: RepeatContext) => Promise<Measurement>>;
