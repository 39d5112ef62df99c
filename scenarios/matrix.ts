/**
 * From scenario definitions to a plan: validation with errors that name the file and the field, profile
 * and CLI overrides resolved in one place, matrix expansion, and the interleaved, seeded run order.
 * Pure: no I/O.
 */
import { CONTROL_REPLICA, DRIFT_REPLICA, formatZodIssues, isDriftReference } from '../bench/results/index.js';
import type { ZodError } from 'zod';
import { usageError } from '../bench/errors.js';
import {
  defaultCellSettings,
  scenarioSchema,
  type Cell,
  type CellSettings,
  type LoadProfile,
  type MatrixInput,
  type ProfileName,
  type Scenario,
} from './define.js';
import { createRandom, shuffle } from './random.js';

/** Matrix axes in the order they appear in cell ids. */
export const axisOrder = [
  'cpuLimit',
  'cpuRequest',
  'memLimitMiB',
  'maxprocs',
  'gc',
  'gogc',
  'gomemlimit',
  'toolchain',
  'workload',
  'liveHeapMiB',
  'graceful',
  'drainMs',
  'stripped',
] as const satisfies ReadonlyArray<keyof CellSettings>;

type Axis = (typeof axisOrder)[number];

/** `scenarios/gc.ts: matrix.cpuLimit[2]: must be > 0 (got 0)` — one line per issue. */
export function formatScenarioIssues(source: string, error: ZodError, data: unknown): string {
  return formatZodIssues(error, data, { source, rootName: '(scenario)', separator: '\n', maxValueChars: Number.POSITIVE_INFINITY });
}

/** Validates a scenario module's export. Throws a usage error naming the file and every bad field. */
export function validateScenario(input: unknown, source: string): Scenario {
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    throw usageError(formatScenarioIssues(source, parsed.error, input), 'fix the field(s) above; the schema is in scenarios/define.ts');
  }
  const scenario = parsed.data;
  // Stages only make sense for HPA scenarios on a cluster and vice versa; catch the mix-up early.
  if (scenario.kind === 'hpa' && scenario.load.model !== 'stages') {
    throw usageError(`${source}: load.model must be 'stages' for an hpa scenario (got '${scenario.load.model}')`);
  }
  return scenario;
}

/** Overrides from the command line; they win over the profile, which wins over the scenario. */
export interface RunOverrides {
  repeats?: number | undefined;
  durationMs?: number | undefined;
  warmupMs?: number | undefined;
}

/** A scenario with its profile and overrides applied. */
export interface ResolvedScenario {
  scenario: Scenario;
  profile: ProfileName;
  repeats: number;
  matrix: MatrixInput;
  load: LoadProfile;
}

/** The one place where CLI flag > profile > scenario default is decided. */
export function resolveScenario(scenario: Scenario, profile: ProfileName, overrides: RunOverrides = {}): ResolvedScenario {
  const fromProfile = scenario.profiles?.[profile] ?? {};
  const repeats = overrides.repeats ?? fromProfile.repeats ?? scenario.repeats;
  const durationMs = overrides.durationMs ?? fromProfile.durationMs;
  const warmupMs = overrides.warmupMs ?? fromProfile.warmupMs;
  const matrix = { ...scenario.matrix, ...fromProfile.matrix };
  let load: LoadProfile = { ...scenario.load } as LoadProfile;
  if (warmupMs !== undefined) load = { ...load, warmupMs };
  if (load.model !== 'stages') {
    if (durationMs !== undefined) load = { ...load, durationMs };
    if (load.model === 'open' && fromProfile.ratePerSec !== undefined) load = { ...load, ratePerSec: fromProfile.ratePerSec };
  } else if (durationMs !== undefined) {
    // Stages keep their shape; a duration override scales them to the new total.
    const total = load.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
    const factor = durationMs / total;
    load = { ...load, stages: load.stages.map((s) => ({ ...s, durationMs: Math.max(1000, Math.round(s.durationMs * factor)) })) };
  }
  return { scenario, profile, repeats, matrix, load };
}

function formatValue(value: unknown): string {
  return value === null ? 'none' : String(value);
}

function matches(settings: CellSettings, pattern: MatrixInput): boolean {
  return axisOrder.every((axis) => {
    const values = pattern[axis] as ReadonlyArray<unknown> | undefined;
    return values === undefined || values.some((v) => v === settings[axis]);
  });
}

