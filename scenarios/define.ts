/**
 * Scenario definitions: the typed helper, the schema that validates them, and the resolved types the
 * rest of the harness works with. Pure: no I/O.
 */
import { z } from 'zod';

/** Where a cell runs. The registry of implementations lives in `bench/targets`. */
export const targetNames = ['docker', 'kind', 'kubernetes'] as const;
export type TargetName = (typeof targetNames)[number];

/** GC build of the reference service: Go's default (Green Tea on Go 1.26+) or the pre-1.26 collector. */
export const gcVariants = ['default', 'nogreenteagc'] as const;
export type GcVariant = (typeof gcVariants)[number];

/**
 * How GOMAXPROCS is set:
 * - `auto`: the runtime's own container-aware default (Go 1.25+).
 * - `legacy`: `GODEBUG=containermaxprocs=0`, the runtime falls back to the host's CPU count.
 * - `unaware(N)`: a container-unaware service on an N-CPU node, emulated with `GOMAXPROCS=N`.
 * - a number: an explicit `GOMAXPROCS`.
 */
export type MaxProcs = 'auto' | 'legacy' | `unaware(${number})` | number;

/** GOMEMLIMIT: unset, a percentage of the container memory limit (`'90%'`), or bytes. */
export type GoMemLimit = 'unset' | `${number}%` | number;

/** Named request mixes of the reference service's `/work` endpoint; see `scenarios/workloads.ts`. */
export type WorkloadName = 'trivial' | 'cpu' | 'alloc' | 'sleep' | 'mixed' | 'memory' | 'slow';

/** What a scenario measures; picks the procedure the orchestrator runs for each repeat. */
export const scenarioKinds = ['load', 'startup', 'image', 'shutdown', 'hpa', 'rollout'] as const;
export type ScenarioKind = (typeof scenarioKinds)[number];

/**
 * How the cells of a scenario share the machine:
 * - `sequential`: one cell at a time, repeats interleaved in seeded rounds.
 * - `duet`: every cell of a round at the same time, each in its own container under its own limit, the
 *   load split between them by the same generator; compared round by round as pairs, so interference
 *   from the host hits both alike (Bulej et al., "Duet Benchmarking", ICPE 2020). Docker only; other
 *   targets and external generators fall back to `sequential`, and the record says so.
 */
export const executionModes = ['sequential', 'duet'] as const;
export type ExecutionMode = (typeof executionModes)[number];

/**
 * Where the service runs relative to the load generator:
 * - `pinned`: the service's container in a cpuset apart from the generator's CPU (default);
 * - `shared`: the whole CPU set, for scenarios about what the runtime sees of the host (GOMAXPROCS).
 */
export const placementModes = ['pinned', 'shared'] as const;
export type PlacementMode = (typeof placementModes)[number];

/** The settings of one cell: one point of the matrix. Every axis is always resolved. */
export interface CellSettings {
  /** CPU limit in cores; `null` for no limit. */
  cpuLimit: number | null;
  /** CPU request in cores (Kubernetes only; HPA utilisation is relative to it). `null` = same as limit. */
  cpuRequest: number | null;
  /** Memory limit in MiB; `null` for no limit. */
  memLimitMiB: number | null;
  maxprocs: MaxProcs;
  gc: GcVariant;
  /** GOGC env: `'unset'` leaves it out. */
  gogc: number | 'unset';
  gomemlimit: GoMemLimit;
  /** `'local'` = the machine's `go`; otherwise a `GOTOOLCHAIN` value such as `go1.27.3`. */
  toolchain: string;
  workload: WorkloadName;
  /** Long-lived live heap the service builds at start, MiB. */
  liveHeapMiB: number;
  /** Graceful shutdown on SIGTERM (readiness off, drain, Shutdown) vs immediate exit. */
  graceful: boolean;
  /** Drain delay after SIGTERM before Shutdown (plays the role of a preStop sleep), ms. */
  drainMs: number;
  /** Strip symbols from the binary (`-ldflags=-s -w`). */
  stripped: boolean;
  /**
   * A copy of a scenario's first cell that `default` and `full` runs add, measured as its own cell with the
   * same settings: 1 = the A/A control (a scenario's `control`), 2 = the drift reference (a scenario's
   * `driftReference`: run at the start, the middle and the end of the planned rounds). Absent for planned cells.
   */
  replica?: number;
}

