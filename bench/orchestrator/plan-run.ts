/**
 * The plan of a `bench run`: the scenarios asked for (or the default ones), resolved for the profile and
 * the flags, bounded, interleaved with the seed; on `--resume`, the plan recorded in the run.
 */
import { randomBytes } from 'node:crypto';
import {
  type Cell,
  type ProfileName,
  type Scenario,
  type TargetName,
  builtinScenarioList,
  createPlan,
  resolveScenario,
  type Plan,
  type RunOverrides,
} from '../../scenarios/index.js';
import { usageError } from '../errors.js';
import type { RunRecord, RunStore } from '../results/index.js';
import { checkPlanBounds } from './plan-bounds.js';
import type { PlanOutline } from './plan-outline.js';
import { loadScenario, scenarioFileHash } from './scenarios.js';

export interface PlanRequest {
  /** `--matrix`: the default scenarios that run on the target. */
  matrix: boolean;
  /** `--scenario` names or files. */
  scenarioRefs: readonly string[];
  target: TargetName;
  profile: ProfileName;
  overrides: RunOverrides;
  /** `--seed`, already checked; a random seed when undefined. */
  seed: number | undefined;
  cwd: string;
  /** The run being resumed: its recorded plan and seed are used, nothing is loaded again. */
  resumed: RunStore | null;
}

export interface PlannedRun {
  plan: Plan;
  /** What the plan printout shows. */
  outline: PlanOutline;
  scenarios: Scenario[];
  seed: number;
  /** Scenario files with their hashes (a resumed run notes when one changed). */
  scenarioFiles: Array<{ path: string; sha256: string }>;
}

export async function planRun(request: PlanRequest): Promise<PlannedRun> {
  const { resumed } = request;
  if (resumed !== null) {
    // A resumed run's plan is the recorded one: no scenario is loaded again (a record's names are data).
    const plan: Plan = { scenarios: [], cells: resumed.record.plan.cells as Cell[], order: resumed.record.plan.order };
    return { plan, outline: { ...plan, scenarios: resumed.record.plan.scenarios }, scenarios: [], seed: resumed.record.seed, scenarioFiles: [] };
  }
  if (!request.matrix && request.scenarioRefs.length === 0) {
    throw usageError('nothing to run', 'use --matrix for the default scenarios, or --scenario NAME (see `bench list`)');
  }
  let scenarios: Scenario[];
  if (request.scenarioRefs.length > 0) {
    scenarios = await Promise.all(request.scenarioRefs.map((ref) => loadScenario(ref, request.cwd)));
    const unsupported = scenarios.filter((s) => !s.targets.includes(request.target));
    if (unsupported.length > 0) {
      throw usageError(
        `scenario ${unsupported.map((s) => s.name).join(', ')} cannot run on target ${request.target}`,
        `it runs on ${unsupported[0]?.targets.join(', ')}; pick another --target`,
      );
    }
  } else {
    scenarios = builtinScenarioList().filter((s) => s.default === true && s.targets.includes(request.target));
  }
  const seed = request.seed ?? randomBytes(4).readUInt32BE();
  const resolved = scenarios.map((s) => resolveScenario(s, request.profile, request.overrides));
  checkPlanBounds(resolved);
  const plan = createPlan(resolved, seed);
  const outline = {
    ...plan,
    scenarios: plan.scenarios.map((r) => ({ name: r.scenario.name, claims: r.scenario.claims, repeats: r.repeats, execution: r.scenario.execution })),
  };
  const scenarioFiles = (await Promise.all(request.scenarioRefs.map((ref) => scenarioFileHash(ref, request.cwd)))).filter((f) => f !== null);
  return { plan, outline, scenarios, seed, scenarioFiles };
}

/**
 * The flags of a resumed run: those of its recorded command line (`recorded`, parsed as the command
 * parses), with the record's target, profile and generator. A flag in `checked` given again must say the
 * same (as recorded, or as the record has it); anything else would mix a new plan with old data.
 */
export function resumedFlags<V extends Record<string, unknown>>(given: V, recorded: V, record: RunRecord, checked: ReadonlyArray<keyof V & string>): V {
  const effective: V = { ...recorded, target: record.target, profile: record.profile, load: record.loadGenerator };
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const flag of checked) {
    const value = given[flag];
    if (value === undefined || same(value, effective[flag]) || same(value, recorded[flag])) continue;
    const was = effective[flag] === undefined ? 'not given' : JSON.stringify(effective[flag]);
    throw usageError(
      `--${flag} ${JSON.stringify(value)} conflicts with the resumed run ${record.runId} (recorded: ${was})`,
      `drop --${flag}: a resumed run keeps its plan, target and generator; start a new run to change them`,
    );
  }
  return { ...given, ...effective };
}