/** Expands a resolved scenario's matrix into cells (cartesian product minus exclusions). */
export function expandMatrix(resolved: ResolvedScenario): Cell[] {
  const { scenario, matrix, load } = resolved;
  const axes = axisOrder.filter((axis) => matrix[axis] !== undefined);
  let combos: CellSettings[] = [{ ...defaultCellSettings }];
  for (const axis of axes) {
    const values = matrix[axis] as ReadonlyArray<CellSettings[Axis]>;
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [axis]: value })));
  }
  const excluded = scenario.exclude ?? [];
  const cells = combos
    .filter((settings) => !excluded.some((pattern) => matches(settings, pattern)))
    .map((settings) => {
      const cell: Cell = {
        id: `${scenario.name}/${axes.map((axis) => `${axis}=${formatValue(settings[axis])}`).join(',') || 'base'}`,
        scenario: scenario.name,
        kind: scenario.kind,
        settings,
        load,
      };
      const requestPath = scenario.workloadPaths?.[settings.workload];
      if (requestPath !== undefined) cell.requestPath = requestPath;
      if (scenario.endpointRemovalDelayMs !== undefined) cell.endpointRemovalDelayMs = scenario.endpointRemovalDelayMs;
      return cell;
    });
  const first = cells[0];
  if (scenario.control === true && controlProfiles.includes(resolved.profile) && first !== undefined) {
    cells.push({ ...first, id: `${first.id},replica=${CONTROL_REPLICA}`, settings: { ...first.settings, replica: CONTROL_REPLICA } });
  }
  if (scenario.driftReference === true && controlProfiles.includes(resolved.profile) && first !== undefined) {
    cells.push({ ...first, id: `${first.id},replica=${DRIFT_REPLICA}`, settings: { ...first.settings, replica: DRIFT_REPLICA } });
  }
  return cells;
}

/** Profiles in which a scenario's `control: true` adds its A/A control cell. */
export const controlProfiles: readonly ProfileName[] = ['default', 'full'];

/** The A/A control cell of a scenario and the cell it copies, when the plan has one. */
export function controlPair<C extends { id: string; scenario: string; settings: { replica?: number | undefined } }>(
  cells: readonly C[],
  scenario: string,
): { original: C; control: C } | null {
  const control = cells.find((c) => c.scenario === scenario && c.settings.replica === 1);
  const original = control && cells.find((c) => c.id === control.id.replace(/,replica=1$/, ''));
  return control && original ? { original, control } : null;
}

/** One unit of work: a repeat of a cell. */
export interface PlanItem {
  cellId: string;
  repeat: number;
}

export interface Plan {
  scenarios: ResolvedScenario[];
  cells: Cell[];
  order: PlanItem[];
}

/**
 * Builds the run order: for each repeat round, every cell once, in a seeded random order (a randomised
 * complete block design), so drift of the machine over the run spreads evenly over the variants
 * instead of looking like an effect of whichever ran last.
 */
export function createPlan(resolved: ResolvedScenario[], seed: number): Plan {
  const random = createRandom(seed);
  const cells = resolved.flatMap((r) => expandMatrix(r));
  const repeatsOf = new Map(resolved.map((r) => [r.scenario.name, r.repeats]));
  const rounds = Math.max(0, ...resolved.map((r) => r.repeats));
  const order: PlanItem[] = [];
  for (let round = 0; round < rounds; round++) {
    const due = cells.filter((cell) => round < (repeatsOf.get(cell.scenario) ?? 0) && !isDriftReference(cell));
    for (const cell of shuffle(due, random)) order.push({ cellId: cell.id, repeat: round });
  }
  return { scenarios: resolved, cells, order: placeDriftReferences(order, cells.filter(isDriftReference)) };
}

/**
 * The drift reference's repeats at the start, the middle and the end of the planned order (a block design
 * spreads drift over the variants; the reference measures how large it was). Exported for tests.
 */
export function placeDriftReferences(order: readonly PlanItem[], references: ReadonlyArray<{ id: string }>): PlanItem[] {
  if (references.length === 0) return [...order];
  const at = (repeat: number) => references.map((cell) => ({ cellId: cell.id, repeat }));
  const middle = Math.floor(order.length / 2);
  return [...at(0), ...order.slice(0, middle), ...at(1), ...order.slice(middle), ...at(2)];
}

/** Wall time one repeat of a cell is expected to take, for the plan's estimate. */
export function estimateCellMs(cell: Cell, overheadMs = 4000): number {
  const load = cell.load;
  const loadMs = load.model === 'stages' ? load.stages.reduce((sum, s) => sum + s.durationMs, 0) : load.durationMs;
  switch (cell.kind) {
    case 'image':
      return 3000;
    case 'startup':
      return overheadMs;
    default:
      return overheadMs + load.warmupMs + loadMs;
  }
}