/** One phase of an open-model load: a constant target rate for a duration. */
export interface RateStage {
  durationMs: number;
  /** Target request rate at the end of the stage (linear ramp from the previous stage's rate). */
  ratePerSec: number;
}

/** The load driven at a cell. */
export type LoadProfile =
  | {
      model: 'closed';
      /** Concurrent connections, each with one request in flight. */
      connections: number;
      warmupMs: number;
      durationMs: number;
    }
  | {
      model: 'open';
      /** Target request rate, requests per second (with `capacityFraction`: replaced by the calibrated rate). */
      ratePerSec: number;
      /**
       * Operating point as a fraction of the measured capacity of the scenario's weakest cell: before the
       * measured rounds the run calibrates every cell with a short step ramp and sets `ratePerSec` to
       * this fraction of the lowest capacity (bench/orchestrator/calibrate.ts).
       */
      capacityFraction?: number;
      /** Upper bound on concurrent connections the generator may open. */
      connections: number;
      warmupMs: number;
      durationMs: number;
    }
  | {
      model: 'stages';
      connections: number;
      warmupMs: number;
      stages: RateStage[];
    };

/** A run size: `smoke` for CI (minutes in all), `default` for a laptop, `full` for a quiet machine. */
export const profileNames = ['smoke', 'default', 'full', 'nightly'] as const;
export type ProfileName = (typeof profileNames)[number];

export interface ProfileOverride {
  repeats?: number;
  durationMs?: number;
  warmupMs?: number;
  /** Replace the matrix axes given here (e.g. fewer CPU limits for smoke). */
  matrix?: MatrixInput;
  ratePerSec?: number;
}

const positive = (what: string) => z.number({ error: `${what} must be a number` }).positive(`${what} must be > 0`);

const maxProcsSchema = z.union([
  z.literal('auto'),
  z.literal('legacy'),
  z.string().regex(/^unaware\(\d+\)$/, 'must be auto, legacy, unaware(<node CPUs>) or a positive integer') as z.ZodType<`unaware(${number})`>,
  z.number().int().positive(),
]);

const goMemLimitSchema = z.union([
  z.literal('unset'),
  z.string().regex(/^\d+(\.\d+)?%$/, "must be 'unset', a percentage such as '90%', or bytes") as z.ZodType<`${number}%`>,
  z.number().int().positive(),
]);

const workloadSchema = z.enum(['trivial', 'cpu', 'alloc', 'sleep', 'mixed', 'memory', 'slow']);

const matrixSchema = z
  .object({
    cpuLimit: z.array(positive('cpuLimit').nullable()).nonempty(),
    cpuRequest: z.array(positive('cpuRequest').nullable()).nonempty(),
    memLimitMiB: z.array(positive('memLimitMiB').nullable()).nonempty(),
    maxprocs: z.array(maxProcsSchema).nonempty(),
    gc: z.array(z.enum(gcVariants)).nonempty(),
    gogc: z.array(z.union([z.literal('unset'), z.number().int().min(-1)])).nonempty(),
    gomemlimit: z.array(goMemLimitSchema).nonempty(),
    toolchain: z.array(z.string().regex(/^(local|go\d+\.\d+(\.\d+)?)$/, "must be 'local' or a toolchain such as go1.27.3")).nonempty(),
    workload: z.array(workloadSchema).nonempty(),
    liveHeapMiB: z.array(z.number().min(0)).nonempty(),
    graceful: z.array(z.boolean()).nonempty(),
    drainMs: z.array(z.number().int().min(0)).nonempty(),
    stripped: z.array(z.boolean()).nonempty(),
  })
  .partial()
  .strict();

export type MatrixInput = z.input<typeof matrixSchema>;

/** Fields every load model has; a window length for the models with one. */
const connections = z.number().int().positive();
const warmupMs = z.number().int().min(0);
const durationMs = z.number().int().positive();

const loadSchema = z.discriminatedUnion('model', [
  z.object({ model: z.literal('closed'), connections, warmupMs, durationMs }).strict(),
  z
    .object({
      model: z.literal('open'),
      ratePerSec: positive('ratePerSec'),
      capacityFraction: z
        .number()
        .gt(0, 'capacityFraction must be > 0')
        .max(0.9, 'capacityFraction must be ≤ 0.9 (an operating point below saturation)')
        .optional(),
      connections,
      warmupMs,
      durationMs,
    })
    .strict(),
  z
    .object({
      model: z.literal('stages'),
      connections,
      warmupMs,
      stages: z.array(z.object({ durationMs, ratePerSec: z.number().min(0) }).strict()).nonempty(),
    })
    .strict(),
]);

