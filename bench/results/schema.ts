/**
 * The run record: `results/<run-id>/results.json`. Versioned; validated on every read so that a
 * corrupt or foreign file is reported with the field that is wrong, never half-used.
 */
import { z } from 'zod';

export const RUN_RECORD_SCHEMA_VERSION = 1;

const num = z.number();

const cellSettingsSchema = z.object({
  cpuLimit: num.nullable(),
  cpuRequest: num.nullable(),
  memLimitMiB: num.nullable(),
  maxprocs: z.union([z.string(), num]),
  gc: z.enum(['default', 'nogreenteagc']),
  gogc: z.union([z.literal('unset'), num]),
  gomemlimit: z.union([z.string(), num]),
  toolchain: z.string(),
  workload: z.string(),
  liveHeapMiB: num,
  graceful: z.boolean(),
  drainMs: num,
  stripped: z.boolean(),
  replica: num.optional(),
});

const loadProfileSchema = z.union([
  z.object({ model: z.literal('closed'), connections: num, warmupMs: num, durationMs: num }),
  z.object({ model: z.literal('open'), ratePerSec: num, capacityFraction: num.optional(), connections: num, warmupMs: num, durationMs: num }),
  z.object({
    model: z.literal('stages'),
    connections: num,
    warmupMs: num,
    stages: z.array(z.object({ durationMs: num, ratePerSec: num })),
  }),
]);

export const cellSchema = z.object({
  id: z.string(),
  scenario: z.string(),
  kind: z.string(),
  settings: cellSettingsSchema,
  load: loadProfileSchema,
  /** Request path overriding the workload's default (scenario `workloadPaths`). */
  requestPath: z.string().optional(),
  /** Shutdown cells: arrivals after SIGTERM until the endpoint leaves the generator's list, ms. */
  endpointRemovalDelayMs: z.number().optional(),
});

/** Environment fingerprint: what must match for two runs to be comparable, and what explains a result. */
export const fingerprintSchema = z.object({
  hostCpus: num,
  cpuModel: z.string(),
  kernel: z.string(),
  cgroupVersion: z.union([z.literal(1), z.literal(2), z.null()]),
  os: z.string(),
  nodeVersion: z.string(),
  goVersion: z.string().nullable(),
  dockerVersion: z.string().nullable(),
  kubernetesVersion: z.string().nullable(),
  kindVersion: z.string().nullable(),
  /** The kind node's image, `name@sha256:id` (kind runs only; absent in older records). */
  kindNodeImage: z.string().nullable().optional(),
  k6Version: z.string().nullable(),
  gitSha: z.string().nullable(),
  /** Image id (sha256) per image tag used in the run. */
  images: z.record(z.string(), z.string()),
});
export type Fingerprint = z.infer<typeof fingerprintSchema>;

/** How the service and the load generator were placed on the host's CPUs. */
export const placementSchema = z.object({
  serviceCpus: z.string().nullable(),
  generatorCpus: z.string().nullable(),
  note: z.string(),
});
export type Placement = z.infer<typeof placementSchema>;

/** One step of a capacity ramp: the rate asked, what the service delivered, and how. */
export const calibrationStepSchema = z.object({
  ratePerSec: num,
  achievedRps: num,
  p99Ms: num,
  errorRate: num,
  throttledShare: num.nullable(),
});

/** How a scenario's operating point was chosen (open-model scenarios with `capacityFraction`). */
export const calibrationSchema = z.object({
  scenario: z.string(),
  fraction: num,
  cells: z.array(
    z.object({
      cellId: z.string(),
      steps: z.array(calibrationStepSchema),
      /** Highest step rate the cell sustained; `null` when even the first step failed. */
      capacityRps: num.nullable(),
      /** Why the ramp stopped at the next step. */
      knee: z.string(),
    }),
  ),
  chosenRatePerSec: num,
});
export type Calibration = z.infer<typeof calibrationSchema>;

/** The settings the running service reported, checked against the plan before measuring. */
export const effectiveSettingsSchema = z.object({
  gomaxprocs: num,
  gogc: num,
  gomemlimitBytes: num,
  gcVariant: z.string(),
  goVersion: z.string(),
  godebug: z.string(),
  /** CPU limit the container really has, cores (null: none). */
  cgroupCpuLimit: num.nullable(),
  /** Memory limit the container really has, bytes (null: none). */
  cgroupMemLimitBytes: num.nullable(),
});
export type EffectiveSettings = z.infer<typeof effectiveSettingsSchema>;

/** A sample of a time series, timestamped in ms since the repeat started (one clock per run). */
export const sampleSchema = z.record(z.string(), num);

export const outcomeSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('completed') }),
  /** Measured, but the load was not what was asked (rate missed, generator saturated): kept, not used. */
  z.object({ state: z.literal('invalid'), reason: z.string() }),
  z.object({ state: z.literal('failed'), error: z.string() }),
  z.object({ state: z.literal('skipped'), reason: z.string() }),
  /**
   * The service stopped on its own during the repeat: the kernel OOM-killed it (`oom`) or it exited
   * (`exit`). Its load figures describe a dead service, so none of them is used.
   */
  z.object({
    state: z.literal('died'),
    cause: z.enum(['oom', 'exit']),
    exitCode: num.nullable(),
    /** When it died, ms after the load started (warm-up included); null when the target cannot tell. */
    atMs: num.nullable(),
  }),
]);
export type Outcome = z.infer<typeof outcomeSchema>;

