/**
 * Operating points by calibration. An open-model scenario that declares `capacityFraction` is run at
 * that fraction of the capacity of its weakest cell *on this machine*: before the measured rounds, every
 * cell gets a fresh service and a short step ramp (each step a little faster than the last) until the
 * service falls short of the rate, its P99 knees, errors appear or CFS throttling climbs. The highest
 * step it sustained is its capacity; all cells then run at `fraction × min(capacity)`, so no variant
 * runs near saturation, where tail latency is chaos rather than a property of the variant.
 *
 * The ramp's rule (`judgeStep`, `chooseRate`) is pure; `calibrateScenario` runs it against a target.
 */
import { cellRequestPath, type Cell, type LoadProfile } from '../../scenarios/index.js';
import type { LoadGenerator } from '../load/index.js';
import type { Calibration } from '../results/index.js';
import { capability, type ContainerSample, type Target } from '../targets/index.js';
import { TaskStack } from './task-stack.js';

type CalibrationStep = Calibration['cells'][number]['steps'][number];

/** The ramp: first rate, growth per step, step length, and the limits that end it. */
export const rampRules = {
  firstRatePerSec: 40,
  growth: 1.35,
  maxSteps: 16,
  warmupMs: 500,
  stepMs: 2000,
  /** A step that delivers less than this share of its rate is past capacity. */
  minAchievedShare: 0.95,
  /** P99 above `kneeFactor × first step's P99 + kneeSlackMs` is the latency knee. */
  kneeFactor: 3,
  kneeSlackMs: 5,
  /** Errors above this share end the ramp. */
  maxErrorRate: 0.01,
  /** Throttled CFS periods above this share end the ramp (the quota is spent). */
  maxThrottledShare: 0.2,
} as const;

/** Why a step is past capacity, or `null` when the service sustained it. */
export function judgeStep(step: CalibrationStep, first: CalibrationStep | null, rules = rampRules): string | null {
  if (step.achievedRps < rules.minAchievedShare * step.ratePerSec) {
    return `achieved ${step.achievedRps.toFixed(0)} of ${step.ratePerSec.toFixed(0)} req/s`;
  }
  if (step.errorRate > rules.maxErrorRate) return `${(step.errorRate * 100).toFixed(1)}% errors`;
  if (step.throttledShare !== null && step.throttledShare > rules.maxThrottledShare) {
    return `${(step.throttledShare * 100).toFixed(0)}% of CFS periods throttled`;
  }
  if (first !== null && step.p99Ms > rules.kneeFactor * first.p99Ms + rules.kneeSlackMs) {
    return `P99 ${step.p99Ms.toFixed(1)} ms past the knee (first step ${first.p99Ms.toFixed(1)} ms)`;
  }
  return null;
}

/** The rates of the ramp, lowest first. */
export function rampRates(rules = rampRules): number[] {
  return Array.from({ length: rules.maxSteps }, (_, i) => Math.round(rules.firstRatePerSec * rules.growth ** i));
}

/** The operating point: `fraction` of the weakest cell's capacity, never below 1 req/s. */
export function chooseRate(capacities: ReadonlyArray<number | null>, fraction: number): number | null {
  if (capacities.length === 0 || capacities.some((c) => c === null)) return null;
  return Math.max(1, Math.round(fraction * Math.min(...(capacities as number[]))));
}

function throttledShare(a: ContainerSample | null, b: ContainerSample | null): number | null {
  if (!a || !b || a.nrPeriods === null || b.nrPeriods === null || a.nrThrottled === null || b.nrThrottled === null) return null;
  const periods = b.nrPeriods - a.nrPeriods;
  return periods > 0 ? (b.nrThrottled - a.nrThrottled) / periods : null;
}

export interface CalibrationContext {
  runId: string;
  target: Target;
  generator: LoadGenerator;
  signal: AbortSignal;
  cpusetOf: (cell: Cell) => string | null;
  log: (line: string) => void;
}