const profileOverrideSchema = z
  .object({
    repeats: z.number().int().positive().optional(),
    durationMs: durationMs.optional(),
    warmupMs: warmupMs.optional(),
    ratePerSec: positive('ratePerSec').optional(),
    matrix: matrixSchema.optional(),
  })
  .strict();

/** The schema of a scenario module's default export. */
export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case, e.g. "gomaxprocs"'),
    description: z.string().min(1),
    claims: z.array(z.string().min(1)).nonempty('list the claim ids (scenarios/claims.ts, `bench list`) this scenario tests'),
    kind: z.enum(scenarioKinds),
    targets: z.array(z.enum(targetNames)).nonempty(),
    matrix: matrixSchema,
    exclude: z.array(matrixSchema.transform((m) => m)).optional(),
    load: loadSchema,
    repeats: z.number().int().positive(),
    /**
     * In `default` and `full` runs, add an A/A control: the scenario's first cell once more (replica 1),
     * compared with the original in the report as the run's own false-positive check.
     */
    control: z.boolean().optional(),
    /**
     * In `default` and `full` runs, measure the scenario's first cell once more at the start, the middle and
     * the end of the planned rounds (replica 2): how far the machine drifted over the run (see driftOf).
     */
    driftReference: z.boolean().optional(),
    /** `duet`: the cells of a round run at the same time and are compared as pairs (see executionModes). */
    execution: z.enum(executionModes).optional(),
    /** `shared`: the service sees the whole CPU set instead of a cpuset apart from the generator. */
    placement: z.enum(placementModes).optional(),
    /**
     * Shutdown scenarios: how long after SIGTERM the generator keeps sending to the service before its
     * endpoint leaves the generator's target list, ms: the delay of an endpoints update reaching a load
     * balancer, independent of the service's drain (`drainMs`). @default 1000 (defaultEndpointRemovalDelayMs)
     */
    endpointRemovalDelayMs: z.number().int().min(0, 'endpointRemovalDelayMs must be ≥ 0').optional(),
    /** Scenario runs in `bench run --matrix` without `--scenario`. */
    default: z.boolean().optional(),
    profiles: z.partialRecord(z.enum(profileNames), profileOverrideSchema).optional(),
    /**
     * Overrides the request path of named workloads, e.g. `{ sleep: '/work?sleep_ms=14' }`: the cells keep
     * their ids, so a deliberately slowed service can be compared with an earlier run of the same cells.
     */
    workloadPaths: z
      .partialRecord(workloadSchema, z.string().regex(/^\/work(\?.*)?$/, "must be a path of the reference service's /work endpoint, e.g. '/work?sleep_ms=14'"))
      .optional(),
  })
  .strict();

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;

/** Identity helper that gives a scenario module its types. Validation happens when it is loaded. */
export function defineScenario(scenario: ScenarioInput): ScenarioInput {
  return scenario;
}

/** Default value of every matrix axis a scenario leaves out. */
export const defaultCellSettings: CellSettings = {
  cpuLimit: null,
  cpuRequest: null,
  memLimitMiB: null,
  maxprocs: 'auto',
  gc: 'default',
  gogc: 'unset',
  gomemlimit: 'unset',
  toolchain: 'local',
  workload: 'trivial',
  liveHeapMiB: 0,
  graceful: true,
  drainMs: 0,
  stripped: true,
};

/** One point of the expanded matrix. */
export interface Cell {
  /** Stable id: `<scenario>/<axis>=<value>,…` over the axes the scenario varies. */
  id: string;
  scenario: string;
  kind: ScenarioKind;
  settings: CellSettings;
  load: LoadProfile;
  /** Request path overriding the workload's default (from the scenario's `workloadPaths`); absent = default. */
  requestPath?: string;
  /** Shutdown cells: the scenario's `endpointRemovalDelayMs`; absent = defaultEndpointRemovalDelayMs. */
  endpointRemovalDelayMs?: number;
}

/** How long arrivals go on after SIGTERM when a shutdown scenario does not say (`endpointRemovalDelayMs`). */
export const defaultEndpointRemovalDelayMs = 1000;
