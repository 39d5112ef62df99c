import type { Cell, TargetName } from '../../scenarios/index.js';
import type { EffectiveSettings, RepeatResult } from '../results/index.js';
import type { RuntimeSnapshot, ContainerSample } from '../collect/index.js';

// What a target's sampler returns is defined where it is derived from (collect/).
export type { ContainerSample } from '../collect/index.js';

/** A running service the harness deployed, and how to reach and observe it. */
export interface ServiceHandle {
  target: TargetName;
  cellId: string;
  /** Where load goes: always loopback (`http://127.0.0.1:<port>`). */
  baseUrl: string;
  /** Target-specific identifiers, for teardown and the run record. */
  ids: Record<string, string>;
  /** Monotonic time (performance.now()) when the deploy call started the service. */
  startedAtMs: number;
  /** Monotonic time when `/ready` first answered 200. */
  readyAtMs: number;
  /** Image used, with its id. */
  image: { tag: string; id: string; bytes: number; binaryBytes: number };
}

export interface DeployOptions {
  runId: string;
  signal: AbortSignal;
  /** CPUs the service may use (`cpuset` form, e.g. "1"), when the run pins it. */
  cpuset: string | null;
  /** Time allowed for the service to become ready. */
  readyTimeoutMs: number;
}

/** A target's versions for the run's fingerprint; what does not apply is absent. */
export interface TargetVersions {
  /** Docker engine and API, e.g. `20.10.24 (API 1.41)`. */
  docker?: string;
  /** The cluster's API server, e.g. `v1.34.4`. */
  kubernetes?: string;
  /** `kind version`'s line. */
  kind?: string;
  /** The kind node's image: its name and id (`name@sha256:…`). */
  kindNodeImage?: string;
}

/**
 * A place where cells run: local Docker containers, a kind cluster, an existing Kubernetes cluster. The
 * lifecycle every target has; what only some can do are the capabilities below, which procedures ask
 * for with `capability(target, name)`.
 */
export interface Target {
  readonly name: TargetName;
  /** What the run's fingerprint records of the target: engine, cluster and kind versions, kind's node image. */
  versions?(): Promise<TargetVersions>;
  /** Checks the target answers (a cluster provider first makes it exist); throws a BenchError (code 3) with a hint when it does not. */
  prepare(signal: AbortSignal): Promise<void>;
  deploy(cell: Cell, options: DeployOptions): Promise<ServiceHandle>;
  /** The service's `/debug/runtime` and the limits its container really has. */
  inspect(handle: ServiceHandle, signal: AbortSignal): Promise<{ runtime: RuntimeSnapshot; effective: EffectiveSettings }>;
  /**
   * Sends SIGTERM (or the target's equivalent) and waits for the service to exit; returns exit info.
   * `exitedAt` is set when the service had already exited on its own before the stop (wall-clock ISO
   * time, null when unknown); absent when the stop ended it.
   */
  stop(
    handle: ServiceHandle,
    options: { signal: AbortSignal; graceSeconds: number },
  ): Promise<{ exitCode: number | null; oomKilled: boolean; exitedAt?: string | null }>;
  /** Removes everything `deploy` created. Idempotent, never throws for "already gone". */
  teardown(handle: ServiceHandle): Promise<void>;
  /** Removes every object labelled with `runId` (also leftovers of a crashed run when `runId` is null). */
  cleanup(runId: string | null): Promise<number>;
  /** Releases clients and clusters the target created (a kind cluster without --keep-cluster). */
  dispose?(): Promise<void>;
}

/** Resource samples of the service's container (CPU, throttling, memory). */
export interface Sampler {
  sample(handle: ServiceHandle, signal: AbortSignal): Promise<ContainerSample>;
}

/**
 * The target's own watches over the measured window (HPA status, Events, Pods on Kubernetes).
 * `clockMs` gives the run's clock (ms since the repeat started).
 */
export interface ScalingObserver {
  observe(handle: ServiceHandle, clockMs: () => number, signal: AbortSignal): TargetObserver;
}

/** Rolls the service (new pods replace old ones) and resolves when the rollout has finished. */
export interface Rollout {
  rollout(handle: ServiceHandle, signal: AbortSignal): Promise<void>;
}

/** Builds (or finds) the service image for these settings and reports its sizes. */
export interface ImageBuilder {
  image(settings: Cell['settings'], signal: AbortSignal): Promise<ServiceHandle['image']>;
}

/** The optional capabilities by the name of their one method. */
export interface Capabilities {
  sample: Sampler;
  observe: ScalingObserver;
  rollout: Rollout;
  image: ImageBuilder;
}

/** The capability `name` of a target, or null when it lacks it (a claim needing it is then not measurable). */
export function capability<K extends keyof Capabilities>(target: Target, name: K): Capabilities[K] | null {
  return typeof (target as unknown as Partial<Record<K, unknown>>)[name] === 'function' ? (target as unknown as Capabilities[K]) : null;
}

/** Target-specific observations over a measured window. */
export interface TargetObserver {
  stop(): Promise<{
    series: RepeatResult['series'];
    events: RepeatResult['events'];
    /** Derived scalar metrics (maxReplicas, replicaSeconds, flaps, timeToScaleUpMs, pod*Ms…). */
    metrics: Record<string, number>;
    notes: string[];
  }>;
}