/** Ramps one cell on a fresh service; the service is removed whatever happens. */
async function rampCell(cell: Cell, ctx: CalibrationContext): Promise<Calibration['cells'][number]> {
  const stack = new TaskStack();
  const steps: CalibrationStep[] = [];
  let knee = `the ramp ended at ${rampRules.maxSteps} steps without reaching capacity`;
  try {
    const handle = await ctx.target.deploy(cell, { runId: ctx.runId, signal: ctx.signal, cpuset: ctx.cpusetOf(cell), readyTimeoutMs: 30_000 });
    stack.defer(`remove calibration service of ${cell.id}`, () => ctx.target.teardown(handle));
    for (const rate of rampRates()) {
      ctx.signal.throwIfAborted();
      const profile: LoadProfile = {
        model: 'open',
        ratePerSec: rate,
        connections: cell.load.connections,
        warmupMs: rampRules.warmupMs,
        durationMs: rampRules.stepMs,
      };
      const sampler = capability(ctx.target, 'sample');
      const before = (await sampler?.sample(handle, ctx.signal).catch(() => null)) ?? null;
      const load = await ctx.generator.run(handle.baseUrl, { path: cellRequestPath(cell) }, profile, { signal: ctx.signal });
      const after = (await sampler?.sample(handle, ctx.signal).catch(() => null)) ?? null;
      const failed = load.errors.non2xx + load.errors.timeouts + load.errors.connection;
      const step: CalibrationStep = {
        ratePerSec: rate,
        achievedRps: load.achievedRps,
        p99Ms: load.latency.p99Ms,
        errorRate: load.requests === 0 ? 1 : failed / load.requests,
        throttledShare: throttledShare(before, after),
      };
      steps.push(step);
      const reason = judgeStep(step, steps.length > 1 ? (steps[0] as CalibrationStep) : null);
      if (reason !== null) {
        knee = `${rate} req/s: ${reason}`;
        break;
      }
    }
  } finally {
    await stack.unwind();
  }
  const sustained = steps.filter((s, i) => i < steps.length - 1 || judgeStep(s, i > 0 ? (steps[0] as CalibrationStep) : null) === null);
  const capacityRps = sustained.length > 0 ? (sustained[sustained.length - 1] as CalibrationStep).ratePerSec : null;
  return { cellId: cell.id, steps, capacityRps, knee };
}

/**
 * Calibrates the open-model cells of one scenario and returns the calibration with the chosen rate;
 * `null` when some cell sustained not even the first step (the scenario then keeps its declared rate,
 * and the caller says so).
 */
export async function calibrateScenario(scenario: string, cells: readonly Cell[], fraction: number, ctx: CalibrationContext): Promise<Calibration | null> {
  const ramps: Calibration['cells'] = [];
  for (const cell of cells) {
    ctx.log(`calibrating ${cell.id}: step ramp from ${rampRules.firstRatePerSec} req/s ×${rampRules.growth} per ${rampRules.stepMs / 1000} s step`);
    const ramp = await rampCell(cell, ctx);
    ctx.log(`  capacity ${ramp.capacityRps ?? 'none'} req/s (stopped at ${ramp.knee})`);
    ramps.push(ramp);
  }
  const chosen = chooseRate(
    ramps.map((r) => r.capacityRps),
    fraction,
  );
  if (chosen === null) return null;
  return { scenario, fraction, cells: ramps, chosenRatePerSec: chosen };
}

/** The cells with the calibrated rate in place of the declared one. */
export function applyCalibration(cells: readonly Cell[], calibrations: readonly Calibration[]): Cell[] {
  const rateOf = new Map(calibrations.map((c) => [c.scenario, c.chosenRatePerSec]));
  return cells.map((cell) => {
    const rate = rateOf.get(cell.scenario);
    return rate === undefined || cell.load.model !== 'open' ? cell : { ...cell, load: { ...cell.load, ratePerSec: rate } };
  });
}
