/** The plan printed before a run: cells, repeats and estimated time per scenario. Pure. */
import { estimateCellMs, type Plan } from '../../scenarios/index.js';
import { formatDuration } from './format-duration.js';

/** What `formatPlan` shows of a plan: a fresh one or the one recorded in a run being resumed. */
export interface PlanOutline {
  scenarios: ReadonlyArray<{ name: string; claims: readonly string[]; repeats: number; execution?: string | undefined }>;
  cells: Plan['cells'];
  order: Plan['order'];
}

/** Text of the plan printed before a run. */
export function formatPlan(plan: PlanOutline, target: string, profile: string): string {
  const lines = [`Plan: ${plan.cells.length} cells, ${plan.order.length} repeats on ${target} (profile ${profile})`];
  // A duet scenario's round takes as long as its slowest cell: its cells run at the same time.
  const scenarioMs = (name: string, execution: string | undefined, rounds: number) => {
    const estimates = plan.cells.filter((c) => c.scenario === name).map((c) => estimateCellMs(c));
    return (execution === 'duet' ? Math.max(0, ...estimates) : estimates.reduce((a, b) => a + b, 0)) * rounds;
  };
  let total = 0;
  for (const scenario of plan.scenarios) {
    const cells = plan.cells.filter((c) => c.scenario === scenario.name);
    const ms = scenarioMs(scenario.name, scenario.execution, scenario.repeats);
    total += ms;
    const mode = scenario.execution === 'duet' ? ' (duet)' : '';
    lines.push(
      `  ${scenario.name.padEnd(12)} ${String(cells.length).padStart(3)} cells × ${scenario.repeats} repeats${mode}  ~${formatDuration(ms)}  [${scenario.claims.join(', ')}]`,
    );
  }
  lines.push(`  estimated time: ~${formatDuration(total)} (plus calibration of open-model scenarios with a capacity fraction)`);
  return lines.join('\n');
}