export const loadSummarySchema = z.object({
  generator: z.string(),
  requests: num,
  achievedRps: num,
  targetRps: num.nullable(),
  durationMs: num,
  latency: z.object({ p50Ms: num, p90Ms: num, p99Ms: num, p999Ms: num, maxMs: num, meanMs: num }),
  histogramUs: z.string().nullable(),
  fromIntendedStart: z.boolean(),
  errors: z.object({ non2xx: num, timeouts: num, connection: num }),
  dropped: num,
  generatorCpu: num.nullable(),
  /** Open model: actual − intended send time over the measured window (absent in older records). */
  dispatchLagMs: z.object({ p50Ms: num, p99Ms: num, maxMs: num, sends: z.number().int().nonnegative().optional(), lateSends: z.number().int().nonnegative().optional() }).nullable().optional(),
});

/** HPA / scaling event (kind and kubernetes targets). */
export const scalingEventSchema = z.object({
  tMs: num,
  reason: z.string(),
  message: z.string(),
  fromReplicas: num.nullable(),
  toReplicas: num.nullable(),
});

/**
 * The measured window's raw counters, so that every derived GC and CPU figure can be recomputed: the
 * Go runtime's `/cpu/classes/*` and `/gc/*` values at the window's start and end (the runtime estimates
 * CPU classes as GOMAXPROCS × wall time, which CFS throttling inflates), and the container's cgroup
 * CPU and throttling counters over the samples that bound it.
 */
export const runtimeWindowSchema = z.object({
  /** Length of the load's measured window (warm-up excluded), ms. */
  windowMs: num,
  gomaxprocs: num,
  /** runtime/metrics values by full name at the window's start and end; null when the service did not answer. */
  start: z.record(z.string(), num).nullable(),
  end: z.record(z.string(), num).nullable(),
  /** Container cgroup counters at the first and last sample inside the window; null without samples. */
  cgroup: z
    .object({
      spanMs: num,
      cpuUsageNs: z.tuple([num, num]),
      nrPeriods: z.tuple([num, num]).nullable(),
      nrThrottled: z.tuple([num, num]).nullable(),
    })
    .nullable(),
});
export type RuntimeWindow = z.infer<typeof runtimeWindowSchema>;

export const repeatResultSchema = z.object({
  cellId: z.string(),
  /** 0-based repeat index within the cell. */
  repeat: num,
  /** Position in the interleaved plan order. */
  order: num,
  startedAt: z.string(),
  endedAt: z.string(),
  outcome: outcomeSchema,
  /**
   * Scalar metrics of this repeat, by name (see `metricNames` in bench/results/metrics.ts):
   * units are in the name.
   */
  metrics: z.record(z.string(), num),
  effective: effectiveSettingsSchema.nullable(),
  load: loadSummarySchema.nullable(),
  /** Raw counters behind the GC and CPU figures of the window (absent in older records). */
  runtimeWindow: runtimeWindowSchema.optional(),
  /** Time series: container stats, runtime metrics, replicas; `tMs` is relative to `startedAt`. */
  series: z.record(z.string(), z.array(sampleSchema)),
  events: z.array(scalingEventSchema),
  notes: z.array(z.string()),
});
export type RepeatResult = z.infer<typeof repeatResultSchema>;

export const planSchema = z.object({
  scenarios: z.array(
    z.object({
      name: z.string(),
      kind: z.string(),
      claims: z.array(z.string()),
      repeats: num,
      description: z.string(),
      /** How the scenario's cells shared the machine (absent in older records: sequential). */
      execution: z.enum(['sequential', 'duet']).optional(),
      /** `shared`: the service saw the whole CPU set; otherwise the run's service cpuset. */
      placement: z.enum(['pinned', 'shared']).optional(),
    }),
  ),
  cells: z.array(cellSchema),
  /** Interleaved, seeded order of (cell, repeat). */
  order: z.array(z.object({ cellId: z.string(), repeat: num })),
});
export type PlanRecord = z.infer<typeof planSchema>;

export const runRecordSchema = z.object({
  schemaVersion: z.literal(RUN_RECORD_SCHEMA_VERSION),
  runId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: z.enum(['running', 'completed', 'interrupted', 'failed']),
  target: z.string(),
  profile: z.string(),
  loadGenerator: z.string(),
  seed: num,
  /** The command line that made the run, for the report's method section. */
  argv: z.array(z.string()),
  fingerprint: fingerprintSchema,
  placement: placementSchema,
  plan: planSchema,
  /** Operating points measured before the rounds (absent when no scenario asked for calibration). */
  calibration: z.array(calibrationSchema).optional(),
  /** Scenario files the plan was made from (absolute path, SHA-256 of the content); absent for built-ins. */
  scenarioFiles: z.array(z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).optional(),
  repeats: z.array(repeatResultSchema),
  /** Things the run could not do or had to emulate, stated in the report's honest limits. */
  limits: z.array(z.string()),
});
export type RunRecord = z.infer<typeof runRecordSchema>;
