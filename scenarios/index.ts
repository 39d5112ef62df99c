/** The built-in scenarios, by name, and the helpers to define and expand them. */
import coldStart from './cold-start.js';
import gogc from './gogc.js';
import gomaxprocs from './gomaxprocs.js';
import gomaxprocsFixedRate from './gomaxprocs-fixed-rate.js';
import gomemlimit from './gomemlimit.js';
import greentea from './greentea.js';
import hpa from './hpa.js';
import imageSize from './image-size.js';
import podStartup from './pod-startup.js';
import rollout from './rollout.js';
import shutdown from './shutdown.js';
import type { Scenario, ScenarioInput } from './define.js';
import { validateScenario } from './matrix.js';

/** Built-in scenario modules, validated when loaded (bench/orchestrator/scenarios.ts). */
export const builtinScenarios = {
  gomaxprocs,
  'gomaxprocs-fixed-rate': gomaxprocsFixedRate,
  greentea,
  'image-size': imageSize,
  'cold-start': coldStart,
  gomemlimit,
  shutdown,
  gogc,
  hpa,
  'pod-startup': podStartup,
  rollout,
} satisfies Record<string, ScenarioInput>;

export * from './define.js';
export { workloads, workloadPath, cellRequestPath } from './workloads.js';
export { expandMatrix, createPlan, resolveScenario, validateScenario, estimateCellMs, axisOrder } from './matrix.js';
export type { Plan, PlanItem, ResolvedScenario, RunOverrides } from './matrix.js';
export { createRandom, shuffle } from './random.js';
export { claimsCatalog } from './claims.js';
export type { CellSelector, ClaimCheck, ClaimSpec } from './claims.js';
export { defaultCellSettings, defaultEndpointRemovalDelayMs, profileNames, targetNames } from './define.js';
export type { Cell, CellSettings, ExecutionMode, LoadProfile, ProfileName, RateStage, Scenario, TargetName } from './define.js';
export { controlPair } from './matrix.js';

/** The built-in scenarios, validated (each named by its file in a validation error). */
export function builtinScenarioList(): Scenario[] {
  return Object.entries(builtinScenarios).map(([name, input]) => validateScenario(input, `scenarios/${name}.ts`));
}
