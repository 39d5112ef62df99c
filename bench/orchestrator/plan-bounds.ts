/**
 * Bounds on what one run may ask for, checked on the resolved scenarios before the plan is built: a
 * mistyped `--repeats 1e20` or a scenario file with `repeats: 1e8` must be refused at once, not grow a
 * plan until the process runs out of memory.
 */
import { axisOrder, type ResolvedScenario } from '../../scenarios/index.js';
import { usageError } from '../errors.js';

/** The bounds, in one place (`bench run --help` and the errors quote them). */
export const planLimits = {
  /** @default 1000 */
  repeats: 1000,
  /** One hour, for the measured window and the warm-up each. @default 3_600_000 */
  durationMs: 3_600_000,
  /** @default 10_000 */
  connections: 10_000,
  /** @default 1_000_000 */
  ratePerSec: 1_000_000,
  /** Cells of one scenario's matrix. @default 1000 */
  cells: 1000,
  /** Repeats in the whole plan (cells × repeats over every scenario). @default 100_000 */
  planItems: 100_000,
} as const;

function exceeds(field: string, value: number, max: number, hint: string): never {
  throw usageError(`${field} must be at most ${max} (got ${value})`, hint);
}

/** Throws a usage error naming the scenario, the field and the fix for the first bound exceeded. */
export function checkPlanBounds(resolved: readonly ResolvedScenario[]): void {
  let planItems = 0;
  for (const r of resolved) {
    const name = `scenario ${r.scenario.name}`;
    if (r.repeats > planLimits.repeats) exceeds(`${name}: repeats`, r.repeats, planLimits.repeats, "lower --repeats or the scenario's repeats");
    const load = r.load;
    if (load.connections > planLimits.connections)
      exceeds(`${name}: load.connections`, load.connections, planLimits.connections, 'fewer connections in the scenario');
    if (load.warmupMs > planLimits.durationMs) exceeds(`${name}: load.warmupMs`, load.warmupMs, planLimits.durationMs, 'a shorter --warmup');
    if (load.model === 'stages') {
      const total = load.stages.reduce((sum, s) => sum + s.durationMs, 0);
      if (total > planLimits.durationMs)
        exceeds(`${name}: load.stages (total durationMs)`, total, planLimits.durationMs, 'a shorter --duration or shorter stages');
      for (const [i, s] of load.stages.entries()) {
        if (s.ratePerSec > planLimits.ratePerSec) exceeds(`${name}: load.stages[${i}].ratePerSec`, s.ratePerSec, planLimits.ratePerSec, 'a lower rate');
      }
    } else {
      if (load.durationMs > planLimits.durationMs) exceeds(`${name}: load.durationMs`, load.durationMs, planLimits.durationMs, 'a shorter --duration');
      if (load.model === 'open' && load.ratePerSec > planLimits.ratePerSec)
        exceeds(`${name}: load.ratePerSec`, load.ratePerSec, planLimits.ratePerSec, 'a lower rate');
    }
    // The product of the axis lengths bounds the cells without expanding them.
    const cells = axisOrder.reduce((product, axis) => product * ((r.matrix[axis] as readonly unknown[] | undefined)?.length ?? 1), 1);
    if (cells > planLimits.cells) exceeds(`${name}: matrix (cells)`, cells, planLimits.cells, 'fewer values per matrix axis');
    planItems += cells * r.repeats;
  }
  if (planItems > planLimits.planItems) exceeds('plan size (cells × repeats)', planItems, planLimits.planItems, 'fewer repeats or a smaller matrix');
}
